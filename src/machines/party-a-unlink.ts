/**
 * Unlinking at party A (SPEC R5.2): the part of party A's machine that takes a link to
 * `unlinked` and then through its revocations — A's own grant to B first, since it needs no
 * network, then A's tokens at B (RFC 7009). The revocations not confirmed yet are the
 * `unlinked` state's outbox, with the last `error`, the same shape as party B's (`outbox.ts`):
 * another `unlink`, any later operation on the link, or a resume finishes them.
 *
 * @module
 */
import { invalidState } from './invalid-state.js'
import { unlinkedFields, withoutCommand } from './outbox.js'
import type { PartyACommand, PartyAEvent, PartyAState } from './party-a-state.js'

type Unlinked = Extract<PartyAState, { status: 'unlinked' }>
type UnlinkEvent = Extract<PartyAEvent, { type: 'unlink' | 'local-grant-revoked' | 'local-revocation-failed' | 'peer-tokens-revoked' | 'peer-revocation-failed' }>

/** Party A's unlink transitions; `now` is the step's time. @internal */
export function stepUnlink(state: PartyAState, event: UnlinkEvent, now: number): PartyAState {
  switch (event.type) {
    case 'unlink': {
      // Unlinking again finishes what the first unlink left (a peer that was down, a crash): the
      // driver runs the outbox as it is. From any other state, whatever was under way (a
      // delivery, a refresh) gives way to the revocations.
      if (state.status === 'unlinked') return state
      const outbox: PartyACommand[] = [
        ...(mayHoldGrant(state) ? [{ type: 'revoke-local-grant', subject: state.userId } as const] : []),
        ...('peerTokens' in state ? [{ type: 'revoke-peer-tokens', tokens: state.peerTokens } as const] : []),
      ]
      return unlinked(state, now, outbox, undefined)
    }
    case 'local-grant-revoked': {
      const s = expectUnlinked(state, event)
      return unlinked(s, now, withoutCommand(s.outbox, 'revoke-local-grant'), s.error)
    }
    case 'peer-tokens-revoked': {
      const s = expectUnlinked(state, event)
      return unlinked(s, now, withoutCommand(s.outbox, 'revoke-peer-tokens'), s.error)
    }
    case 'local-revocation-failed':
    case 'peer-revocation-failed': {
      // The revocation stays in the outbox for the next attempt; the driver goes on with the
      // rest (A's tokens at B do not depend on A's own grant).
      const s = expectUnlinked(state, event)
      return unlinked(s, now, s.outbox, event.error)
    }
  }
}

function unlinked(s: PartyAState, now: number, outbox: readonly PartyACommand[], error: Unlinked['error']): Unlinked {
  return { linkId: s.linkId, peerId: s.peerId, userId: s.userId, updatedAt: now, ...unlinkedFields(outbox, error) }
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
  return state.status === 'delivering' || state.status === 'code-minted' || state.status === 'reciprocal-granted'
}

function expectUnlinked(state: PartyAState, event: UnlinkEvent): Unlinked {
  if (state.status === 'unlinked') return state
  throw invalidState(state.status, event.type)
}
