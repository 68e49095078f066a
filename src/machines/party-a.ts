/**
 * Party A's state machine, one instance per link (DESIGN §2). Pure: `stepPartyA(state, event,
 * ctx)` returns the next state; states are plain JSON. Every effect is a command in the state's
 * `outbox` (`outbox.ts`), stored with it before the driver runs it; each command's result event
 * takes it out.
 *
 * ```
 * awaiting-callback ─tokens-received→ awaiting-consent ─consent-granted→ delivering [refresh-peer-tokens?, mint-code]
 *        │                    │  └─consent-refused→ one-way
 *        └─exchange-failed→ failed   └─(nothing to offer)→ one-way
 * delivering ─tokens-refreshed→ delivering [mint-code] ─code-minted→ code-minted [post-code] ─code-posted→ reciprocal-granted
 *     │ └─refresh-failed→ delivery-failed (no code minted) | needs-reconsent (dead refresh token)
 *     └─mint-failed→ delivery-failed (perhaps minted)         └─post-failed→ delivery-failed (minted)
 * delivery-failed ─resume→ delivering (a fresh code)
 * delivering | code-minted ─resume (after a crash)→ delivering (a fresh code, SPEC R5.3)
 * reciprocal-granted | one-way | delivery-failed ─update-scope→ delivering (update flow, SPEC R5.1)
 * reciprocal-granted ─grant-lost (B redeemed its code again, or too late)→ delivering (a fresh code, SPEC R4.3)
 * any state claiming that grant ─grant-lost→ same, without the claim
 * any linked state ─refresh→ same [refresh-peer-tokens] ─tokens-refreshed→ same, new tokens
 *                                                        └─refresh-failed(dead)→ needs-reconsent
 * any ─unlink→ unlinked [revoke-local-grant?, revoke-peer-tokens?] ─(each result)→ … → unlinked []   (party-a-unlink.ts)
 *                 └─ a failed revocation stays in the outbox, with the error ─unlink | resume→ (tried again)
 * ```
 *
 * @module
 */
import { ErrorCode, ReciprocalError, type SerializedError } from '../core/errors.js'
import { resolveReciprocalScope } from '../protocol/reciprocal-scope.js'
import { parseScope } from '../protocol/scope.js'
import { invalidState } from './invalid-state.js'
import { withoutCommand } from './outbox.js'
import { checkGrantable, nothingToConsentTo } from './party-a-consent.js'
import { base, grantLost, deliver, failedDelivery, linked, withGrant } from './party-a-delivery.js'
import { stepUnlink } from './party-a-unlink.js'
import type { PartyAContext, PartyAEvent, PartyAState } from './party-a-state.js'
import { needsRefresh } from './refresh.js'
import type { PendingAuthorization } from '../core/pending-authorization.js'
import type { TokenSet } from '../core/token-set.js'

/**
 * The first state of a link: A sent the user to B and waits for the callback (SPEC R1.1).
 *
 * @example
 * ```ts
 * const state = startPartyA({ linkId, peerId: 'music', userId: 'alice', pending, now })
 * ```
 * @group State machines
 */
export function startPartyA(input: { linkId: string; peerId: string; userId: string; pending: PendingAuthorization; now: number }): PartyAState {
  const { linkId, peerId, userId, pending, now } = input
  return { status: 'awaiting-callback', linkId, peerId, userId, pending, updatedAt: now, outbox: [] }
}

/**
 * Party A's transition function: the next state, whose `outbox` says what the driver must run.
 * Throws {@link ReciprocalError} `ERR_INVALID_STATE` for an event the state cannot take (the
 * state is then unchanged), and `ERR_CONSENT_INVALID` for a consent or update wider than what
 * may be offered (SPEC R7.6).
 *
 * @example
 * ```ts
 * const next = stepPartyA(current, { type: 'consent-granted', scope: ['assistant.announce'] }, ctx)
 * // next.status === 'delivering'; next.outbox[0].type === 'mint-code'
 * ```
 * @group State machines
 */
