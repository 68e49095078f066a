/**
 * Running the commands of party A's machine: refreshing A's tokens at B, minting a reciprocal
 * code, POSTing it to B, revoking B's grant at A, revoking A's tokens at B. Each runs one effect
 * and resolves its outcome, failures included, as the event the machine takes; nothing here
 * throws. The driver stores the state holding the command before it runs, and the state its
 * result leads to before the next one.
 *
 * @module
 */
import { ErrorCode, ReciprocalError } from '../core/errors.js'
import { deliverReciprocalCode } from '../client/reciprocal-grant.js'
import { refreshTokenSet } from '../client/refresh.js'
import { revokeTokenSet } from '../client/revoke.js'
import type { TokenSet } from '../core/token-set.js'
import type { PartyACommand, PartyAEvent, PartyAState } from '../machines/party-a-state.js'
import type { Runtime } from '../core/runtime.js'
import type { AuthorizationServer } from '../server/authorization-server.js'
import type { PartyAPeer } from './party-a-peers.js'
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
 * is sent (RFC 9700 §4.4). Resolves the result event.
 *
 * @internal
 */
export async function runCommand(
  state: PartyAState,
  command: PartyACommand,
  { peer, reciprocal }: PartyAPeer,
  context: CommandContext,
  minted?: { readonly code: string; readonly version: number },
): Promise<PartyAEvent> {
  const { authorizationServer, runtime, report } = context
  switch (command.type) {
    case 'refresh-peer-tokens':
      try {
        return { type: 'tokens-refreshed', tokens: await refreshTokenSet(peer, peerTokensOf(state), { now: runtime.now() }) }
      } catch (err) {
        return { type: 'refresh-failed', error: toSerializedError(err, 'refresh', report) }
      }
    case 'mint-code':
      try {
        // The link id as the reference: a replay of this code is told to this link (SPEC R4.3).
        const code = await authorizationServer.mintCode({ clientId: reciprocal.peerClientId, subject: command.subject, scope: command.scope, supersede: true, reference: state.linkId })
        return { type: 'code-minted', code: code.code, version: code.version ?? 1 }
      } catch (err) {
        return { type: 'mint-failed', error: toSerializedError(err, 'deliver-code', report) }
      }
    case 'post-code':
      // Minted by another run (a worker that crashed after the mint): the code was never stored,
      // so deliver a fresh one, which supersedes it (SPEC R5.3) — as a resume does.
      if (minted?.version !== command.version) return { type: 'resume' }
      try {
        await deliverReciprocalCode(peer, { code: minted.code, accessToken: peerTokensOf(state).accessToken })
        return { type: 'code-posted' }
      } catch (err) {
        return { type: 'post-failed', error: toSerializedError(err, 'deliver-code', report) }
      }
    case 'revoke-local-grant':
      try {
        await authorizationServer.revokeLink(reciprocal.peerClientId, command.subject)
        return { type: 'local-grant-revoked' }
      } catch (err) {
        return { type: 'local-revocation-failed', error: toSerializedError(err, 'revoke', report) }
      }
    case 'revoke-peer-tokens':
      try {
        // Confirmed, or B has no revocation endpoint: either way there is nothing left to do.
        await revokeTokenSet(peer, command.tokens)
        return { type: 'peer-tokens-revoked' }
      } catch (err) {
        return { type: 'peer-revocation-failed', error: toSerializedError(err, 'revoke', report) }
      }
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
