/**
 * Party B's state machine for the reciprocal leg, one instance per (peer client, user at B)
 * (DESIGN §2). Pure and JSON-serialisable, like party A's.
 *
 * ```
 * (none) ─code-received→ redeeming ─redeemed→ linked ─code-received (update flow)→ redeeming
 *                           └─redeem-failed→ redeem-failed ─retry→ redeeming
 * redeeming ─code-received→ redeeming (the newer code replaces the pending one); ─retry (after a crash)→ redeeming
 * any state holding tokens ─tokens-refreshed→ same state, new tokens; ─refresh-failed(dead)→ needs-reconsent
 * any ─unlink→ unlinked + revoking ─revoked (each target)→ unlinked (done)
 *                           └─revoke-failed→ unlinked + revoking (with the error) ─retry / unlink→ unlinked + revoking
 * ```
 *
 * Unlinking (SPEC R5.2) revokes on both sides, local side first: what B's own authorization
 * server granted A needs no network and so cannot be held up by A. What is still to be done is
 * part of the `unlinked` state until it is confirmed — the tokens to revoke at A, the last
 * error — so a failed or interrupted revocation is never forgotten: a retry, another unlink, or
 * the driver's resume after a restart picks it up.
 *
 * A redemption refused for good while B already holds tokens (an update whose code is stale,
 * say) keeps those tokens: B never loses a working link to a late or bad code (SPEC R5.3). One
 * that may pass later keeps both the tokens and the code, for a retry.
 *
 * @module
 */
import { ErrorCode, type SerializedError } from '../errors.js'
import { invalidState } from './invalid-state.js'
import type { TokenSet } from '../client/token-set.js'
import type { StepContext, Transition } from './types.js'

/** What every state of party B's link carries. @group State machines */
export interface PartyBLinkBase {
  /** Party A's client id at B. */
  readonly peerClientId: string
  /** The user at B (the verified access token's subject, SPEC R7.9). */
  readonly userId: string
  readonly updatedAt: number
}

/**
 * A received code awaiting redemption. It is persisted until redeemed so that a crash between
 * B's 200 and the exchange loses nothing (SPEC R4.3).
 *
 * @group State machines
 */
export interface PendingCode {
  readonly code: string
  readonly receivedAt: number
}

/**
 * Every state of party B's reciprocal link.
 *
 * @group State machines
 */
export type PartyBState =
  | (PartyBLinkBase & { readonly status: 'redeeming'; readonly pending: PendingCode; readonly attempt: number; readonly tokens?: TokenSet })
  | (PartyBLinkBase & {
      readonly status: 'redeem-failed'
      readonly pending?: PendingCode
      readonly attempt: number
      readonly error: SerializedError
      /** Tokens of the previous grant, when this was an update (they may still work). */
      readonly tokens?: TokenSet
    })
  | (PartyBLinkBase & { readonly status: 'linked'; readonly tokens: TokenSet; readonly lastError?: SerializedError })
  | (PartyBLinkBase & { readonly status: 'needs-reconsent'; readonly error: SerializedError })
  | (PartyBLinkBase & {
      readonly status: 'unlinked'
      /** What the unlink has still to revoke; absent once everything is confirmed. */
      readonly revoking?: UnfinishedRevocation
    })

/**
 * What an unlink still has to revoke (SPEC R5.2), kept in the `unlinked` state until done.
 *
 * @example
 * ```ts
 * if (state.status === 'unlinked' && state.revoking?.error) console.warn(state.revoking.error.hint)
 * // { localGrant: false, peerTokens: { accessToken: '…' }, attempt: 1, error: { code: 'ERR_PEER_UNAVAILABLE', … } }
 * ```
 * @group State machines
 */
export interface UnfinishedRevocation {
  /** B's own grant to A (its authorization server's `revokeLink`) is not confirmed revoked yet. */
  readonly localGrant: boolean
  /** The tokens A issued to B, not yet confirmed revoked at A (RFC 7009). */
  readonly peerTokens?: TokenSet
  /** Attempts so far: the unlink itself is the first, each retry adds one. */
  readonly attempt: number
  /** Why the last attempt did not finish, when it failed. */
  readonly error?: SerializedError
}

