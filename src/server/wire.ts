/**
 * Small helpers the server's endpoints share at the wire: schema issues turned into safe OAuth
 * errors and the token response (SPEC R7.4). The `server_error` guard is `http/endpoint.ts`.
 *
 * @module
 */
import * as v from 'valibot'
import { jsonResult, type HttpResult, type RawHttpRequest } from '../protocol/http.js'
import { invalidRequest, type OAuthErrorResponse } from '../protocol/oauth-error.js'

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
