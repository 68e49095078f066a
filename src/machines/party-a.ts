/**
 * Party A's state machine, one instance per link (DESIGN §2). Pure: `stepPartyA(state, event,
 * ctx)` returns the next state and the commands the driver must run; states are plain JSON.
 *
 * ```
 * awaiting-callback ─tokens-received→ awaiting-consent ─consent-granted→ delivering ─delivered→ reciprocal-granted
 *        │                    │  └─consent-refused→ one-way              └─delivery-failed→ delivery-failed ─retry→ delivering
 *        └─exchange-failed→ failed   └─(nothing to offer)→ one-way     delivering ─retry (after a crash)→ delivering
 * reciprocal-granted | one-way ─update-scope→ delivering (update flow, SPEC R5.1)
 * any linked state ─refresh-failed(dead)→ needs-reconsent
 * any ─unlink→ unlinked(remaining) ─local-grant-revoked→ ─peer-tokens-revoked→ unlinked   (party-a-unlink.ts)
 *                    └─local-revocation-failed | peer-revocation-failed→ unlinked(remaining, error) ─unlink | resume→ (the rest)
 * ```
 *
 * @module
 */
import { ErrorCode, ReciprocalError, type SerializedError } from '../errors.js'
import { resolveReciprocalScope } from '../protocol/reciprocal-scope.js'
import { formatScope, isScopeSubset, parseScope } from '../protocol/scope.js'
import { invalidState } from './invalid-state.js'
import { checkGrantable, nothingToConsentTo } from './party-a-consent.js'
import { continueUnlink, stepUnlink, type UnlinkRemaining } from './party-a-unlink.js'
import type { PendingAuthorization } from '../client/authorization.js'
import type { TokenSet } from '../client/token-set.js'
import type { StepContext, Transition } from './types.js'

export type { UnlinkRemaining } from './party-a-unlink.js'

/** What every state of party A's link carries. @group State machines */
export interface PartyALinkBase {
  readonly linkId: string
  /** The peer (party B) this link is with: its id in the driver's peer registry. Never changes. */
  readonly peerId: string
  /** The user at A. Also the subject of the grant A gives B (SPEC R7.9). */
  readonly userId: string
  readonly updatedAt: number
}

/** What every state of party A's link after the initial flow carries. @group State machines */
export interface PartyALinked extends PartyALinkBase {
  /** Tokens B issued to A in the initial flow. */
  readonly peerTokens: TokenSet
  /** The reciprocal scope B may get: requested ∩ configured offer (SPEC R1.3). */
  readonly offered: readonly string[]
  /**
   * The newest code A minted for B — or may have minted: a mint that failed midway, or a crash
   * during a delivery — that was not delivered, until a newer code is delivered. A's
   * authorization server compares the next code with it: a code that drops any of its scope
   * revokes every older grant when it is minted (SPEC R5.1).
   */
  readonly undelivered?: UndeliveredCode
}

/**
 * A code minted for B (or perhaps minted) and not delivered: its scope, and its link version
 * when the mint is known to have completed (SPEC R5.3).
 *
 * @group State machines
 */
export interface UndeliveredCode {
  readonly scope: readonly string[]
  readonly version?: number
}

/**
 * Every state of party A's link. `status` names it; each state carries what the next steps need.
 * `granted` is the grant B holds at A now — never one A's authorization server may already have
 * revoked: minting a code that narrows the grant revokes the old grant at once, so a delivery
 * that narrows stops claiming it before the code is minted (SPEC R5.1, R7.6). The state is saved
 * before the mint, so neither a failure nor a crash after it can leave a claim on a dead grant;
 * only a failure known to come before the mint gives the grant back.
 *
 * @group State machines
 */