/**
 * The two revocations of an unlink: B's own grant to A, and A's tokens to B at A.
 *
 * @example
 * ```ts
 * const event: PartyBEvent = { type: 'revoked', target: 'peer-tokens' satisfies RevocationTarget }
 * ```
 * @group State machines
 */
export type RevocationTarget = 'local-grant' | 'peer-tokens'

/** Events party B's machine takes. @group State machines */
export type PartyBEvent =
  | { readonly type: 'code-received'; readonly pending: PendingCode }
  | { readonly type: 'redeemed'; readonly tokens: TokenSet }
  | { readonly type: 'redeem-failed'; readonly error: SerializedError }
  | { readonly type: 'retry' }
  | { readonly type: 'tokens-refreshed'; readonly tokens: TokenSet }
  | { readonly type: 'refresh-failed'; readonly error: SerializedError }
  | { readonly type: 'unlink' }
  | { readonly type: 'revoked'; readonly target: RevocationTarget }
  | { readonly type: 'revoke-failed'; readonly target: RevocationTarget; readonly error: SerializedError }

/** What party B's driver must do after a step. @group State machines */
export type PartyBCommand =
  /** Exchange the code at A's registered token endpoint (SPEC R4.1, R7.8). */
  | { readonly type: 'redeem-code'; readonly code: string }
  /** Revoke what B's own authorization server granted A for this user (SPEC R5.2); no network. */
  | { readonly type: 'revoke-local-grant' }
  /** Revoke the tokens A issued to B at A's revocation endpoint (RFC 7009, SPEC R5.2). */
  | { readonly type: 'revoke-peer-tokens'; readonly tokens: TokenSet }

/**
 * Party B's transition function. `state` is `undefined` before the first code of a link.
 * Throws `ERR_INVALID_STATE` for an event the state cannot take.
 *
 * @example
 * ```ts
 * const t = stepPartyB(undefined, { type: 'code-received', pending: { code, receivedAt: now } }, { now }, { peerClientId: 'assistant', userId: 'alice' })
 * // t.state.status === 'redeeming'; t.commands[0].type === 'redeem-code'
 * ```
 * @group State machines
 */
