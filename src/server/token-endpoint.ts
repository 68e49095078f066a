/**
 * The token endpoint (RFC 6749 §3.2): strict form parsing, dispatch of extension grants (party
 * B's reciprocal grant receiver), client authentication, then the `authorization_code` and
 * `refresh_token` grants (SPEC R4.2, R7.5, R7.11, R8.3).
 *
 * @module
 */
import { parseFormRequest } from '../protocol/form.js'
import type { HttpResult, RawHttpRequest } from '../protocol/http.js'
import { invalidRequest, renderOAuthError, unsupportedGrantType } from '../protocol/oauth-error.js'
import { authenticateClientRequest } from './client-auth.js'
import { clientAuthContext, type ServerContext } from './options.js'
import { authorizationCodeGrant } from './authorization-code-grant.js'
import { refreshTokenGrant } from './refresh-token-grant.js'

/**
 * Handles one token request. Every malformed input gets an RFC 6749 §5.2 error: a method other
 * than POST (405 `invalid_request` with `Allow: POST`), a wrong content type, an oversized body, a
 * repeated parameter (`invalid_request`), failed or ambiguous client authentication
 * (`invalid_client` / `invalid_request`), an unknown `grant_type` (`unsupported_grant_type`).
 * Grant types listed in `extensionGrants` are handed, with the parsed
 * form, to their handler, which authenticates the client itself. Does not catch: wrap it with
 * `guarded` (the server object does) so that an unexpected throw becomes `server_error`.
 *
 * @example
 * ```ts
 * const result = await handleTokenRequest(context, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic …' },
 *   body: 'grant_type=authorization_code&code=…',
 * })
 * ```
 * @see RFC 6749 §3.2, §4.1.3, §5, §6
 * @group Authorization server
 */
export async function handleTokenRequest(context: ServerContext, raw: RawHttpRequest): Promise<HttpResult> {
  const form = parseFormRequest(raw, context.bodyLimitBytes)
  if (!form.ok) return renderOAuthError(form.error)
  const params = form.value

  const grantType = params.get('grant_type')
  if (grantType === undefined) return renderOAuthError(invalidRequest('Missing parameter grant_type'))
  const extension = context.extensionGrants.get(grantType)
  if (extension !== undefined) return extension(raw, params)
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    return renderOAuthError(unsupportedGrantType('The grant_type is not supported'))
  }

  const client = await authenticateClientRequest(raw.headers, params, clientAuthContext(context))
  if (!client.ok) return renderOAuthError(client.error)

  return grantType === 'authorization_code'
    ? authorizationCodeGrant(context, client.value, params)
    : refreshTokenGrant(context, client.value, params)
}
