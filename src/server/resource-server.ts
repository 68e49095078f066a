/**
 * The bearer check a resource server runs on each request (SPEC R4.4, RFC 6750): the token from
 * the `Authorization` header, verified, and the scope the route needs.
 *
 * @module
 */
import { authorizationCredentials, headerValue, jsonResult, type HttpResult, type RawHttpRequest } from '../protocol/http.js'
import {
  insufficientScope,
  invalidRequest,
  invalidToken,
  renderOAuthError,
  type OAuthErrorResponse,
} from '../protocol/oauth-error.js'
import { isScopeSubset, parseScope } from '../protocol/scope.js'
import type { ServerContext } from './options.js'
import { verifyAccessToken } from './verify-access-token.js'
import type { VerifiedAccessToken } from '../core/access-token.js'
import { invalidValue } from '../core/misuse.js'
import { unexpected } from '../http/guarded.js'

/**
 * The outcome of a bearer check (`AuthorizationServer.authenticateRequest`): the token, or the
 * response to send.
 *
 * @example
 * ```ts
 * const check: BearerCheck = await assistantAs.authenticateRequest(raw, 'assistant.announce')
 * const answer = check.ok ? announce(check.token.subject) : toResponse(check.result)
 * ```
 * @see SPEC R4.4, RFC 6750 §2.1, §3.1
 * @group Authorization server
 */
export type BearerCheck =
  | { readonly ok: true; readonly token: VerifiedAccessToken & { readonly expiresAt: number; readonly grantId: string } }
  | { readonly ok: false; readonly result: HttpResult }

/**
 * A proof-of-possession check for one sender-constrained authorization scheme: the seam where
 * DPoP (RFC 9449 §7.1, scheme `DPoP`) plugs into the bearer check (`docs/dpop-seam.md`). Without
 * one, only `Bearer` credentials are accepted; any other scheme gets the bare RFC 6750 challenge.
 *
 * @example
 * ```ts
 * const proofCheck: ProofCheck = {
 *   scheme: 'DPoP',
 *   // Resolve undefined when the request's proof holds for the token, else the error to answer with.
 *   verify: async ({ token, tokenInfo, request }) => (token && tokenInfo.subject && request.headers ? undefined : invalidToken()),
 * }
 * const check = await authenticateRequest(context, raw, 'assistant.announce', { proofCheck })
 * ```
 * @see RFC 9449 §7.1
 * @group Authorization server
 */
export interface ProofCheck {
  /** The authorization scheme it verifies, e.g. `'DPoP'`; matched case-insensitively (RFC 9110 §11.1). */
  readonly scheme: string
  /**
   * Called after the token itself was verified, with the whole request (a DPoP proof is the
   * `DPoP` header, bound to the method, the URL and the token). Resolves `undefined` when the
   * proof holds, or the OAuth error to answer with (e.g. RFC 9449's `invalid_dpop_proof`).
   */
  verify(input: {
    readonly token: string
    readonly tokenInfo: VerifiedAccessToken & { readonly expiresAt: number; readonly grantId: string }
    readonly request: Pick<RawHttpRequest, 'method' | 'headers' | 'url'>
  }): Promise<OAuthErrorResponse | undefined>
}

/**
 * Options of `AuthorizationServer.authenticateRequest`.
 *
 * @example
 * ```ts
 * const authOptions: AuthenticateRequestOptions = {} // or { proofCheck } to accept DPoP as well
 * const check = await assistantAs.authenticateRequest(raw, 'assistant.announce', authOptions)
 * ```
 * @see SPEC R4.4, docs/dpop-seam.md
 * @group Authorization server
 */
export interface AuthenticateRequestOptions {
  /** Accept one more scheme than `Bearer`, with its proof check (see {@link ProofCheck}). */
  readonly proofCheck?: ProofCheck
}

/** RFC 6750 §2.1: the b64token after `Bearer`. Linear: `=` is not in the class, so each character matches one way. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

/**
 * Authenticates a resource request by its bearer token. Answers as RFC 6750 §3.1 says: no
 * credentials → 401 with a bare `WWW-Authenticate: Bearer realm="…"` challenge and no error
 * code; a malformed header → 400 `invalid_request`; an unknown, expired or revoked token → 401
 * `invalid_token`; a token without `requiredScope` → 403 `insufficient_scope`; a storage
 * failure → 500 `server_error`. Throws `TypeError` only for a `requiredScope` that is not a scope.
 * With `options.proofCheck`, its scheme is accepted too, and its proof checked after the token.
 * Only the method, headers and URL are read, so a Web `Request` is passed as it is (its body
 * untouched) as well as a request already read.
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
  raw: Pick<RawHttpRequest, 'method' | 'headers' | 'url'>,
  requiredScope?: string,
  options: AuthenticateRequestOptions = {},
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
    const { proofCheck } = options
    const proofCredentials = authorization === undefined || proofCheck === undefined ? undefined : authorizationCredentials(authorization, proofCheck.scheme)
    const credentials =
      proofCredentials !== undefined || authorization === undefined ? proofCredentials : authorizationCredentials(authorization, 'Bearer')
    // No bearer credentials at all: RFC 6750 §3.1 says not to include an error code.
    if (credentials === undefined) return { ok: false, result: bareChallenge(context.realm) }
    if (credentials === null || !B64TOKEN.test(credentials)) {
      return fail({ ...invalidRequest('Malformed Authorization header'), challenge: 'Bearer' })
    }
    const token = await verifyAccessToken(context, credentials)
    if (token === undefined) return fail(invalidToken('The access token is invalid, expired or revoked'))
    if (proofCredentials !== undefined && proofCheck !== undefined) {
      const refused = await proofCheck.verify({ token: credentials, tokenInfo: token, request: raw })
      if (refused !== undefined) return fail(refused)
    }
    if (!isScopeSubset(needed, parseScope(token.scope) ?? [])) {
      return fail(insufficientScope(needed.join(' '), 'The access token lacks the required scope'))
    }
    return { ok: true, token }
  } catch (error) {
    return { ok: false, result: unexpected(context.emit, 'resource-server', error) }
  }
}

/** 401 with `WWW-Authenticate: Bearer realm="…"` and no error code (RFC 6750 §3, §3.1). */
function bareChallenge(realm: string): HttpResult {
  const safeRealm = realm.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')
  return jsonResult(401, {}, { 'www-authenticate': `Bearer realm="${safeRealm}"` })
}
