/**
 * Party B's state machine for the reciprocal leg, one instance per (peer client, user at B)
 * (DESIGN §2). Pure and JSON-serialisable, like party A's.
 *
 * ```
 * (none) ─code-received→ redeeming ─redeemed→ linked ─code-received (update flow)→ redeeming
 *                           └─redeem-failed→ redeem-failed ─retry→ redeeming
 * redeeming ─code-received→ redeeming (the newer code replaces the pending one); ─retry (after a crash)→ redeeming
 * any state holding tokens ─tokens-refreshed→ same state, new tokens; ─refresh-failed(dead)→ needs-reconsent
 * any ─unlink→ unlinked
 * ```
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
  | (PartyBLinkBase & { readonly status: 'unlinked' })

/** Events party B's machine takes. @group State machines */
export type PartyBEvent =
  | { readonly type: 'code-received'; readonly pending: PendingCode }
  | { readonly type: 'redeemed'; readonly tokens: TokenSet }
  | { readonly type: 'redeem-failed'; readonly error: SerializedError }
  | { readonly type: 'retry' }
  | { readonly type: 'tokens-refreshed'; readonly tokens: TokenSet }
  | { readonly type: 'refresh-failed'; readonly error: SerializedError }
  | { readonly type: 'unlink' }

/** What party B's driver must do after a step. @group State machines */
export type PartyBCommand =
  /** Exchange the code at A's registered token endpoint (SPEC R4.1, R7.8). */
  | { readonly type: 'redeem-code'; readonly code: string }
  /** Revoke the tokens A issued to B (RFC 7009, SPEC R5.2). */
  | { readonly type: 'revoke-peer-tokens'; readonly tokens: TokenSet }

/**
 * Party B's transition function. `state` is `undefined` before the first code of a link.
 * Throws `ERR_INVALID_STATE` for an event the state cannot take.
 *
 * @example
 * ```ts
 * const t = stepPartyB(undefined, { type: 'code-received', pending: { code, receivedAt: now } }, { now }, link)
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
      if (state === undefined || state.status === 'unlinked') return { state: { ...base, status: 'unlinked' }, commands: [] }
      const commands: PartyBCommand[] = held === undefined ? [] : [{ type: 'revoke-peer-tokens', tokens: held }]
      return { state: { ...base, status: 'unlinked' }, commands }
    }
  }
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
