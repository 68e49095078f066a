/**
 * Party B's state machine for the reciprocal leg, one instance per (peer client, user at B)
 * (DESIGN §2). Pure and JSON-serialisable, like party A's; every effect is a command in the
 * state's `outbox` (`outbox.ts`), stored with it before the driver runs it.
 *
 * ```
 * (none) ─code-received→ redeeming [redeem-code] ─redeemed→ linked ─code-received (update flow)→ redeeming
 *                           └─redeem-failed→ redeem-failed ─resume (the code may pass later)→ redeeming
 * redeeming ─code-received→ redeeming (the newer code replaces the pending one); ─resume (after a crash)→ redeeming
 * any state holding tokens ─refresh→ same [refresh-peer-tokens] ─tokens-refreshed→ same, new tokens
 *                                                               └─refresh-failed(dead)→ needs-reconsent
 * any ─unlink→ unlinked [revoke-local-grant, revoke-peer-tokens?] ─revoked (each)→ … → unlinked []
 *                 └─revoke-failed→ the revocation stays in the outbox, with the error ─resume | unlink→ (tried again)
 * ```
 *
 * Unlinking (SPEC R5.2) revokes on both sides, local side first: what B's own authorization
 * server granted A needs no network and so cannot be held up by A. The revocations not yet
 * confirmed are the `unlinked` state's outbox, with the last `error` — the same shape as party
 * A's — so a failed or interrupted revocation is never forgotten: a resume, another unlink, or
 * any later operation on the link picks it up.
 *
 * A redemption refused for good while B already holds tokens (an update whose code is stale,
 * say) keeps those tokens: B never loses a working link to a late or bad code (SPEC R5.3). One
 * that may pass later keeps both the tokens and the code, for a resume.
 *
 * @module
 */
import { ErrorCode, type SerializedError } from '../core/errors.js'
import { invalidState } from './invalid-state.js'
import type { TokenSet } from '../core/token-set.js'
import { unlinkedFields, withoutCommand, type Unlinked } from './outbox.js'
import { needsRefresh } from './refresh.js'
import type { StepContext } from './types.js'

/**
 * What every state of party B's link carries.
 *
 * @example
 * ```ts
 * const describe = (link: PartyBLinkBase): string => `${link.userId} with ${link.peerClientId}`
 * ```
 * @see SPEC R7.9 (B's link belongs to the verified token's user)
 * @group State machines
 */
export interface PartyBLinkBase {
  /** Party A's client id at B. */
  readonly peerClientId: string
  /** The user at B (the verified access token's subject, SPEC R7.9). */
  readonly userId: string
  readonly updatedAt: number
  /** The effects still to run, in order; the driver runs them and feeds back their results (`outbox.ts`). */
  readonly outbox: readonly PartyBCommand[]
}

/**
 * A received code awaiting redemption. It is persisted until redeemed so that a crash between
 * B's 200 and the exchange loses nothing (SPEC R4.3).
 *
 * @example
 * ```ts
 * const received: PendingCode = { code, receivedAt: now }
 * const next = stepPartyB(undefined, { type: 'code-received', pending: received }, { now }, { peerClientId: 'assistant', userId: 'alice' })
 * ```
 * @group State machines
 */
export interface PendingCode {
  readonly code: string
  readonly receivedAt: number
}

/**
 * Every state of party B's reciprocal link.
 *
 * @example
 * ```ts
 * const linkAtB: PartyBState | undefined = await partyB.getLink('assistant', 'alice')
 * if (linkAtB?.status === 'redeeming') console.info('redemption attempt', linkAtB.attempt)
 * ```
 * @see SPEC R4.3, R5.2
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
  /** Unlinked (SPEC R5.2): the outbox holds the revocations not confirmed yet, `error` why the last one failed. */
  | (PartyBLinkBase & Unlinked<PartyBCommand>)

/**
 * The two revocations of an unlink: B's own grant to A, and A's tokens to B at A.
 *
 * @example
 * ```ts
 * const event: PartyBEvent = { type: 'revoked', target: 'peer-tokens' satisfies RevocationTarget }
 * ```
 * @see SPEC R5.2
 * @group State machines
 */
export type RevocationTarget = 'local-grant' | 'peer-tokens'

/**
 * Events party B's machine takes: from the driver and the receiver, and the results of the commands.
 *
 * @example
 * ```ts
 * const event: PartyBEvent = { type: 'unlink' }
 * const next = stepPartyB(state, event, { now }, { peerClientId: 'assistant', userId: 'alice' })
 * ```
 * @see SPEC R4.3, R5.2, R8.2
 * @group State machines
 */
