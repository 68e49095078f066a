/**
 * Running the commands of party A's machine: minting and delivering a reciprocal code,
 * revoking B's grant at A, revoking A's tokens at B. Each outcome, failures included, is handed
 * to `emit` as an event the machine takes, as soon as it is known — the driver steps the machine
 * and persists the state before the command goes on; nothing here throws.
 *
 * @module
 */
import { ErrorCode, ReciprocalError } from '../errors.js'
import { deliverReciprocalCode } from '../client/reciprocal-grant.js'
import { revokeTokenSet } from '../client/revoke.js'
import type { TokenSet } from '../client/token-set.js'
import type { PartyACommand, PartyAEvent, PartyAState } from '../machines/party-a.js'
import type { Runtime } from '../runtime.js'
import type { AuthorizationServer } from '../server/authorization-server.js'
import type { PartyAPeer } from './party-a-peers.js'
import { refreshIfExpiring } from './refresh-if-expiring.js'
import { toSerializedError } from './run-error.js'

/** What running a command needs besides the link's peer. @internal */
export interface CommandContext {
  readonly authorizationServer: Pick<AuthorizationServer, 'mintCode' | 'revokeLink'>
  readonly runtime: Runtime
  /** Tells the observer of a failure that is not a protocol error (`unexpected-failure`). */
  readonly report: (error: unknown) => void
}

/**
 * Runs one command against the link's own peer: a code only ever goes to the peer whose token
 * is sent (RFC 9700 §4.4). Each outcome goes to `emit` as soon as it is known, and `emit`
 * resolves once the machine took it and its state is stored.
 *
 * @internal
 */
export async function runCommand(
  state: PartyAState,
  command: PartyACommand,
  { peer, reciprocal }: PartyAPeer,
  context: CommandContext,
  emit: (event: PartyAEvent) => Promise<void>,
): Promise<void> {
  const { authorizationServer, runtime, report } = context
  switch (command.type) {
    case 'deliver-code': {
      let refreshed: TokenSet | undefined
      try {
        refreshed = await refreshIfExpiring(peer, peerTokensOf(state), runtime.now())
      } catch (err) {
        // No code was minted; a dead refresh token then ends the link in needs-reconsent (SPEC R8.2).
        const error = toSerializedError(err, 'refresh', report)
        await emit({ type: 'delivery-failed', error, minted: false })
        if (error.code === ErrorCode.NeedsReconsent) await emit({ type: 'refresh-failed', error })
        return
      }
      // Stored before the mint: B has rotated its refresh token, and the old one, used again
      // after a crash, would look like theft to B and revoke the whole grant (RFC 9700 §4.14.2).
      if (refreshed !== undefined) await emit({ type: 'tokens-refreshed', tokens: refreshed })
      const accessToken = refreshed?.accessToken ?? peerTokensOf(state).accessToken
      // Whether the code exists decides whether the old grant may be cut (SPEC R5.1): perhaps
      // while the mint runs (it may fail after claiming its version), surely after.
      let minted: { version: number } | undefined
      try {
        const code = await authorizationServer.mintCode({ clientId: reciprocal.peerClientId, subject: command.subject, scope: command.scope, supersede: true })
        minted = { version: code.version ?? 1 }
        await deliverReciprocalCode(peer, { code: code.code, accessToken })
      } catch (err) {
        const error = toSerializedError(err, 'deliver-code', report)
        await emit(minted === undefined ? { type: 'delivery-failed', error } : { type: 'delivery-failed', error, minted })
        return
      }
      await emit({ type: 'delivered', version: minted.version })
      return
    }
    case 'revoke-local-grant':
      try {
        await authorizationServer.revokeLink(reciprocal.peerClientId, command.subject)
      } catch (err) {
        await emit({ type: 'local-revocation-failed', error: toSerializedError(err, 'revoke', report) })
        return
      }
      await emit({ type: 'local-grant-revoked' })
      return
    case 'revoke-peer-tokens':
      try {
        // Confirmed, or B has no revocation endpoint: either way there is nothing left to do.
        await revokeTokenSet(peer, command.tokens)
      } catch (err) {
        await emit({ type: 'peer-revocation-failed', error: toSerializedError(err, 'revoke', report) })
        return
      }
      await emit({ type: 'peer-tokens-revoked' })
      return
  }
}

/** The tokens B issued to A for this link; a state without them says why, and what to do (SPEC R8.1). @internal */
export function peerTokensOf(state: PartyAState): TokenSet {
  if ('peerTokens' in state) return state.peerTokens
  const hints: Record<Exclude<PartyAState, { peerTokens: TokenSet }>['status'], string> = {
    'awaiting-callback': 'Finish the initial flow first: the user has not come back from the peer yet (handleCallback).',
    failed: "The link's initial flow failed (see its error); start a new link with startLink().",
    unlinked: 'The link was unlinked and its tokens revoked; start a new link with startLink() to link again.',
  }
  throw new ReciprocalError(`The link has no tokens in state ${state.status}`, { code: ErrorCode.InvalidState, step: 'configuration', hint: hints[state.status] })
}
