/**
 * One OAuth error model for every endpoint: RFC 6749 §5.2 token-endpoint errors and RFC 6750 §3
 * bearer errors, rendered with `Cache-Control: no-store` and `WWW-Authenticate` where due.
 *
 * @module
 */
import { jsonResult, type HttpResult } from './http.js'

/**
 * An OAuth error about to be sent: the registered `error` code, a safe description (never a
 * secret, token or code — SPEC R7.4), the HTTP status, and the `WWW-Authenticate` scheme when
 * the status is 401 (or a bearer error).
 *
 * @example
 * ```ts
 * const refusal: OAuthErrorResponse = { error: 'invalid_request', description: 'code is missing', status: 400 }
 * const answer = errorPage(refusal)
 * ```
 * @group OAuth errors
 */
export interface OAuthErrorResponse {
  readonly error: string
  readonly description?: string
  readonly status: number
  /** `Basic` for a failed `client_secret_basic`, `Bearer` for RFC 6750 errors. */
  readonly challenge?: 'Basic' | 'Bearer'
  /** The `realm` of the challenge, when the endpoint has one. */
  readonly realm?: string
  /** The scope an RFC 6750 `insufficient_scope` error needed. */
  readonly scope?: string
  /** The methods the resource serves, sent as the `Allow` header of a 405 (RFC 9110 §15.5.6). */
  readonly allow?: readonly string[]
  /** Seconds after which a retry may succeed, sent as the `Retry-After` header of a 503 (RFC 9110 §10.2.3). */
  readonly retryAfter?: number
}

function make(error: string, status: number, description?: string): OAuthErrorResponse {
  return description === undefined ? { error, status } : { error, status, description }
}

/**
 * RFC 6749 §5.2 `invalid_request` (400).
 *
 * @example
 * ```ts
 * invalidRequest('Missing parameter grant_type') // { error: 'invalid_request', status: 400, description: 'Missing parameter grant_type' }
 * ```
 * @group OAuth errors
 */
export const invalidRequest = (description?: string): OAuthErrorResponse => make('invalid_request', 400, description)
/**
 * RFC 6749 §5.2 `invalid_client` (401). Pass `basic: true` when the client tried HTTP Basic
 * authentication: the answer then carries `WWW-Authenticate: Basic`.
 *
 * @example
 * ```ts
 * invalidClient('Malformed HTTP Basic credentials', true) // { error: 'invalid_client', status: 401, description: '…', challenge: 'Basic' }
 * ```
 * @group OAuth errors
 */
export const invalidClient = (description?: string, basic = false): OAuthErrorResponse => ({
  ...make('invalid_client', 401, description),
  ...(basic ? { challenge: 'Basic' as const } : {}),
})
/**
 * RFC 6749 §5.2 `invalid_grant` (400).
 *
 * @example
 * ```ts
 * invalidGrant('The authorization code has expired') // { error: 'invalid_grant', status: 400, description: '…' }
 * ```
 * @group OAuth errors
 */
export const invalidGrant = (description?: string): OAuthErrorResponse => make('invalid_grant', 400, description)
/**
 * RFC 6749 §5.2 `unauthorized_client` (400).
 *
 * @example
 * ```ts
 * unauthorizedClient('This client may not use the reciprocal grant') // { error: 'unauthorized_client', status: 400, description: '…' }
 * ```
 * @group OAuth errors
 */
export const unauthorizedClient = (description?: string): OAuthErrorResponse =>
  make('unauthorized_client', 400, description)
/**
 * RFC 6749 §5.2 `unsupported_grant_type` (400).
 *
 * @example
 * ```ts
 * unsupportedGrantType() // { error: 'unsupported_grant_type', status: 400 }
 * ```
 * @group OAuth errors
 */
export const unsupportedGrantType = (description?: string): OAuthErrorResponse =>
  make('unsupported_grant_type', 400, description)
/**
 * RFC 6749 §5.2 `invalid_scope` (400).
 *
 * @example
 * ```ts
 * invalidScope('The requested scope exceeds the grant') // { error: 'invalid_scope', status: 400, description: '…' }
 * ```
 * @group OAuth errors
 */
