/**
 * Client-side error mapping (SPEC R8.1, R8.4): every failure of an outbound OAuth step — a
 * refused connection, a timeout, an OAuth error answer, a malformed answer — becomes one
 * {@link reciprocal-oauth!ReciprocalError} with a stable code, the step, a hint and whether a retry may help.
 *
 * Redaction rule: from the peer's answer only the HTTP status and the registered OAuth `error`
 * code are kept. `error_description`, response bodies and the original error object are never
 * copied, because oauth4webapi's errors carry the `Response` and parsed body, which may echo a
 * code or token we sent (SPEC R7.4, R8.4). The `cause` is a sanitized `{ name, code }` summary.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { ErrorCode, ReciprocalError, type PeerErrorInfo, type Step } from '../core/errors.js'

/**
 * Thrown by the transport wrapper when a peer answers with a redirect: redirects are never
 * followed (SPEC R7.7), and {@link toReciprocalError} turns this into `InvalidResponse`.
 *
 * @internal
 */
export class RedirectRefusedError extends Error {
  /** HTTP status of the redirect (0 for an opaque redirect). */
  readonly status: number

  constructor(status: number) {
    super('the peer answered with a redirect, which is never followed')
    this.name = 'RedirectRefusedError'
    this.status = status
  }
}

/**
 * Thrown by the transport wrapper when a peer's answer is larger than a token-endpoint answer
 * can reasonably be; {@link toReciprocalError} turns this into `InvalidResponse`.
 *
 * @internal
 */
export class ResponseTooLargeError extends Error {
  constructor() {
    super('the peer answer is larger than the limit')
    this.name = 'ResponseTooLargeError'
  }
}

const STEP_LABEL: Readonly<Record<Step, string>> = {
  configuration: 'Reading the peer configuration',
  authorize: 'Building the authorization request',
  callback: 'Validating the authorization response',
  'token-exchange': 'Exchanging the authorization code',
  consent: 'Recording the consent',
  'mint-code': 'Minting the reciprocal code',
  'deliver-code': 'Delivering the reciprocal code',
  'receive-code': 'Verifying the reciprocal request',
  'redeem-code': 'Redeeming the reciprocal code',
  refresh: 'Refreshing the access token',
  revoke: 'Revoking the token',
  resource: 'Calling the resource server',
}

/**
 * Keeps a peer's OAuth `error` code only when it looks like one: lower-case letters and `_`
 * (every registered code does). Anything else might be an echoed secret, so it is dropped
 * (SPEC R8.4).
 *
 * @example
 * ```ts
 * sanitizeOAuthErrorCode('invalid_grant') // 'invalid_grant'
 * sanitizeOAuthErrorCode('Zx9-secret') // undefined
 * ```
 * @group Client
 */
export function sanitizeOAuthErrorCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[a-z_]{1,64}$/.test(value) ? value : undefined
}

/** A cause that names the failure without carrying its payload. */
function summarize(error: unknown): { name: string; code?: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const name = 'name' in error && typeof error.name === 'string' ? error.name : 'Error'
  const code = 'code' in error && typeof error.code === 'string' && /^[A-Z0-9_]{1,64}$/i.test(error.code) ? error.code : undefined
  return code === undefined ? { name } : { name, code }
}

/**
 * The error for an HTTP answer `status` (with the peer's OAuth `error` code, if any) at `step`.
 *
 * @example
 * ```ts
 * throw errorFromStatus(401, 'invalid_client', 'deliver-code') // code ERR_PEER_UNAUTHORIZED
 * ```
 * @group Client
 */
export function errorFromStatus(status: number, oauthError: string | undefined, step: Step): ReciprocalError {
  const error = sanitizeOAuthErrorCode(oauthError)
  const peer: PeerErrorInfo = error === undefined ? { status } : { status, error }
  const said = `the peer answered HTTP ${status}${error === undefined ? '' : ` (${error})`}`
  const make = (code: ErrorCode, hint: string, retryable = false): ReciprocalError =>
    new ReciprocalError(`${STEP_LABEL[step]} failed: ${said}`, { code, step, hint, retryable, peer })

  if (error === 'invalid_client' || status === 401) {
    const tokenHint =
      'The peer refused the access token we presented: it is expired, revoked or not its own. Refresh the token from the initial flow, then try again (SPEC R3.3).'
    const clientHint =
      'The peer refused our client authentication: check the client id, secret or key configured for this peer and the auth method it expects (RFC 6749 §2.3).'
    return make(
      ErrorCode.PeerUnauthorized,
      error === 'invalid_token' ? tokenHint : error === 'invalid_client' || step !== 'deliver-code' ? clientHint : `${clientHint} Or: ${tokenHint}`,
    )
  }
  if (step === 'refresh' && error === 'invalid_grant') {
    return make(
      ErrorCode.NeedsReconsent,
      'The refresh token is no longer valid (expired or revoked): the user has to link the accounts again (SPEC R8.2).',
    )
  }
  if (status === 403) {
    return make(
      ErrorCode.PeerForbidden,
      'The peer says the access token lacks the scope it requires for this request: request that scope in the initial flow (SPEC R3.4).',
    )
  }
  if (status === 400 || (status > 400 && status < 500 && error !== undefined && status !== 408 && status !== 429)) {
    if (step === 'redeem-code') {
      return make(
        ErrorCode.RedemptionFailed,
        'The peer refused to redeem the reciprocal code: it is expired, already used, or minted for another client. Wait for a new code (SPEC R4.2).',
      )
    }
    if (step === 'token-exchange') {
      return make(
        ErrorCode.TokenExchangeFailed,
        'The peer refused the authorization code: it expired, was already used, or the redirect URI / PKCE verifier does not match. Start the authorization again (RFC 6749 §5.2).',
      )
    }
    return make(
      ErrorCode.PeerRejected,
      step === 'deliver-code'
        ? 'The peer considers the reciprocal grant request invalid: check that it supports the reciprocal grant type and expects these parameters (SPEC R3.2).'
        : 'The peer considers the request invalid (RFC 6749 §5.2): check the configuration for this peer.',
    )
  }
  if (status >= 500 || status === 408 || status === 429) {
    return make(ErrorCode.PeerUnavailable, 'The peer is unavailable or overloaded: retry later with backoff.', true)
  }
  if (status >= 300 && status < 400) {
    return make(
      ErrorCode.InvalidResponse,
      'The peer answered with a redirect, which is never followed (SPEC R7.7): configure the exact endpoint URL.',
    )
  }
  if (status >= 200 && status < 300) {
    return make(ErrorCode.InvalidResponse, 'The peer answered with an unexpected success status: check that the endpoint speaks OAuth.')
  }
  return make(ErrorCode.PeerUnavailable, 'The peer answered with an unexpected status: check the endpoint URL configured for this peer.')
}

