/**
 * Refreshing tokens held at a peer (RFC 6749 §6, SPEC R8.2). Single-flight is the driver's job.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { ErrorCode, ReciprocalError } from '../core/errors.js'
import { toReciprocalError } from './errors.js'
import { requestOptions, type PeerConfig } from './peer.js'
import { tokenSetFromResponse } from './token-set.js'
import { type TokenSet } from '../core/token-set.js'

/**
 * Uses `tokens.refreshToken` at the peer's token endpoint and returns the new token set. When
 * the peer does not rotate the refresh token, the old one is kept; when it says no `scope`, the
 * old scope is kept (RFC 6749 §6).
 *
 * @throws {@link reciprocal-oauth!ReciprocalError} step `refresh`: `NeedsReconsent` (not retryable) when there is
 *   no refresh token or the peer answers `invalid_grant` — the link needs the user again
 *   (SPEC R8.2); `Network` / `Timeout` / `PeerUnavailable` (retryable) for transient failures.
 * @example
 * ```ts
 * const fresh = await refreshTokenSet(peerB, link.tokens, { now: runtime.now() })
 * ```
 * @group Client
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export async function refreshTokenSet(
  peer: PeerConfig,
  tokens: TokenSet,
  options: { readonly now: number; readonly signal?: AbortSignal },
): Promise<TokenSet> {
  const refreshToken = tokens.refreshToken
  if (refreshToken === undefined) {
    throw new ReciprocalError('Refreshing the access token failed: there is no refresh token', {
      code: ErrorCode.NeedsReconsent,
      step: 'refresh',
      hint: 'The peer issued no refresh token, so an expired access token cannot be renewed: the user has to link again (SPEC R8.2).',
    })
  }
  let result: oauth.TokenEndpointResponse
  try {
    const response = await oauth.refreshTokenGrantRequest(peer.as, peer.client, peer.clientAuth, refreshToken, requestOptions(peer, options.signal))
    result = await oauth.processRefreshTokenResponse(peer.as, peer.client, response)
  } catch (error) {
    throw toReciprocalError(error, 'refresh')
  }
  return tokenSetFromResponse(result, { now: options.now, step: 'refresh', defaults: { refreshToken, scope: tokens.scope } })
}