export const invalidScope = (description?: string): OAuthErrorResponse => make('invalid_scope', 400, description)
/**
 * RFC 6750 §3.1 `invalid_token` (401, `WWW-Authenticate: Bearer`).
 *
 * @example
 * ```ts
 * invalidToken('The access token is invalid, expired or revoked') // { error: 'invalid_token', status: 401, description: '…', challenge: 'Bearer' }
 * ```
 * @group OAuth errors
 */
export const invalidToken = (description?: string): OAuthErrorResponse => ({
  ...make('invalid_token', 401, description),
  challenge: 'Bearer',
})
/**
 * RFC 6750 §3.1 `insufficient_scope` (403), naming the scope that was needed.
 *
 * @example
 * ```ts
 * insufficientScope('music.link') // { error: 'insufficient_scope', status: 403, challenge: 'Bearer', scope: 'music.link' }
 * ```
 * @group OAuth errors
 */
export const insufficientScope = (scope: string, description?: string): OAuthErrorResponse => ({
  ...make('insufficient_scope', 403, description),
  challenge: 'Bearer',
  scope,
})
/**
 * `invalid_request` with status 405 and the `Allow` header (RFC 9110 §15.5.6): the request used a
 * method the endpoint does not serve. A client mistake, never a 5xx (SPEC R7.5).
 *
 * @example
 * ```ts
 * methodNotAllowed(['POST'], 'The request must use POST')
 * // { error: 'invalid_request', status: 405, description: 'The request must use POST', allow: ['POST'] }
 * ```
 * @see RFC 9110 §15.5.6
 * @group OAuth errors
 */
export const methodNotAllowed = (allow: readonly string[], description?: string): OAuthErrorResponse => ({
  ...make('invalid_request', 405, description),
  allow,
})
/**
 * RFC 6749 §5.2 / §4.1.2.1 `server_error` (500), with no detail.
 *
 * @example
 * ```ts
 * serverError() // { error: 'server_error', status: 500, description: 'The server could not handle the request' }
 * ```
 * @group OAuth errors
 */
export const serverError = (): OAuthErrorResponse => make('server_error', 500, 'The server could not handle the request')

function isStorageFull(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ERR_STORAGE_FULL'
}

/** How long a client is asked to wait when the storage is full, seconds. */
const STORAGE_FULL_RETRY_AFTER_SECONDS = 60

/**
 * The answer to an unexpected failure: `503 temporarily_unavailable` with `Retry-After` when the
 * storage is full (an error whose `code`, or whose `cause`'s, is `ERR_STORAGE_FULL`, as `StorageFullError`'s is) — a
 * capacity limit that lifts as records expire — else a bare `500 server_error`. Neither carries
 * anything of the error.
 *
 * @example
 * ```ts
 * failureResponse(new Error('boom')) // serverError()
 * failureResponse(new StorageFullError(10_000)) // { error: 'temporarily_unavailable', status: 503, retryAfter: 60, … }
 * ```
 * @see RFC 6749 §4.1.2.1, RFC 9110 §15.6.4
 * @group OAuth errors
 */
export function failureResponse(error: unknown): OAuthErrorResponse {
  // A party driver's typed storage failure (`ERR_STORAGE_FAILED`) keeps the store's code as its cause's.
  const full = isStorageFull(error) || (typeof error === 'object' && error !== null && 'cause' in error && isStorageFull(error.cause))
  if (!full) return serverError()
  return { ...make('temporarily_unavailable', 503, 'The server is at capacity; retry later'), retryAfter: STORAGE_FULL_RETRY_AFTER_SECONDS }
}

/** Characters RFC 6749 §5.2 allows in `error_description` (%x20-21 / %x23-5B / %x5D-7E). */
const UNSAFE_DESCRIPTION = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g

function quoted(value: string): string {
  return `"${value.replace(UNSAFE_DESCRIPTION, '')}"`
}

