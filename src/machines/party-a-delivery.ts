/**
 * Party A's deliveries of a reciprocal code (SPEC R3, R5.1): starting one, a failed one, and
 * what a delivered code refused for good does to the link (SPEC R4.2, R4.3). Part of party A's
 * machine (`party-a.ts`), pure like it.
 *
 * @module
 */
import type { SerializedError } from '../core/errors.js'
import type { TokenSet } from '../core/token-set.js'
import { formatScope, isScopeSubset } from '../protocol/scope.js'
import type { Grant, PartyACommand, PartyALinkBase, PartyALinked, PartyAState } from './party-a-state.js'
import { needsRefresh } from './refresh.js'

type LinkedState = Extract<PartyAState, { peerTokens: TokenSet }>
type Delivering = Extract<PartyAState, { status: 'delivering' }>

/**
 * A's authorization server refused the code of link version `version` for good. Either it was
 * redeemed before, and the server revokes the grant the first redemption created (RFC 6749
 * §4.1.2, SPEC R4.2) — usually B lost the answer, its process dying before it stored the
 * tokens, and tried again (SPEC R4.3), or a copy of the code was presented — or B presented it
 * after it expired, so the grant never existed. Either way no token of that grant works, so the
 * state stops claiming it at once (it is saved before a revocation). A link resting in
 * `reciprocal-granted` offers B the same scope again with a fresh code — the delivery in its
 * outbox, run by the next resume — so the link heals without the user; any other state drops
 * the claim and goes on with what it was doing. A replay of an older code, whose grant the
 * state no longer claims, changes nothing.
 *
 * @internal
 */
export function grantLost(state: PartyAState, version: number, now: number): PartyAState {
  if (state.status === 'reciprocal-granted' && state.granted.version === version) {
    return deliver({ ...linked(state), updatedAt: now }, state.granted.scope, 1, undefined, now)
  }
  if (state.status === 'delivering' && state.cutOnMint?.version === version) {
    const { cutOnMint: _revoked, ...rest } = state
    return { ...rest, updatedAt: now }
  }
  if (!('granted' in state) || state.granted?.version !== version || state.status === 'reciprocal-granted') return state
  const { granted: _revoked, ...rest } = state
  return { ...rest, updatedAt: now } as PartyAState
}

export function base(s: PartyALinkBase): Omit<PartyALinkBase, 'outbox'> {
  return { linkId: s.linkId, peerId: s.peerId, userId: s.userId, updatedAt: s.updatedAt }
}

/**
 * A delivery of a fresh code for `scope`. A's authorization server compares the code with the
 * newest one minted before it: one that drops any of its scope revokes every older grant when it
 * is minted (links.ts). So a narrowing stops claiming the grant now, in the state saved before
 * the mint; a widening keeps it until B redeems the new code. The tokens at B are refreshed
 * first when they are about to expire: the POST carries the access token.
 */
export function deliver(base: PartyALinked, scope: readonly string[], attempt: number, granted: Grant | undefined, now: number): PartyAState {
  const newest = base.undelivered ?? granted
  const narrows = granted !== undefined && newest !== undefined && !isScopeSubset(newest.scope, scope)
  const claim = narrows ? { cutOnMint: granted } : withGrant(granted)
  const refresh: PartyACommand[] = needsRefresh(base.peerTokens, now) ? [{ type: 'refresh-peer-tokens' }] : []
  const outbox: PartyACommand[] = [...refresh, { type: 'mint-code', subject: base.userId, scope: formatScope(scope) }]
  return { ...base, status: 'delivering', scope, attempt, ...claim, outbox }
}

/** A failed delivery, resting: nothing left in its outbox until a resume or an update. @internal */
export function failedDelivery(s: Delivering | Extract<PartyAState, { status: 'code-minted' }>, error: SerializedError, now: number): Extract<PartyAState, { status: 'delivery-failed' }> {
  return { ...linked(s), status: 'delivery-failed', scope: s.scope, attempt: s.attempt, error, updatedAt: now }
}

/** The linked fields of `s`, with an empty outbox. */
export function linked(s: LinkedState): PartyALinked {
  const { peerTokens, offered, undelivered } = s
  return { ...base(s), peerTokens, offered, outbox: [], ...(undelivered === undefined ? {} : { undelivered }) }
}

export function withGrant(granted: Grant | undefined): { granted?: Grant } {
  return granted === undefined ? {} : { granted }
}