export type PartyAState =
  | (PartyALinkBase & { readonly status: 'awaiting-callback'; readonly pending: PendingAuthorization })
  | (PartyALinkBase & { readonly status: 'failed'; readonly error: SerializedError })
  | (PartyALinked & { readonly status: 'awaiting-consent'; readonly requested: readonly string[] })
  | (PartyALinked & { readonly status: 'one-way'; readonly reason: OneWayReason })
  | (PartyALinked & {
      readonly status: 'delivering'
      readonly scope: readonly string[]
      readonly attempt: number
      readonly granted?: Grant
      /**
       * The grant this delivery narrows, no longer claimed: minting its code revokes it (SPEC
       * R5.1). It becomes `granted` again only if the delivery fails before the mint.
       */
      readonly cutOnMint?: Grant
    })
  | (PartyALinked & {
      readonly status: 'delivery-failed'
      readonly scope: readonly string[]
      readonly attempt: number
      readonly error: SerializedError
      readonly granted?: Grant
    })
  | (PartyALinked & { readonly status: 'reciprocal-granted'; readonly granted: Grant })
  | (PartyALinked & { readonly status: 'needs-reconsent'; readonly error: SerializedError; readonly granted?: Grant })
  | (PartyALinkBase & {
      readonly status: 'unlinked'
      /** What unlinking still has to do; absent once it is done (SPEC R5.2). */
      readonly remaining?: UnlinkRemaining
      /** Why the last revocation failed: A's own, of B's grant, or that of A's tokens at B. */
      readonly error?: SerializedError
    })

/**
 * Why a link is one-way — A can call B, B has no grant at A (SPEC R1.3, R2.1):
 * `consent-refused` — the user said no; `none-requested` — B sent no `reciprocal` and none is
 * configured for it (an authorization server not built for Reciprocal OAuth); `malformed` — B's
 * `reciprocal` is not a scope string; `nothing-to-offer` — nothing B asked for is within A's offer.
 * {@link reciprocal-oauth!PartyA.updateReciprocalScope} grants a scope later in every case.
 *
 * @group State machines
 */
export type OneWayReason = 'consent-refused' | 'none-requested' | 'malformed' | 'nothing-to-offer'

/** The grant B holds at A: its scope and version (SPEC R5.3). @group State machines */
export interface Grant {
  readonly scope: readonly string[]
  readonly version: number
}

/**
 * Events party A's machine takes: from the user (consent, update, unlink), and from the driver
 * (results of commands).
 *
 * @group State machines
 */
export type PartyAEvent =
  | { readonly type: 'tokens-received'; readonly tokens: TokenSet; readonly reciprocalFromToken?: string | undefined; readonly reciprocalFromCallback?: string | undefined }
  | { readonly type: 'exchange-failed'; readonly error: SerializedError }
  | { readonly type: 'consent-granted'; readonly scope: readonly string[] }
  | { readonly type: 'consent-refused' }
  | { readonly type: 'delivered'; readonly version: number }
  | {
      readonly type: 'delivery-failed'
      readonly error: SerializedError
      /**
       * Whether the code was minted before the failure: its link version (SPEC R5.3) if it was,
       * `false` if the failure came before the mint. Absent when that is not known (the mint
       * itself failed midway): the code is then taken as perhaps minted, which never claims
       * more than the authorization server honours.
       */
      readonly minted?: { readonly version: number } | false
    }
  | { readonly type: 'retry' }
  | { readonly type: 'update-scope'; readonly scope: readonly string[] }
  | { readonly type: 'tokens-refreshed'; readonly tokens: TokenSet }
  | { readonly type: 'refresh-failed'; readonly error: SerializedError }
  | { readonly type: 'unlink' }
  | { readonly type: 'local-grant-revoked' }
  /** A's own revocation of B's grant failed (its storage): recorded, and tried again first on the next attempt. */
  | { readonly type: 'local-revocation-failed'; readonly error: SerializedError }
  | { readonly type: 'peer-tokens-revoked' }
  | { readonly type: 'peer-revocation-failed'; readonly error: SerializedError }
  /** Finish what a crash or a failure interrupted: an unlink's remaining revocations, or a delivery left in `delivering`. */
  | { readonly type: 'resume' }