export function stepPartyB(
  state: PartyBState | undefined,
  event: PartyBEvent,
  ctx: StepContext,
  link: { readonly peerClientId: string; readonly userId: string },
): Transition<PartyBState, PartyBCommand> {
  const base = { peerClientId: link.peerClientId, userId: link.userId, updatedAt: ctx.now }
  const held = state !== undefined && 'tokens' in state ? state.tokens : undefined
  switch (event.type) {
    case 'code-received':
      // A link is not set up again over an unlink whose revocations are not done (the driver
      // finishes them first): the new link would not know what it still owes.
      if (state?.status === 'unlinked' && state.revoking !== undefined) throw invalidState('unlinked (revoking)', event.type)
      // In 'redeeming' too: the newer code wins; a result for the older one is then ignored.
      return redeem(base, event.pending, 1, held)
    case 'redeemed': {
      expect(state, event, 'redeeming')
      return { state: { ...base, status: 'linked', tokens: event.tokens }, commands: [] }
    }
    case 'redeem-failed': {
      const s = expect(state, event, 'redeeming')
      const retryable = event.error.retryable
      if (s.tokens !== undefined && !retryable) {
        // Keep the working tokens; a stale or refused update code changes nothing (SPEC R5.3).
        return { state: { ...base, status: 'linked', tokens: s.tokens, lastError: event.error }, commands: [] }
      }
      const kept = { ...(retryable ? { pending: s.pending } : {}), ...(s.tokens === undefined ? {} : { tokens: s.tokens }) }
      return { state: { ...base, status: 'redeem-failed', attempt: s.attempt, error: event.error, ...kept }, commands: [] }
    }
    case 'retry': {
      if (state?.status === 'unlinked' && state.revoking !== undefined) return revoke(base, state.revoking)
      // From 'redeeming' too: a worker that died mid-redemption left it there.
      if (state?.status === 'redeeming') return redeem(base, state.pending, state.attempt + 1, state.tokens)
      const s = expect(state, event, 'redeem-failed')
      if (s.pending === undefined) throw invalidState(`${s.status} (not retryable)`, event.type)
      return redeem(base, s.pending, s.attempt + 1, s.tokens)
    }
    case 'tokens-refreshed': {
      // Wherever tokens are held — also mid-update: a rotated refresh token must never be lost.
      if (state === undefined || !('tokens' in state) || state.tokens === undefined) throw invalidState(state?.status ?? 'none', event.type)
      return { state: { ...state, tokens: event.tokens, updatedAt: ctx.now }, commands: [] }
    }
    case 'refresh-failed': {
      if (state === undefined || !('tokens' in state) || state.tokens === undefined) throw invalidState(state?.status ?? 'none', event.type)
      if (event.error.code !== ErrorCode.NeedsReconsent) return { state, commands: [] }
      if ('pending' in state && state.pending !== undefined) {
        // The old grant is dead, but a code for a new one is waiting: drop the old tokens only.
        const { tokens: _dead, ...rest } = state
        return { state: { ...rest, updatedAt: ctx.now }, commands: [] }
      }
      return { state: { ...base, status: 'needs-reconsent', error: event.error }, commands: [] }
    }
    case 'unlink': {
      // Whatever the state, B's own grant is revoked again: A may hold a grant at B from an
      // initial flow this link never saw. Tokens A issued are revoked wherever they are held.
      const prior = state?.status === 'unlinked' ? state.revoking : undefined
      const peerTokens = prior?.peerTokens ?? held
      return revoke(base, { ...prior, localGrant: true, attempt: prior?.attempt ?? 0, ...(peerTokens === undefined ? {} : { peerTokens }) })
    }
    case 'revoked': {
      const revoking = expectRevoking(state, event)
      const rest: UnfinishedRevocation =
        event.target === 'local-grant' ? { ...revoking, localGrant: false } : withoutPeerTokens(revoking)
      const done = !rest.localGrant && rest.peerTokens === undefined
      return { state: { ...base, status: 'unlinked', ...(done ? {} : { revoking: rest }) }, commands: [] }
    }
    case 'revoke-failed': {
      const revoking = expectRevoking(state, event)
      return { state: { ...base, status: 'unlinked', revoking: { ...revoking, error: event.error } }, commands: [] }
    }
  }
}

/** One more attempt at what an unlink has still to revoke: the local grant first (no network). */
function revoke(base: PartyBLinkBase, remaining: UnfinishedRevocation): Transition<PartyBState, PartyBCommand> {
  const commands: PartyBCommand[] = [
    ...(remaining.localGrant ? [{ type: 'revoke-local-grant' } as const] : []),
    ...(remaining.peerTokens === undefined ? [] : [{ type: 'revoke-peer-tokens', tokens: remaining.peerTokens } as const]),
  ]
  return { state: { ...base, status: 'unlinked', revoking: { ...remaining, attempt: remaining.attempt + 1 } }, commands }
}

function withoutPeerTokens(revoking: UnfinishedRevocation): UnfinishedRevocation {
  const { peerTokens: _revoked, ...rest } = revoking
  return rest
}

function expectRevoking(state: PartyBState | undefined, event: PartyBEvent): UnfinishedRevocation {
  if (state?.status === 'unlinked' && state.revoking !== undefined) return state.revoking
  throw invalidState(state?.status ?? 'none', event.type)
}

function redeem(
  base: PartyBLinkBase,
  pending: PendingCode,
  attempt: number,
  tokens: TokenSet | undefined,
): Transition<PartyBState, PartyBCommand> {
  const state: PartyBState = { ...base, status: 'redeeming', pending, attempt, ...(tokens === undefined ? {} : { tokens }) }
  return { state, commands: [{ type: 'redeem-code', code: pending.code }] }
}

type Status = PartyBState['status']

function expect<S extends Status>(state: PartyBState | undefined, event: PartyBEvent, status: S): Extract<PartyBState, { status: S }> {
  if (state?.status === status) return state as Extract<PartyBState, { status: S }>
  throw invalidState(state?.status ?? 'none', event.type)
}
