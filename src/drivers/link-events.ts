/**
 * What each party's driver tells its observer about a link (see `src/core/events.ts`): read off the
 * machine's transitions, so that every path that steps the machine — a public call, a resumed
 * command, a retry — reports the same step once, and nothing from the state that is secret.
 *
 * @module
 */
import { formatScope } from '../protocol/scope.js'
import type { Emit } from '../core/events.js'
import type { PartyAEvent, PartyAState } from '../machines/party-a-state.js'
import type { PartyBEvent, PartyBState } from '../machines/party-b.js'
import { partyBLinkId } from './party-b-links.js'

/** Tells the observer what a step of party A's machine did (call after the state is stored). @internal */
export function observePartyA(emit: Emit, before: PartyAState, event: PartyAEvent, after: PartyAState): void {
  const link = { linkId: after.linkId, peerId: after.peerId }
  if (event.type === 'tokens-received') emit({ type: 'callback-accepted', ...link, status: after.status })
  else if (event.type === 'code-posted' && after.status === 'reciprocal-granted') {
    emit({ type: 'code-delivered', ...link, scope: formatScope(after.granted.scope), version: after.granted.version })
  } else if (event.type === 'tokens-refreshed') emit({ type: 'link-refreshed', ...link })
  if (after.status === 'unlinked' && before.status !== 'unlinked') emit({ type: 'unlinked', ...link })
}

/** Tells the observer what a step of party B's machine did (call after the state is stored). @internal */
export function observePartyB(emit: Emit, before: PartyBState | undefined, event: PartyBEvent, after: PartyBState): void {
  const link = { linkId: partyBLinkId(after.peerClientId, after.userId), peerId: after.peerClientId }
  if (event.type === 'redeemed') emit({ type: 'link-granted', ...link, ...(event.tokens.scope === undefined ? {} : { scope: event.tokens.scope }) })
  else if (event.type === 'tokens-refreshed') emit({ type: 'link-refreshed', ...link })
  if (after.status === 'unlinked' && before?.status !== 'unlinked') emit({ type: 'unlinked', ...link })
}
