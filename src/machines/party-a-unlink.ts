/**
 * Unlinking at party A (SPEC R5.2): the part of party A's machine that takes a link to
 * `unlinked` and then through its revocations — A's own grant to B first, since it needs no
 * network, then A's tokens at B (RFC 7009). What is not confirmed stays in the state's
 * `remaining`, so another `unlink`, any later operation on the link, or a resume finishes it.
 *
 * @module
 */
import type { TokenSet } from '../client/token-set.js'
import type { SerializedError } from '../errors.js'
import { invalidState } from './invalid-state.js'
import type { PartyACommand, PartyAEvent, PartyALinkBase, PartyAState } from './party-a.js'
import type { Transition } from './types.js'

/**
 * What an unlink still has to do (SPEC R5.2). The local grant goes first, since revoking it needs
 * no network; A's tokens at B stay here until B confirms their revocation (RFC 7009), so a retry
 * — another `unlink`, any later operation on the link, or a resume after a restart — finishes it.
 *
 * @group State machines
 */
export interface UnlinkRemaining {
  /** Every grant A gave B for this user is still to be revoked at A's authorization server. */
  readonly localGrant: boolean
  /** A's tokens at B, still to be revoked at B's revocation endpoint. */
  readonly peerTokens?: TokenSet
}

type Unlinked = Extract<PartyAState, { status: 'unlinked' }>
type UnlinkEvent = Extract<PartyAEvent, { type: 'unlink' | 'local-grant-revoked' | 'local-revocation-failed' | 'peer-tokens-revoked' | 'peer-revocation-failed' }>

/** Party A's unlink transitions; `now` is the step's time. @internal */
export function stepUnlink(state: PartyAState, event: UnlinkEvent, now: number): Transition<PartyAState, PartyACommand> {
  switch (event.type) {
    case 'unlink': {
      // Unlinking again finishes what the first unlink left (a peer that was down, a crash).
      if (state.status === 'unlinked') return continueUnlink(state)
      const peerTokens = 'peerTokens' in state ? { peerTokens: state.peerTokens } : {}
      return continueUnlink(unlinked(state, now, { localGrant: mayHoldGrant(state), ...peerTokens }, undefined))
    }
    case 'local-grant-revoked': {
      const s = expectUnlinked(state, event)
      return continueUnlink(unlinked(s, now, { ...s.remaining, localGrant: false }, s.error))
    }
    case 'local-revocation-failed': {
      // Recorded for the next attempt; A's tokens at B do not depend on it, so they go now.
      const s = expectUnlinked(state, event)
      const next = unlinked(s, now, { ...s.remaining, localGrant: true }, event.error)
      return { state: next, commands: peerRevocation(next) }
    }
    case 'peer-tokens-revoked': {
      // The last step of an attempt (the local grant went first): a local failure stays recorded.
      const s = expectUnlinked(state, event)
      const localGrant = s.remaining?.localGrant ?? false
      return { state: unlinked(s, now, { localGrant }, localGrant ? s.error : undefined), commands: [] }
    }
    case 'peer-revocation-failed': {
      // Nothing more now: the tokens stay recorded until a retry gets B's confirmation.
      const s = expectUnlinked(state, event)
      return { state: { ...s, error: event.error, updatedAt: now }, commands: [] }
    }
  }
}

/** The next revocation an unlinked state needs: the local grant first, then A's tokens at B. @internal */
export function continueUnlink(state: Unlinked): Transition<PartyAState, PartyACommand> {
  if (state.remaining?.localGrant === true) return { state, commands: [{ type: 'revoke-local-grant', subject: state.userId }] }
  return { state, commands: peerRevocation(state) }
}

function peerRevocation(state: Unlinked): PartyACommand[] {
  const tokens = state.remaining?.peerTokens
  return tokens === undefined ? [] : [{ type: 'revoke-peer-tokens', tokens }]
}

/** An unlinked state; once nothing remains, it keeps no tokens and no error. */
function unlinked(s: PartyALinkBase, now: number, remaining: UnlinkRemaining, error: SerializedError | undefined): Unlinked {
  const done = !remaining.localGrant && remaining.peerTokens === undefined
  const left = done ? {} : { remaining, ...(error === undefined ? {} : { error }) }
  return { linkId: s.linkId, peerId: s.peerId, userId: s.userId, updatedAt: now, status: 'unlinked', ...left }
}

/**
 * Whether the link may have given B a grant: it minted a code, or may have. A's authorization
 * server holds one grant per user and peer, shared by every link of that pair, so a link that
 * never minted — still waiting for its callback or consent, failed, one-way, or whose first
 * delivery failed before the mint — must not revoke it on unlink: the grant is another link's
 * (SPEC R5.2).
 */
function mayHoldGrant(state: PartyAState): boolean {
  // A failed delivery, or a link whose refresh token died, keeps what it minted (`undelivered`)
  // or held (`granted`): with neither, it never minted — it may have died waiting for consent.
  if (state.status === 'delivery-failed' || state.status === 'needs-reconsent') {
    return state.granted !== undefined || state.undelivered !== undefined
  }
  return state.status === 'delivering' || state.status === 'reciprocal-granted'
}

function expectUnlinked(state: PartyAState, event: UnlinkEvent): Unlinked {
  if (state.status === 'unlinked') return state
  throw invalidState(state.status, event.type)
}
