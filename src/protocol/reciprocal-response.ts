/**
 * How party B asks for the reverse grant (draft §2.1, SPEC R1.2): a `reciprocal` member in its
 * token response, or a `reciprocal` parameter in its authorization response. Pure helpers, used by
 * the SDK's authorization server and usable by a B that runs another authorization server.
 *
 * @module
 */
import { RECIPROCAL_PARAMETER } from './constants.js'
import { isValidScope } from './scope.js'
import { invalidValue } from '../core/misuse.js'

function assertScope(scope: string): void {
  // A programming error, not wire input: the scope is the application's own value.
  if (!isValidScope(scope)) throw invalidValue('the reciprocal scope must be a non-empty RFC 6749 §3.3 scope string')
}

/**
 * Returns a copy of a successful token response body (RFC 6749 §5.1) with the `reciprocal` member
 * naming the scopes B wants at A. The input is not modified.
 *
 * @example
 * ```ts
 * const body = withReciprocalScope({ access_token: '…', token_type: 'Bearer' }, 'assistant.announce')
 * // { access_token: '…', token_type: 'Bearer', reciprocal: 'assistant.announce' }
 * ```
 * @throws TypeError when `scope` is not a valid scope string.
 * @see draft-ietf-oauth-reciprocal-04 §2.1, RFC 6749 §5.1
 * @group Protocol
 */
export function withReciprocalScope<T extends object>(tokenResponseBody: T, scope: string): T & { reciprocal: string } {
  assertScope(scope)
  return { ...tokenResponseBody, [RECIPROCAL_PARAMETER]: scope } as T & { reciprocal: string }
}

/**
 * Returns an authorization response redirect URL (RFC 6749 §4.1.2) with the `reciprocal` query
 * parameter set. Other parameters of the URL are kept.
 *
 * @example
 * ```ts
 * withReciprocalParameter('https://a.example/cb?code=x&state=y', 'assistant.announce')
 * // 'https://a.example/cb?code=x&state=y&reciprocal=assistant.announce'
 * ```
 * @throws TypeError when `redirectUrl` is not an absolute URL or `scope` is not a valid scope.
 * @see draft-ietf-oauth-reciprocal-04 §2.1, RFC 6749 §4.1.2
 * @group Protocol
 */
export function withReciprocalParameter(redirectUrl: URL | string, scope: string): string {
  assertScope(scope)
  // Checked first: `new URL` would throw a TypeError whose `input` holds the URL, code and state
  // included (SPEC R7.4, R8.4).
  if (!URL.canParse(redirectUrl)) throw invalidValue('withReciprocalParameter: redirectUrl must be an absolute URL')
  const url = new URL(redirectUrl)
  url.searchParams.set(RECIPROCAL_PARAMETER, scope)
  return url.href
}
