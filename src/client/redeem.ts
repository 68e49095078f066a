/**
 * Party B redeems the reciprocal code at A (SPEC R4.1, draft steps F–G): an ordinary
 * `authorization_code` token request, without redirect URI or PKCE (there was no redirect in the
 * reciprocal leg), authenticated as B's client at A.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { toReciprocalError } from './errors.js'
import { requestOptions, type PeerConfig } from './peer.js'
import { tokenSetFromResponse } from './token-set.js'
import { type TokenSet } from '../core/token-set.js'

/**
 * Options of {@link redeemReciprocalCode}.
 *
 * @example
 * ```ts
 * const redeemOptions: RedeemOptions = { now: Math.floor(Date.now() / 1000) }
 * const tokens = await redeemReciprocalCode(peerA, code, redeemOptions)
 * ```
 * @see SPEC R4.1, RFC 6749 §4.1.3
 * @group Client
 */
export interface RedeemOptions {
  /** Current time, seconds (for `expiresAt`). */
  readonly now: number
  /** Only if A and B agreed on one and A minted the code with it (RFC 6749 §4.1.3). */
  readonly redirectUri?: string | undefined
  /** Aborts the request (in addition to the peer's timeout). */
  readonly signal?: AbortSignal
}

/**
 * Exchanges a reciprocal code for tokens at A's token endpoint.
 *
 * Security (SPEC R7.8): the request goes only to `peerA.as.token_endpoint` — the endpoint
 * configured for the client that delivered the code — never to a URL taken from the incoming
 * request. Sending B's client credentials to an address an attacker chose would leak them, and
 * is how SSRF starts. oauth4webapi's `authorizationCodeGrantRequest` is not used because it
 * requires a redirect URI and callback parameters that do not exist in this leg.
 *
 * @throws {@link reciprocal-oauth!ReciprocalError} step `redeem-code`: `RedemptionFailed` when A refuses the code
 *   (`invalid_grant`: expired, used, or minted for another client), `PeerUnauthorized` when A
 *   refuses B's client authentication, `Network` / `Timeout` / `PeerUnavailable` (retryable).
 * @example
 * ```ts
 * const tokens = await redeemReciprocalCode(peerA, code, { now: runtime.now() })
 * ```
 * @group Client
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export async function redeemReciprocalCode(peerA: PeerConfig, code: string, options: RedeemOptions): Promise<TokenSet> {
  const parameters: Record<string, string> = { code }
  if (options.redirectUri !== undefined) parameters.redirect_uri = options.redirectUri
  let result: oauth.TokenEndpointResponse
  try {
    const response = await oauth.genericTokenEndpointRequest(
      peerA.as,
      peerA.client,
      peerA.clientAuth,
      'authorization_code',
      parameters,
      requestOptions(peerA, options.signal),
    )
    result = await oauth.processGenericTokenEndpointResponse(peerA.as, peerA.client, response)
  } catch (error) {
    throw toReciprocalError(error, 'redeem-code')
  }
  return tokenSetFromResponse(result, { now: options.now, step: 'redeem-code' })
}
