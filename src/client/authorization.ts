/**
 * Party A's initial flow against B (SPEC R1.1, draft steps A–D): the authorization request with
 * PKCE S256 and `state`, the callback validation (RFC 9207 `iss` when advertised), and the code
 * exchange. Every OAuth detail is oauth4webapi's; this file adds the reciprocal bits (the
 * `reciprocal` parameter and member, SPEC R1.2) and the error mapping.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import * as v from 'valibot'
import { ErrorCode, ReciprocalError } from '../core/errors.js'
import { RECIPROCAL_PARAMETER } from '../protocol/constants.js'
import { TokenResponseSchema } from '../protocol/schemas.js'
import { isValidScope } from '../protocol/scope.js'
import { sanitizeOAuthErrorCode, toReciprocalError } from './errors.js'
import { requestOptions, type PeerConfig } from './peer.js'
import { tokenSetFromResponse } from './token-set.js'
import { type TokenSet } from '../core/token-set.js'
import type { PendingAuthorization } from '../core/pending-authorization.js'

/**
 * Input of {@link createAuthorizationRequest}.
 *
 * @example
 * ```ts
 * const input: AuthorizationRequestInput = { redirectUri, scope: 'music.play' }
 * const { url } = await createAuthorizationRequest(peerB, input)
 * ```
 * @see SPEC R1.1, R7.1
 * @group Client
 */
export interface AuthorizationRequestInput {
  /** A's redirect URI registered at B. */
  readonly redirectUri: string
  /** The scope A asks B for (RFC 6749 §3.3). */
  readonly scope: string
  /** A `state` value to use instead of a fresh random one (tests). */
  readonly randomState?: string
  /** A PKCE verifier to use instead of a fresh random one (tests); 43–128 unreserved chars. */
  readonly randomVerifier?: string
}

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

function configurationError(message: string, hint: string, step: 'authorize' | 'callback' = 'authorize'): ReciprocalError {
  return new ReciprocalError(message, { code: ErrorCode.Configuration, step, hint })
}

/**
 * Builds the authorization request URL to send the user to B (RFC 6749 §4.1.1) with PKCE S256
 * (RFC 7636) and a random `state` (SPEC R7.1). Store `pending` with the link; send the user to
 * `url`.
 *
 * @example
 * ```ts
 * const { url, pending } = await createAuthorizationRequest(peerB, { redirectUri: 'https://assistant.example/cb', scope: 'music.play' })
 * await save(linkId, pending)
 * return Response.redirect(url, 302)
 * ```
 * @group Client
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 */
export async function createAuthorizationRequest(
  peer: PeerConfig,
  input: AuthorizationRequestInput,
): Promise<{ url: URL; pending: PendingAuthorization }> {
  const endpoint = peer.as.authorization_endpoint
  if (endpoint === undefined || !URL.canParse(endpoint)) {
    throw configurationError('The peer has no usable authorization endpoint', 'Set as.authorization_endpoint in the peer configuration (or discover it).')
  }
  const url = new URL(endpoint)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && peer.allowInsecureRequests === true)) {
    throw configurationError('The authorization endpoint is not https', 'Use an https authorization endpoint (allowInsecureRequests is for loopback tests only).')
  }
  if (!isValidScope(input.scope)) {
    throw configurationError('The requested scope is not a valid scope string', 'Pass space-separated scope tokens (RFC 6749 §3.3).')
  }
  if (input.randomVerifier !== undefined && !VERIFIER.test(input.randomVerifier)) {
    throw configurationError('The PKCE verifier is malformed', 'A code_verifier has 43–128 unreserved characters (RFC 7636 §4.1).')
  }
  const state = input.randomState ?? oauth.generateRandomState()
  const codeVerifier = input.randomVerifier ?? oauth.generateRandomCodeVerifier()
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier)

  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', peer.client.client_id)
  url.searchParams.set('redirect_uri', input.redirectUri)
  url.searchParams.set('scope', input.scope)
  url.searchParams.set('state', state)
  url.searchParams.set('code_challenge', codeChallenge)
  url.searchParams.set('code_challenge_method', 'S256')
  return { url, pending: { state, codeVerifier, redirectUri: input.redirectUri, scope: input.scope } }
}

/**
 * A validated authorization response (output of {@link validateCallback}).
 *
 * @example
 * ```ts
 * const validated: ValidatedCallback = validateCallback(peerB, pending, callbackUrl)
 * if (validated.reciprocal !== undefined) console.info('B asks for', validated.reciprocal)
 * ```
 * @see SPEC R1.2, R7.1
 * @group Client
 */
export interface ValidatedCallback {
  /** oauth4webapi's validated parameters, the input of {@link exchangeCode}. */
  readonly params: URLSearchParams
  /** The `reciprocal` parameter B put in the authorization response, if any (SPEC R1.2). */
  readonly reciprocal?: string
}

function callbackInvalid(what: string, hint: string): ReciprocalError {
  return new ReciprocalError(`Validating the authorization response failed: ${what}`, {
    code: ErrorCode.CallbackInvalid,
    step: 'callback',
    hint,
  })
}