/** Status of a `Response` carried as `cause` by some oauth4webapi errors (cross-realm safe). */
function responseStatus(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  return 'status' in value && typeof value.status === 'number' && 'headers' in value ? value.status : undefined
}

function isAbort(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('name' in error)) return false
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true
  return 'cause' in error && error !== error.cause && isAbort(error.cause)
}

/**
 * Turns anything a client step threw into a {@link reciprocal-oauth!ReciprocalError} for `step`, without copying
 * secrets (see the module comment). A `ReciprocalError` passes through unchanged.
 *
 * @example
 * ```ts
 * let response: Response
 * try {
 *   response = await oauth.refreshTokenGrantRequest(as, client, auth, rt, requestOptions(peer))
 * } catch (err) {
 *   throw toReciprocalError(err, 'refresh')
 * }
 * ```
 * @group Client
 */
export function toReciprocalError(error: unknown, step: Step): ReciprocalError {
  if (error instanceof ReciprocalError) return error
  const cause = summarize(error)
  const make = (code: ErrorCode, what: string, hint: string, retryable = false): ReciprocalError =>
    new ReciprocalError(`${STEP_LABEL[step]} failed: ${what}`, { code, step, hint, retryable, ...(cause ? { cause } : {}) })

  if (error instanceof RedirectRefusedError) {
    // An opaque redirect (browsers) has status 0: still a redirect, not an outage.
    return error.status >= 300 && error.status < 400
      ? errorFromStatus(error.status, undefined, step)
      : make(ErrorCode.InvalidResponse, 'the peer answered with a redirect', 'Redirects are never followed (SPEC R7.7): configure the exact endpoint URL.')
  }
  if (error instanceof ResponseTooLargeError) {
    return make(ErrorCode.InvalidResponse, 'the peer answer is too large', 'A token endpoint answers with a small JSON object: check that the endpoint speaks OAuth.')
  }
  if (isAbort(error)) {
    return make(ErrorCode.Timeout, 'the request timed out', 'The peer did not answer in time (SPEC R7.7): retry later, or raise timeoutMs for this peer.', true)
  }
  if (error instanceof oauth.ResponseBodyError) return errorFromStatus(error.status, error.error, step)
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    return errorFromStatus(error.status, error.cause[0]?.parameters.error, step)
  }
  if (error instanceof oauth.OperationProcessingError) {
    switch (error.code) {
      case oauth.RESPONSE_IS_NOT_CONFORM:
      case oauth.RESPONSE_IS_NOT_JSON: {
        const status = responseStatus(error.cause)
        if (status !== undefined && (status < 200 || status > 299)) return errorFromStatus(status, undefined, step)
        break
      }
      case oauth.HTTP_REQUEST_FORBIDDEN:
      case oauth.REQUEST_PROTOCOL_FORBIDDEN:
      case oauth.MISSING_SERVER_METADATA:
      case oauth.INVALID_SERVER_METADATA:
        return make(
          ErrorCode.Configuration,
          'the peer configuration is not usable',
          'Check the peer metadata: endpoints must be absolute https URLs (allowInsecureRequests is for loopback tests only).',
        )
    }
    return make(ErrorCode.InvalidResponse, 'the peer answer is malformed', 'The peer answered with something other than the JSON the protocol requires: check that the endpoint speaks OAuth.')
  }
  if (error instanceof oauth.UnsupportedOperationError) {
    return make(ErrorCode.InvalidResponse, 'the peer answer uses an unsupported feature', 'The peer answered with a token type or feature this SDK does not support (bearer tokens only).')
  }
  if (error instanceof TypeError && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_INVALID_ARG')) {
    return make(ErrorCode.Configuration, 'an argument is invalid', 'A programming or configuration error: check the peer configuration and the values passed in.')
  }
  return make(ErrorCode.Network, 'the peer could not be reached', 'DNS, connection or TLS failure: check the endpoint URL and connectivity, then retry.', true)
}