export type PartyBEvent =
  | { readonly type: 'code-received'; readonly pending: PendingCode }
  | { readonly type: 'unlink' }
  /** A live access token is wanted: refresh the tokens at A if they are about to expire (SPEC R8.2). */
  | { readonly type: 'refresh' }
  /** Finish what a crash or a failure interrupted: the outbox, or a failed redemption whose code may still pass. */
  | { readonly type: 'resume' }
  | { readonly type: 'redeemed'; readonly tokens: TokenSet }
  | { readonly type: 'redeem-failed'; readonly error: SerializedError }
  | { readonly type: 'tokens-refreshed'; readonly tokens: TokenSet }
  | { readonly type: 'refresh-failed'; readonly error: SerializedError }
  | { readonly type: 'revoked'; readonly target: RevocationTarget }
  | { readonly type: 'revoke-failed'; readonly target: RevocationTarget; readonly error: SerializedError }

/**
 * The effects party B's machine asks for, kept in the state's outbox until their result is in.
 *
 * @example
 * ```ts
 * const commands: readonly PartyBCommand[] = state.outbox
 * const redeeming = commands.some((command) => command.type === 'redeem-code')
 * ```
 * @see SPEC R4.1, R5.2, R8.2
 * @group State machines
 */
export type PartyBCommand =
  /** Exchange the code at A's registered token endpoint (SPEC R4.1, R7.8). */
  | { readonly type: 'redeem-code'; readonly code: string }
  /** Refresh the link's tokens at A (its `tokens`) before they expire (SPEC R8.2). */
  | { readonly type: 'refresh-peer-tokens' }
  /** Revoke what B's own authorization server granted A for this user (SPEC R5.2); no network. */
  | { readonly type: 'revoke-local-grant' }
  /** Revoke the tokens A issued to B at A's revocation endpoint (RFC 7009, SPEC R5.2). */
  | { readonly type: 'revoke-peer-tokens'; readonly tokens: TokenSet }

/**
 * Party B's transition function: the next state, whose `outbox` says what the driver must run.
 * `state` is `undefined` before the first code of a link. Throws `ERR_INVALID_STATE` for an event
 * the state cannot take.
 *
 * @example
 * ```ts
 * const next = stepPartyB(undefined, { type: 'code-received', pending: { code, receivedAt: now } }, { now }, { peerClientId: 'assistant', userId: 'alice' })
 * // next.status === 'redeeming'; next.outbox[0].type === 'redeem-code'
 * ```
 * @see SPEC R4.1, R4.3, R5.2
 * @group State machines
 */
