/**
 * The RFC 7009 revocation endpoint (SPEC R5.2): a client revokes a token it holds, which revokes
 * the whole grant — access and refresh tokens alike (RFC 7009 §2.1 allows, and RFC 9700
 * recommends, revoking related tokens).
 *
 * @module
 */
import * as v from 'valibot'
import { CLIENT_AUTH_PARAMETERS } from '../protocol/client-credentials.js'
import { parseFormRequest } from '../protocol/form.js'
import { jsonResult, type HttpResult, type RawHttpRequest } from '../protocol/http.js'
import { renderOAuthError } from '../protocol/oauth-error.js'
import { RevocationRequestSchema, formToObject } from '../protocol/schemas.js'
import { authenticateClientRequest } from './client-auth.js'
import { clientAuthContext, type ServerContext } from './options.js'
import { keys, type TokenRecord } from './records.js'
import { sha256 } from '../lib/hash.js'
import { revokeGrant } from './grants.js'
import { readJwt } from './verify-access-token.js'
import { parameterError } from './wire.js'

/**
 * Handles one revocation request: strict form, client authentication, then revokes the grant of
 * the token when the token was issued to the requesting client. Answers `200` also for unknown,
 * expired or already revoked tokens (RFC 7009 §2.2) and for tokens of other clients — which it
 * leaves alone — so the endpoint cannot be used to test whether a token exists.
 *
 * @example
 * ```ts
 * const result = await handleRevocationRequest(context, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic …' },
 *   body: 'token=…&token_type_hint=refresh_token',
 * })
 * result.status // 200
 * ```
 * @see RFC 7009 §2.1, §2.2
 * @group Authorization server
 */
export async function handleRevocationRequest(context: ServerContext, raw: RawHttpRequest): Promise<HttpResult> {
  const form = parseFormRequest(raw, context.bodyLimitBytes)
  if (!form.ok) return renderOAuthError(form.error)
  const client = await authenticateClientRequest(raw.headers, form.value, clientAuthContext(context))
  if (!client.ok) return renderOAuthError(client.error)
  const parsed = v.safeParse(RevocationRequestSchema, formToObject(form.value, CLIENT_AUTH_PARAMETERS))
  if (!parsed.success) return renderOAuthError(parameterError(parsed.issues))

  const record = await findToken(context, parsed.output.token, parsed.output.token_type_hint)
  if (record !== undefined && record.clientId === client.value.clientId) await revokeGrant(context, record.grantId)
  return jsonResult(200, {})
}

/** The token's record: an opaque access token, a refresh token, or one of our JWTs. */
async function findToken(context: ServerContext, token: string, hint: string | undefined): Promise<TokenRecord | undefined> {
  const tokenHash = sha256(token)
  const lookups = [
    () => context.storage.get<TokenRecord>(keys.accessToken(tokenHash)),
    () => context.storage.get<TokenRecord>(keys.refreshToken(tokenHash)),
  ]
  // RFC 7009 §2.1: the hint only decides where to look first.
  if (hint === 'refresh_token') lookups.reverse()
  for (const lookup of lookups) {
    const record = await lookup()
    if (record !== undefined) return record
  }
  const format = context.accessTokenFormat
  if (format !== 'opaque' && token.split('.').length === 3) return readJwt(context, format, token)
  return undefined
}
