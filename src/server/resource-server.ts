/**
 * The bearer check a resource server runs on each request (SPEC R4.4, RFC 6750): the token from
 * the `Authorization` header, verified, and the scope the route needs.
 *
 * @module
 */
import { authorizationCredentials, headerValue, jsonResult, type HttpResult, type RawHttpRequest } from '../protocol/http.js'
import {
  failureResponse,
  insufficientScope,
  invalidRequest,
  invalidToken,
  renderOAuthError,
  type OAuthErrorResponse,
} from '../protocol/oauth-error.js'
import { isScopeSubset, parseScope } from '../protocol/scope.js'
import type { ServerContext } from './options.js'
import { verifyAccessToken, type AccessTokenInfo } from './verify-access-token.js'
import { invalidValue } from '../misuse.js'
import { unexpectedFailure } from '../events.js'

/**
 * The outcome of a bearer check (`AuthorizationServer.authenticateRequest`): the token, or the
 * response to send.
 *
 * @group Authorization server
 */
export type BearerCheck =
  | { readonly ok: true; readonly token: AccessTokenInfo }
  | { readonly ok: false; readonly result: HttpResult }

/** RFC 6750 §2.1: the b64token after `Bearer`. Linear: `=` is not in the class, so each character matches one way. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

/**
 * Authenticates a resource request by its bearer token. Answers as RFC 6750 §3.1 says: no
 * credentials → 401 with a bare `WWW-Authenticate: Bearer realm="…"` challenge and no error
 * code; a malformed header → 400 `invalid_request`; an unknown, expired or revoked token → 401
 * `invalid_token`; a token without `requiredScope` → 403 `insufficient_scope`; a storage
 * failure → 500 `server_error`. Throws `TypeError` only for a `requiredScope` that is not a scope.
 *
 * @example
 * ```ts
 * const check = await authenticateRequest(context, raw, 'assistant.announce')
 * if (!check.ok) return check.result
 * announce(check.token.subject)
 * ```
 * @see RFC 6750 §2.1, §3, §3.1
 * @group Authorization server
 */
export async function authenticateRequest(
  context: ServerContext,
  raw: RawHttpRequest,
  requiredScope?: string,
): Promise<BearerCheck> {
  const fail = (error: OAuthErrorResponse): BearerCheck => ({
    ok: false,
    result: renderOAuthError({ ...error, realm: context.realm }),
  })
  // A bad requiredScope is the route's programming error, not the caller's: throw, don't answer.
  const needed = requiredScope === undefined ? [] : parseScope(requiredScope)
  if (needed === undefined) throw invalidValue('requiredScope is not a valid scope string')
  try {
    const authorization = headerValue(raw.headers, 'authorization')
    const credentials = authorization === undefined ? undefined : authorizationCredentials(authorization, 'Bearer')
    // No bearer credentials at all: RFC 6750 §3.1 says not to include an error code.
    if (credentials === undefined) return { ok: false, result: bareChallenge(context.realm) }
    if (credentials === null || !B64TOKEN.test(credentials)) {
      return fail({ ...invalidRequest('Malformed Authorization header'), challenge: 'Bearer' })
    }
    const token = await verifyAccessToken(context, credentials)
    if (token === undefined) return fail(invalidToken('The access token is invalid, expired or revoked'))
    if (!isScopeSubset(needed, parseScope(token.scope) ?? [])) {
      return fail(insufficientScope(needed.join(' '), 'The access token lacks the required scope'))
    }
    return { ok: true, token }
  } catch (error) {
    context.emit(unexpectedFailure('resource-server', error))
    return { ok: false, result: renderOAuthError(failureResponse(error)) }
  }
}

/** 401 with `WWW-Authenticate: Bearer realm="…"` and no error code (RFC 6750 §3, §3.1). */
function bareChallenge(realm: string): HttpResult {
  const safeRealm = realm.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')
  return jsonResult(401, {}, { 'www-authenticate': `Bearer realm="${safeRealm}"` })
}