export function stepPartyB(
  state: PartyBState | undefined,
  event: PartyBEvent,
  ctx: StepContext,
  link: { readonly peerClientId: string; readonly userId: string },
): PartyBState {
  const base = { peerClientId: link.peerClientId, userId: link.userId, updatedAt: ctx.now }
  const held = state !== undefined && 'tokens' in state ? state.tokens : undefined
  switch (event.type) {
    case 'code-received':
      // A link is not set up again over an unlink whose revocations are not done (the driver
      // finishes them first): the new link would not know what it still owes.
      if (state?.status === 'unlinked' && state.outbox.length > 0) throw invalidState('unlinked (revoking)', event.type)
      // In 'redeeming' too: the newer code wins, and replaces the pending redemption.
      return redeem(base, event.pending, 1, held)
    case 'redeemed': {
      const s = expect(state, event, 'redeeming')
      return { ...base, status: 'linked', tokens: event.tokens, outbox: withoutCommand(s.outbox, 'redeem-code') }
    }
    case 'redeem-failed': {
      const s = expect(state, event, 'redeeming')
      const retryable = event.error.retryable
      if (s.tokens !== undefined && !retryable) {
        // Keep the working tokens; a stale or refused update code changes nothing (SPEC R5.3).
        return { ...base, status: 'linked', tokens: s.tokens, lastError: event.error, outbox: [] }
      }
      const kept = { ...(retryable ? { pending: s.pending } : {}), ...(s.tokens === undefined ? {} : { tokens: s.tokens }) }
      return { ...base, status: 'redeem-failed', attempt: s.attempt, error: event.error, ...kept, outbox: [] }
    }
    case 'resume':
      return resume(state, base)
    case 'refresh': {
      const s = expectTokens(state, event)
      if (!needsRefresh(s.tokens, ctx.now) || s.outbox.some((c) => c.type === 'refresh-peer-tokens')) return s
      return { ...s, updatedAt: ctx.now, outbox: [...s.outbox, { type: 'refresh-peer-tokens' }] }
    }
    case 'tokens-refreshed': {
      // Wherever tokens are held — also mid-update: a rotated refresh token must never be lost.
      const s = expectTokens(state, event)
      return { ...s, tokens: event.tokens, updatedAt: ctx.now, outbox: withoutCommand(s.outbox, 'refresh-peer-tokens') }
    }
    case 'refresh-failed': {
      const s = expectTokens(state, event)
      const outbox = withoutCommand(s.outbox, 'refresh-peer-tokens')
      if (event.error.code !== ErrorCode.NeedsReconsent) return outbox.length === s.outbox.length ? s : { ...s, updatedAt: ctx.now, outbox }
      if ('pending' in s && s.pending !== undefined) {
        // The old grant is dead, but a code for a new one is waiting: drop the old tokens only.
        const { tokens: _dead, ...rest } = s
        return { ...rest, updatedAt: ctx.now, outbox }
      }
      return { ...base, status: 'needs-reconsent', error: event.error, outbox: [] }
    }
    case 'unlink': {
      // Whatever the state, B's own grant is revoked again: A may hold a grant at B from an
      // initial flow this link never saw. Tokens A issued are revoked wherever they are held.
      const prior = state?.status === 'unlinked' ? state.outbox.find((c) => c.type === 'revoke-peer-tokens') : undefined
      const tokens = prior?.type === 'revoke-peer-tokens' ? prior.tokens : held
      const outbox: PartyBCommand[] = [{ type: 'revoke-local-grant' }, ...(tokens === undefined ? [] : [{ type: 'revoke-peer-tokens', tokens } as const])]
      return { ...base, ...unlinkedFields(outbox, state?.status === 'unlinked' ? state.error : undefined) }
    }
    case 'revoked': {
      const s = expectRevoking(state, event)
      const outbox = withoutCommand(s.outbox, event.target === 'local-grant' ? 'revoke-local-grant' : 'revoke-peer-tokens')
      return { ...base, ...unlinkedFields(outbox, s.error) }
    }
    case 'revoke-failed': {
      const s = expectRevoking(state, event)
      return { ...base, ...unlinkedFields(s.outbox, event.error) }
    }
  }
}

/**
 * Finishes what is left: an unlink's revocations or a pending refresh are run again as they are;
 * a redemption a crash interrupted, or one that failed with a code that may still pass, is tried
 * again. The interrupted one may have reached A already: a second redemption of the code is then
 * refused as a replay, and A revokes what the first one issued (SPEC R4.2) — B never holds a
 * grant A does not honour, and waits for A's next code (party A of this SDK sends one: its
 * server tells it of the replay, SPEC R4.3).
 */
function resume(state: PartyBState | undefined, base: Omit<PartyBLinkBase, 'outbox'>): PartyBState {
  if (state === undefined) throw invalidState('none', 'resume')
  if (state.status === 'redeeming') return redeem(base, state.pending, state.attempt + 1, state.tokens)
  if (state.status === 'redeem-failed' && state.pending !== undefined) return redeem(base, state.pending, state.attempt + 1, state.tokens)
  return state
}

function expectTokens(state: PartyBState | undefined, event: PartyBEvent): Extract<PartyBState, { tokens?: TokenSet }> & { tokens: TokenSet } {
  if (state !== undefined && 'tokens' in state && state.tokens !== undefined) return state as Extract<PartyBState, { tokens?: TokenSet }> & { tokens: TokenSet }
  throw invalidState(state?.status ?? 'none', event.type)
}

function expectRevoking(state: PartyBState | undefined, event: PartyBEvent): Extract<PartyBState, { status: 'unlinked' }> {
  if (state?.status === 'unlinked' && state.outbox.length > 0) return state
  throw invalidState(state?.status ?? 'none', event.type)
}

function redeem(base: Omit<PartyBLinkBase, 'outbox'>, pending: PendingCode, attempt: number, tokens: TokenSet | undefined): PartyBState {
  return { ...base, status: 'redeeming', pending, attempt, ...(tokens === undefined ? {} : { tokens }), outbox: [{ type: 'redeem-code', code: pending.code }] }
}

type Status = PartyBState['status']

function expect<S extends Status>(state: PartyBState | undefined, event: PartyBEvent, status: S): Extract<PartyBState, { status: S }> {
  if (state?.status === status) return state as Extract<PartyBState, { status: S }>
  throw invalidState(state?.status ?? 'none', event.type)
}