/**
 * What party A's driver must do after a step.
 *
 * @group State machines
 */
export type PartyACommand =
  /** Mint a reciprocal code for B (bound to the user and scope, superseding older grants) and POST it (SPEC R3). */
  | { readonly type: 'deliver-code'; readonly subject: string; readonly scope: string }
  /** Revoke the tokens B issued to A (RFC 7009, SPEC R5.2). */
  | { readonly type: 'revoke-peer-tokens'; readonly tokens: TokenSet }
  /** Revoke every grant A gave B for this user (SPEC R5.2). */
  | { readonly type: 'revoke-local-grant'; readonly subject: string }

/**
 * What party A's steps need: the time, and the reciprocal scope A is configured to offer B.
 *
 * @group State machines
 */
export interface PartyAContext extends StepContext {
  /** The widest scope A offers B (SPEC R1.3), space-delimited. */
  readonly offer: string
  /** The reciprocal scope agreed beforehand, used when B sends none (SPEC R1.3). */
  readonly configured?: string | undefined
}

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
  return { status: 'awaiting-callback', linkId, peerId, userId, pending, updatedAt: now }
}

/**
 * Party A's transition function. Throws {@link ReciprocalError} `ERR_INVALID_STATE` for an event
 * the state cannot take (the state is then unchanged), and `ERR_CONSENT_INVALID` for a consent
 * or update wider than what may be offered (SPEC R7.6).
 *
 * @example
 * ```ts
 * const { state, commands } = stepPartyA(current, { type: 'consent-granted', scope: ['assistant.announce'] }, ctx)
 * // state.status === 'delivering'; commands[0].type === 'deliver-code'
 * ```
 * @group State machines
 */
export function stepPartyA(state: PartyAState, event: PartyAEvent, ctx: PartyAContext): Transition<PartyAState, PartyACommand> {
  const at = { updatedAt: ctx.now }
  switch (event.type) {
    case 'tokens-received': {
      const s = expect(state, event, 'awaiting-callback')
      const next = { ...base(s), peerTokens: event.tokens, ...at }
      const resolved = resolveReciprocalScope({
        fromTokenResponse: event.reciprocalFromToken,
        fromAuthorizationResponse: event.reciprocalFromCallback,
        configured: ctx.configured,
        offer: ctx.offer,
      })
      if (!resolved.ok) return stay({ ...next, status: 'one-way', offered: [], reason: resolved.reason })
      return stay({ ...next, status: 'awaiting-consent', requested: resolved.requested, offered: resolved.offered })
    }
    case 'exchange-failed': {
      const s = expect(state, event, 'awaiting-callback')
      return stay({ ...base(s), status: 'failed', error: event.error, ...at })
    }
    case 'consent-granted': {
      if (state.status === 'one-way') throw nothingToConsentTo(state)
      const s = expect(state, event, 'awaiting-consent')
      const scope = checkGrantable(event.scope, s.offered)
      if (scope.length === 0) return stay({ ...linked(s), status: 'one-way', reason: 'consent-refused', ...at })
      return deliver({ ...linked(s), ...at }, scope, 1, undefined)
    }
    case 'consent-refused': {
      if (state.status === 'one-way') throw nothingToConsentTo(state)
      const s = expect(state, event, 'awaiting-consent')
      return stay({ ...linked(s), status: 'one-way', reason: 'consent-refused', ...at })
    }
    case 'delivered': {
      const s = expect(state, event, 'delivering')
      const { undelivered: _delivered, ...base } = linked(s)
      return stay({ ...base, status: 'reciprocal-granted', granted: { scope: s.scope, version: event.version }, ...at })
    }
    case 'delivery-failed': {
      const s = expect(state, event, 'delivering')
      const failed = { ...linked(s), status: 'delivery-failed', scope: s.scope, attempt: s.attempt, error: event.error, ...at } as const
      // No code was minted: the grant a narrowing would have cut is still live.
      if (event.minted === false) return stay({ ...failed, ...withGrant(s.granted ?? s.cutOnMint) })
      // The code exists, or may: it is the one the next code is compared with (links.ts).
      return stay({ ...failed, undelivered: perhapsMinted(s.scope, event.minted), ...withGrant(s.granted) })
    }
    case 'retry': {
      // From 'delivering' too: a process that crashed mid-delivery left it there, perhaps after
      // the mint. A new code supersedes any the crashed attempt may have sent, so delivering
      // again is safe.
      const s = expect(state, event, 'delivery-failed', 'delivering')
      const undelivered = s.status === 'delivering' ? { undelivered: perhapsMinted(s.scope, undefined) } : {}
      return deliver({ ...linked(s), ...undelivered, ...at }, s.scope, s.attempt + 1, s.granted)
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
      return deliver({ ...linked(s), offered: offer, ...at }, scope, 1, granted)
    }
    case 'tokens-refreshed': {
      const s = expectLinked(state, event)
      return stay({ ...s, peerTokens: event.tokens, ...at } as PartyAState)
    }
    case 'refresh-failed': {
      const s = expectLinked(state, event)
      if (event.error.code !== ErrorCode.NeedsReconsent) return stay(state)
      const granted = 'granted' in s ? s.granted : undefined
      // Caught mid-delivery (a crash left it in 'delivering'): its code may have been minted, and
      // is then the newest code, the one unlinking and the next update must reckon with (links.ts).
      const undelivered = s.status === 'delivering' ? { undelivered: perhapsMinted(s.scope, undefined) } : {}
      return stay({ ...linked(s), ...undelivered, status: 'needs-reconsent', error: event.error, ...withGrant(granted), ...at })
    }
    case 'unlink':
    case 'local-grant-revoked':
    case 'local-revocation-failed':
    case 'peer-tokens-revoked':
    case 'peer-revocation-failed':
      return stepUnlink(state, event, ctx.now)
    case 'resume': {
      if (state.status === 'unlinked') return continueUnlink(state)
      if (state.status === 'delivering') return stepPartyA(state, { type: 'retry' }, ctx)
      return stay(state)
    }
  }
}

