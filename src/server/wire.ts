/**
 * Small helpers the server's endpoints share at the wire: schema issues turned into safe OAuth
 * errors, the token response, and the `server_error` guard (SPEC R7.4, R7.5).
 *
 * @module
 */
import * as v from 'valibot'
import { jsonResult, type HttpResult, type RawHttpRequest } from '../protocol/http.js'
import { failureResponse, invalidRequest, renderOAuthError, type OAuthErrorResponse } from '../protocol/oauth-error.js'
import { unexpectedFailure, type Emit, type FailureSite } from '../events.js'

/** Parameter names we may quote: the schemas' own keys, never a value the client sent. */
const KNOWN_NAME = /^[a-z_]{1,40}$/

/**
 * An `invalid_request` naming the first parameter a schema refused. Valibot's own messages are
 * not used: they quote the received value, which may be a secret or a code (SPEC R7.4).
 *
 * @example
 * ```ts
 * const parsed = v.safeParse(RefreshTokenRequestSchema, formToObject(params))
 * if (!parsed.success) return renderOAuthError(parameterError(parsed.issues))
 * ```
 * @group Authorization server
 */
export function parameterError(issues: readonly v.BaseIssue<unknown>[]): OAuthErrorResponse {
  const first = issues[0]
  const name = first === undefined ? null : v.getDotPath(first)
  return name !== null && KNOWN_NAME.test(name)
    ? invalidRequest(`Missing or invalid parameter ${name}`)
    : invalidRequest('Missing or invalid parameter')
}

/**
 * A `200` token response (RFC 6749 §5.1): JSON, `Cache-Control: no-store`.
 *
 * @example
 * ```ts
 * return tokenResult({ access_token: accessToken, token_type: 'Bearer', expires_in: 3600, scope })
 * ```
 * @group Authorization server
 */
export function tokenResult(body: object): HttpResult {
  return jsonResult(200, body)
}

/**
 * Wraps a handler's lower door so an unexpected throw (a storage outage, a bug) is told to the
 * observer as an `unexpected-failure` at `where`, and answered with {@link failureResponse}: a
 * bare `500 server_error` (or `503` with `Retry-After` for a full storage) — no message, no
 * stack, nothing that could carry a secret.
 *
 * @example
 * ```ts
 * const handle = guarded((raw) => handleTokenRequest(context, raw), context.emit, 'token-endpoint')
 * ```
 * @group Authorization server
 */
export function guarded(
  handle: (raw: RawHttpRequest) => Promise<HttpResult>,
  emit: Emit,
  where: FailureSite,
): (raw: RawHttpRequest) => Promise<HttpResult> {
  return async (raw) => {
    try {
      return await handle(raw)
    } catch (error) {
      emit(unexpectedFailure(where, error))
      return renderOAuthError(failureResponse(error))
    }
  }
}
