/**
 * Token revocation at a peer (RFC 7009, SPEC R5.2: unlinking revokes on both sides).
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { toReciprocalError } from './errors.js'
import { requestOptions, type PeerConfig } from './peer.js'
import type { TokenSet } from '../core/token-set.js'

/**
 * RFC 7009 §2.1 `token_type_hint` values.
 *
 * @example
 * ```ts
 * const hint: TokenTypeHint = 'refresh_token'
 * await revokeToken(peerB, token, hint)
 * ```
 * @group Client
 */
export type TokenTypeHint = 'access_token' | 'refresh_token'

/**
 * Revokes `token` at the peer's `revocation_endpoint` with oauth4webapi.
 *
 * @returns `true` when the peer confirmed (200), `false` when the peer has no revocation
 *   endpoint (nothing to do: the token simply expires).
 * @throws {@link reciprocal-oauth!ReciprocalError} step `revoke` when the peer refuses or cannot be reached.
 * @example
 * ```ts
 * if (tokens.refreshToken !== undefined) await revokeToken(peerB, tokens.refreshToken, 'refresh_token')
 * ```
 * @group Client
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export async function revokeToken(
  peer: PeerConfig,
  token: string,
  hint?: TokenTypeHint,
  options: { readonly signal?: AbortSignal } = {},
): Promise<boolean> {
  if (peer.as.revocation_endpoint === undefined) return false
  try {
    const response = await oauth.revocationRequest(peer.as, peer.client, peer.clientAuth, token, {
      ...requestOptions(peer, options.signal),
      ...(hint === undefined ? {} : { additionalParameters: { token_type_hint: hint } }),
    })
    await oauth.processRevocationResponse(response)
    return true
  } catch (error) {
    throw toReciprocalError(error, 'revoke')
  }
}

/**
 * Revokes both tokens of a set at the peer (SPEC R5.2). The refresh token goes first, since
 * revoking it revokes the grant at most servers (RFC 7009 §2.1). Both are always tried; when
 * either fails, the first failure is thrown after both were tried, so a caller that must finish
 * the revocation later (an unlink) knows it is not done.
 *
 * @returns `true` when the peer confirmed, `false` when it has no revocation endpoint.
 * @throws {@link reciprocal-oauth!ReciprocalError} step `revoke` when the peer refused or could not be reached.
 * @example
 * ```ts
 * try {
 *   await revokeTokenSet(peer, link.tokens)
 * } catch (err) {
 *   // ReciprocalError: keep the tokens and try again later (err.retryable tells whether it may pass).
 * }
 * ```
 * @group Client
 */
export async function revokeTokenSet(peer: PeerConfig, tokens: TokenSet): Promise<boolean> {
  const outcomes = await Promise.allSettled([
    tokens.refreshToken === undefined ? Promise.resolve(true) : revokeToken(peer, tokens.refreshToken, 'refresh_token'),
    revokeToken(peer, tokens.accessToken, 'access_token'),
  ])
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason
  return outcomes.every((outcome) => outcome.status === 'fulfilled' && outcome.value)
}