/**
 * Renders an OAuth error as an {@link HttpResult}: JSON body with `error` and
 * `error_description`, `Cache-Control: no-store`, `WWW-Authenticate` when due, and `Allow` for a
 * 405.
 *
 * @example
 * ```ts
 * renderOAuthError(invalidClient('Client authentication failed', true))
 * // { status: 401, headers: { 'www-authenticate': 'Basic realm="token"', … }, body: '{"error":"invalid_client",…}' }
 * ```
 * @see RFC 6749 §5.2, RFC 6750 §3
 * @group OAuth errors
 */
export function renderOAuthError(err: OAuthErrorResponse): HttpResult {
  const description = err.description?.replace(UNSAFE_DESCRIPTION, '')
  const body = description ? { error: err.error, error_description: description } : { error: err.error }
  const headers: Record<string, string> = {}
  if (err.challenge) {
    const params = [`realm=${quoted(err.realm ?? 'oauth')}`]
    if (err.challenge === 'Bearer') {
      params.push(`error=${quoted(err.error)}`)
      if (description) params.push(`error_description=${quoted(description)}`)
      if (err.scope !== undefined) params.push(`scope=${quoted(err.scope)}`)
    }
    headers['www-authenticate'] = `${err.challenge} ${params.join(', ')}`
  }
  if (err.allow !== undefined) headers['allow'] = err.allow.join(', ')
  if (err.retryAfter !== undefined) headers['retry-after'] = String(err.retryAfter)
  return jsonResult(err.status, body, headers)
}

/**
 * How the reciprocal grant receiver answers errors (SPEC R3.4):
 * - `'draft'`: the draft's rule, 400 for every invalid request (500 stays 500) — except a failed
 *   HTTP Basic client authentication, which stays 401 with `WWW-Authenticate: Basic` in every
 *   profile, as RFC 6749 §5.2 requires of a client that authenticated with the `Authorization`
 *   header, and a method other than POST, which stays 405 with `Allow: POST`;
 * - `'google'`: Google Linked Account Sign-In's — 401 `invalid_client`, 401 `invalid_token` with
 *   `WWW-Authenticate: Bearer`, 403 `insufficient_permission`, 400 for the rest;
 * - a function, to match another peer's expectations: it gets each error (with the status the
 *   SDK would send) and returns the one to send. A 5xx, a 405 and a failed HTTP Basic
 *   authentication are never passed to it: HTTP and RFC 6749 §5.2 fix those answers.
 *
 * @example
 * ```ts
 * // A peer that wants 401 for every token problem, and the draft's 400 otherwise:
 * const profile: ErrorProfile = (error) => (error.error === 'invalid_token' ? { ...error, status: 401 } : { ...error, status: 400 })
 * ```
 * @group OAuth errors
 */
export type ErrorProfile = 'draft' | 'google' | ((error: OAuthErrorResponse) => OAuthErrorResponse)

/**
 * Maps an error to the chosen {@link ErrorProfile}.
 *
 * @example
 * ```ts
 * applyErrorProfile(invalidToken(), 'draft').status // 400
 * applyErrorProfile(invalidClient('Client authentication failed', true), 'draft').status // 401, with the Basic challenge
 * applyErrorProfile(insufficientScope('music.link'), 'google').error // 'insufficient_permission'
 * ```
 * @see RFC 6749 §5.2
 * @group OAuth errors
 */
export function applyErrorProfile(err: OAuthErrorResponse, profile: ErrorProfile): OAuthErrorResponse {
  // A 405 is HTTP's answer about the method, not an invalid OAuth request: it keeps its status and
  // its Allow header (RFC 9110 §15.5.6).
  if (err.status >= 500 || err.status === 405) return err
  // RFC 6749 §5.2: the client authenticated with the Authorization header, so 401 and a challenge
  // are a MUST, whatever the profile.
  if (err.challenge === 'Basic') return err
  if (typeof profile === 'function') return profile(err)
  if (profile === 'draft') {
    // The draft: "400 if not valid". Keep the registered code so the client can still tell why.
    const { challenge: _challenge, ...rest } = err
    return { ...rest, status: 400 }
  }
  if (err.error === 'insufficient_scope') return { ...err, error: 'insufficient_permission', status: 403 }
  return err
}