type Status = PartyAState['status']
type LinkedState = Extract<PartyAState, { peerTokens: TokenSet }>

function stay(state: PartyAState): Transition<PartyAState, PartyACommand> {
  return { state, commands: [] }
}

function base(s: PartyALinkBase): PartyALinkBase {
  return { linkId: s.linkId, peerId: s.peerId, userId: s.userId, updatedAt: s.updatedAt }
}

/**
 * A delivery of a code for `scope`. A's authorization server compares the code with the newest
 * one minted before it: one that drops any of its scope revokes every older grant when it is
 * minted (links.ts). So a narrowing stops claiming the grant now, in the state saved before the
 * mint; a widening keeps it until B redeems the new code.
 */
function deliver(base: PartyALinked, scope: readonly string[], attempt: number, granted: Grant | undefined): Transition<PartyAState, PartyACommand> {
  const newest = base.undelivered ?? granted
  const narrows = granted !== undefined && newest !== undefined && !isScopeSubset(newest.scope, scope)
  const claim = narrows ? { cutOnMint: granted } : withGrant(granted)
  const state: PartyAState = { ...base, status: 'delivering', scope, attempt, ...claim }
  return { state, commands: [{ type: 'deliver-code', subject: base.userId, scope: formatScope(scope) }] }
}

/** A code of `scope` that was minted (`minted` gives its version) or may have been (`undefined`). */
function perhapsMinted(scope: readonly string[], minted: { readonly version: number } | undefined): UndeliveredCode {
  return minted === undefined ? { scope } : { scope, version: minted.version }
}

function linked(s: LinkedState): PartyALinked {
  const { peerTokens, offered, undelivered } = s
  return { ...base(s), peerTokens, offered, ...(undelivered === undefined ? {} : { undelivered }) }
}

function withGrant(granted: Grant | undefined): { granted?: Grant } {
  return granted === undefined ? {} : { granted }
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