export function stepPartyA(state: PartyAState, event: PartyAEvent, ctx: PartyAContext): PartyAState {
  const at = { updatedAt: ctx.now }
  switch (event.type) {
    case 'tokens-received': {
      const s = expect(state, event, 'awaiting-callback')
      const next = { ...base(s), peerTokens: event.tokens, ...at, outbox: [] }
      const resolved = resolveReciprocalScope({
        fromTokenResponse: event.reciprocalFromToken,
        fromAuthorizationResponse: event.reciprocalFromCallback,
        configured: ctx.configured,
        offer: ctx.offer,
      })
      if (!resolved.ok) return { ...next, status: 'one-way', offered: [], reason: resolved.reason }
      return { ...next, status: 'awaiting-consent', requested: resolved.requested, offered: resolved.offered }
    }
    case 'exchange-failed': {
      const s = expect(state, event, 'awaiting-callback')
      return { ...base(s), status: 'failed', error: event.error, ...at, outbox: [] }
    }
    case 'consent-granted': {
      if (state.status === 'one-way') throw nothingToConsentTo(state)
      const s = expect(state, event, 'awaiting-consent')
      const scope = checkGrantable(event.scope, s.offered)
      if (scope.length === 0) return { ...linked(s), status: 'one-way', reason: 'consent-refused', ...at }
      return deliver({ ...linked(s), ...at }, scope, 1, undefined, ctx.now)
    }
    case 'consent-refused': {
      if (state.status === 'one-way') throw nothingToConsentTo(state)
      const s = expect(state, event, 'awaiting-consent')
      return { ...linked(s), status: 'one-way', reason: 'consent-refused', ...at }
    }
    case 'code-minted': {
      // The code exists now: it is the newest, the one the next code is compared with (links.ts);
      // a narrowing's old grant is gone with it (`cutOnMint` is dropped).
      const s = expect(state, event, 'delivering')
      // The code itself stays out of the state (SPEC R3.1): the driver hands it to the POST in memory.
      const outbox = [...withoutCommand(s.outbox, 'mint-code'), { type: 'post-code', version: event.version } as const]
      const undelivered = { scope: s.scope, version: event.version }
      return { ...linked(s), undelivered, status: 'code-minted', scope: s.scope, attempt: s.attempt, ...withGrant(s.granted), ...at, outbox }
    }
    case 'mint-failed': {
      // The mint may have claimed its version before it failed: the code is taken as perhaps minted.
      const s = expect(state, event, 'delivering')
      return { ...failedDelivery(s, event.error, ctx.now), undelivered: { scope: s.scope }, ...withGrant(s.granted) }
    }
    case 'code-posted': {
      const s = expect(state, event, 'code-minted')
      const { undelivered: _delivered, ...rest } = linked(s)
      const granted = { scope: s.scope, version: s.undelivered.version }
      return { ...rest, status: 'reciprocal-granted', granted, ...at, outbox: withoutCommand(s.outbox, 'post-code') }
    }
    case 'post-failed': {
      const s = expect(state, event, 'code-minted')
      return { ...failedDelivery(s, event.error, ctx.now), ...withGrant(s.granted) }
    }
    case 'update-scope': {
      const s = expect(state, event, 'reciprocal-granted', 'one-way', 'delivery-failed')
      // An update may add scopes B did not ask for at first, but never beyond A's offer (SPEC R1.3, R5.1).
      const offer = parseScope(ctx.offer) ?? []
      const scope = checkGrantable(event.scope, offer)
      const granted = s.status === 'one-way' ? undefined : s.granted
      if (scope.length === 0) {
        throw new ReciprocalError('An update must grant at least one scope; unlink to remove them all', {
          code: ErrorCode.ConsentInvalid,
          step: 'consent',
          hint: 'Call unlink() to remove every scope (SPEC R5.2).',
        })
      }
      return deliver({ ...linked(s), offered: offer, ...at }, scope, 1, granted, ctx.now)
    }
    case 'refresh': {
      const s = expectLinked(state, event)
      if (!needsRefresh(s.peerTokens, ctx.now) || s.outbox.some((c) => c.type === 'refresh-peer-tokens')) return state
      return { ...s, ...at, outbox: [...s.outbox, { type: 'refresh-peer-tokens' }] }
    }
    case 'tokens-refreshed': {
      const s = expectLinked(state, event)
      return { ...s, peerTokens: event.tokens, ...at, outbox: withoutCommand(s.outbox, 'refresh-peer-tokens') }
    }
    case 'refresh-failed':
      return refreshFailed(expectLinked(state, event), event.error, ctx.now)
    case 'unlink':
    case 'local-grant-revoked':
    case 'local-revocation-failed':
    case 'peer-tokens-revoked':
    case 'peer-revocation-failed':
      return stepUnlink(state, event, ctx.now)
    case 'resume':
      return resume(state, ctx.now)
    case 'grant-lost':
      return grantLost(state, event.version, ctx.now)
  }
}