/**
 * Validates the authorization response at A's redirect URI (RFC 6749 §4.1.2) with oauth4webapi:
 * `callbackUrl` is absolute, relative to `pending.redirectUri` (as Node's `req.url`), or its
 * query parameters. `state` must match, `iss` must be B's issuer when B advertises RFC 9207 support (SPEC R7.1),
 * a `code` must be present. Keeps B's `reciprocal` parameter (SPEC R1.2).
 *
 * @throws {@link reciprocal-oauth!ReciprocalError} `AuthorizationDenied` when the user or B said `access_denied`;
 *   `CallbackInvalid` for any other error response or failed check.
 * @example
 * ```ts
 * const callback = validateCallback(peerB, pending, request.url)
 * const { tokens, reciprocal } = await exchangeCode(peerB, pending, callback, { now: runtime.now() })
 * ```
 * @group Client
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function validateCallback(peer: PeerConfig, pending: PendingAuthorization, callbackUrl: URL | string | URLSearchParams): ValidatedCallback {
  // Never `new URL()` on what cannot be parsed: its TypeError would carry the code and state (SPEC R8.4).
  const text = String(callbackUrl)
  const base = URL.canParse(pending.redirectUri) ? pending.redirectUri : undefined
  const parameters = callbackUrl instanceof URLSearchParams ? callbackUrl : URL.canParse(text, base) ? new URL(text, base).searchParams : undefined
  if (parameters === undefined) throw callbackInvalid('the callback URL is not a URL', 'Pass the URL the user was redirected to (absolute, or relative to the redirect URI).')

  let params: URLSearchParams
  try {
    params = oauth.validateAuthResponse(peer.as, peer.client, parameters, pending.state)
  } catch (error) {
    throw callbackError(error)
  }
  const codes = params.getAll('code')
  if (codes.length !== 1 || codes[0] === '') {
    throw callbackInvalid('the response has no single code', 'The authorization server must return exactly one code (RFC 6749 §4.1.2).')
  }
  const reciprocal = params.getAll(RECIPROCAL_PARAMETER)
  if (reciprocal.length > 1) {
    throw callbackInvalid('the reciprocal parameter is repeated', 'Parameters must not repeat (RFC 6749 §3.1).')
  }
  const value = reciprocal[0]
  return value === undefined ? { params } : { params, reciprocal: value }
}

function callbackError(error: unknown): ReciprocalError {
  if (error instanceof oauth.AuthorizationResponseError) {
    const code = sanitizeOAuthErrorCode(error.error)
    if (code === 'access_denied') {
      return new ReciprocalError('The authorization was denied', {
        code: ErrorCode.AuthorizationDenied,
        step: 'callback',
        hint: 'The user (or the peer) declined the request: nothing is linked. Offer to start again.',
      })
    }
    return callbackInvalid(
      `the authorization server answered error=${code ?? 'unknown'}`,
      'The peer refused the authorization request (RFC 6749 §4.1.2.1): check the client id, redirect URI and scope configured for it.',
    )
  }
  if (error instanceof oauth.OperationProcessingError) {
    if (error.message.includes('"iss"')) {
      return callbackInvalid(
        'the issuer does not match',
        'The response did not come from the configured peer (RFC 9207 mix-up defence, SPEC R7.1): start again; if it repeats, check as.issuer.',
      )
    }
    if (error.message.includes('"state"')) {
      return callbackInvalid('the state does not match', 'A stale, replayed or forged callback (CSRF defence, SPEC R7.1): start the link again.')
    }
    return callbackInvalid('the response is malformed', 'Repeated or unexpected parameters in the callback (RFC 6749 §4.1.2): start the link again.')
  }
  if (error instanceof oauth.UnsupportedOperationError) {
    return callbackInvalid('the response is not an authorization-code response', 'Implicit and hybrid responses are not supported (RFC 9700).')
  }
  return toReciprocalError(error, 'callback')
}

/**
 * Exchanges the code at B's token endpoint (RFC 6749 §4.1.3, PKCE verifier, A's client
 * authentication) and returns the tokens plus B's `reciprocal` member, if any (SPEC R1.2).
 *
 * @throws {@link reciprocal-oauth!ReciprocalError} step `token-exchange` (`TokenExchangeFailed`, `PeerUnauthorized`,
 *   `Network`, `Timeout`, …).
 * @example
 * ```ts
 * const { tokens, reciprocal } = await exchangeCode(peerB, pending, callback, { now: runtime.now() })
 * ```
 * @group Client
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export async function exchangeCode(
  peer: PeerConfig,
  pending: PendingAuthorization,
  callback: ValidatedCallback,
  options: { readonly now: number; readonly signal?: AbortSignal },
): Promise<{ tokens: TokenSet; reciprocal?: string }> {
  let result: oauth.TokenEndpointResponse
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      peer.as,
      peer.client,
      peer.clientAuth,
      callback.params,
      pending.redirectUri,
      pending.codeVerifier,
      requestOptions(peer, options.signal),
    )
    result = await oauth.processAuthorizationCodeResponse(peer.as, peer.client, response)
  } catch (error) {
    throw toReciprocalError(error, 'token-exchange')
  }
  // oauth4webapi checked the standard members; the extension member is ours to validate.
  const parsed = v.safeParse(TokenResponseSchema, result)
  if (!parsed.success) {
    throw new ReciprocalError('Exchanging the authorization code failed: the reciprocal member is not a string', {
      code: ErrorCode.InvalidResponse,
      step: 'token-exchange',
      hint: 'The peer must send `reciprocal` as a space-delimited scope string (SPEC R1.2).',
    })
  }
  const reciprocal = parsed.output[RECIPROCAL_PARAMETER]
  const tokens = tokenSetFromResponse(result, { now: options.now, step: 'token-exchange', defaults: { scope: pending.scope } })
  return reciprocal === undefined ? { tokens } : { tokens, reciprocal }
}