type Status = PartyAState['status']
type LinkedState = Extract<PartyAState, { peerTokens: TokenSet }>

/**
 * Finishes what is left. An unlink's revocations and a pending refresh are simply run again (the
 * state as it is: the driver runs its outbox). A delivery starts again with a fresh code:
 *
 * - from `delivering` whose mint was under way, the code may exist: it is recorded as perhaps
 *   minted, the newest code the next one is compared with;
 * - from `code-minted`, the POST may have reached B, which may have redeemed the code. POSTing
 *   it again would make B redeem it twice, a replay that revokes the grant it gave (SPEC R4.2),
 *   so A mints a new code instead; it supersedes the old one, which can then no longer be
 *   redeemed (SPEC R5.3). The minted code is never sent twice.
 * - from `delivery-failed`, the user or the application asks for another try.
 */
function resume(state: PartyAState, now: number): PartyAState {
  const at = { updatedAt: now }
  switch (state.status) {
    case 'delivering': {
      const mintUnderWay = state.outbox[0]?.type === 'mint-code'
      if (!mintUnderWay) return deliver({ ...linked(state), ...at }, state.scope, state.attempt + 1, state.granted ?? state.cutOnMint, now)
      return deliver({ ...linked(state), undelivered: { scope: state.scope }, ...at }, state.scope, state.attempt + 1, state.granted, now)
    }
    case 'code-minted':
    case 'delivery-failed':
      return deliver({ ...linked(state), ...at }, state.scope, state.attempt + 1, state.granted, now)
    default:
      return state
  }
}

/**
 * A refresh that failed. During a delivery's own refresh, before its mint, no code was minted: the
 * grant a narrowing would have cut is still live. A dead refresh token ends the link in
 * `needs-reconsent` (SPEC R8.2); any other failure leaves the state as it was, without the refresh.
 */
function refreshFailed(s: LinkedState, error: SerializedError, now: number): PartyAState {
  const beforeMint = s.status === 'delivering' && s.outbox[0]?.type === 'refresh-peer-tokens'
  if (error.code !== ErrorCode.NeedsReconsent) {
    if (s.status === 'delivering' && beforeMint) return { ...failedDelivery(s, error, now), ...withGrant(s.granted ?? s.cutOnMint) }
    const outbox = withoutCommand(s.outbox, 'refresh-peer-tokens')
    return outbox.length === s.outbox.length ? s : ({ ...s, outbox, updatedAt: now } as PartyAState)
  }
  const granted = s.status === 'delivering' && beforeMint ? (s.granted ?? s.cutOnMint) : 'granted' in s ? s.granted : undefined
  // Caught with its mint under way (a crash left it there): the code may exist, and is then the
  // newest code, the one unlinking and the next update must reckon with (links.ts).
  const undelivered = s.status === 'delivering' && !beforeMint ? { undelivered: { scope: s.scope } } : {}
  return { ...linked(s), ...undelivered, status: 'needs-reconsent', error, ...withGrant(granted), updatedAt: now }
}

function expect<S extends Status>(state: PartyAState, event: PartyAEvent, ...statuses: S[]): Extract<PartyAState, { status: S }> {
  if ((statuses as Status[]).includes(state.status)) return state as Extract<PartyAState, { status: S }>
  throw cannotHappen(state, event)
}

function expectLinked(state: PartyAState, event: PartyAEvent): LinkedState {
  if ('peerTokens' in state) return state
  throw cannotHappen(state, event)
}

/** An event the state cannot take; an unlinked link says what to do instead (SPEC R8.1). */
function cannotHappen(state: PartyAState, event: PartyAEvent): ReciprocalError {
  if (state.status !== 'unlinked') return invalidState(state.status, event.type)
  return new ReciprocalError(`Event ${event.type} cannot happen: the link was unlinked`, {
    code: ErrorCode.InvalidState,
    step: 'configuration',
    hint: 'An unlinked link stays unlinked; start a new link with startLink() to link again.',
  })
}
