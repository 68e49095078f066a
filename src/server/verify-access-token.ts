/**
 * The resource server's view of an access token this server issued (SPEC R4.4): live only while
 * unexpired and while its grant is live (not revoked, not superseded).
 *
 * @module
 */
import { loadJwtVerify } from '../lib/jose.js'
import type { JwtAccessTokenFormat, ServerContext } from './options.js'
import { keys, type TokenRecord } from './records.js'
import { sha256 } from '../lib/hash.js'
import { liveGrant } from './grants.js'
import type { VerifiedAccessToken } from '../core/access-token.js'

/** Longest token string we look at: our tokens are far shorter. */
const MAX_TOKEN_LENGTH = 8192

/**
 * Checks an access token: opaque tokens by their stored hash, JWTs by signature, issuer, type and
 * expiry; both by the liveness of their grant. Resolves `undefined` for anything that is not a
 * live token of ours — never throws for a bad token.
 *
 * @example
 * ```ts
 * const info = await verifyAccessToken(context, token)
 * if (info === undefined) return unauthorized()
 * ```
 * @see RFC 6750 §3.1, RFC 9068 §4
 * @group Authorization server
 */
export async function verifyAccessToken(context: ServerContext, token: string): Promise<(VerifiedAccessToken & { readonly expiresAt: number; readonly grantId: string }) | undefined> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined
  const format = context.accessTokenFormat
  // A JWT has exactly two dots; our opaque tokens are base64url and have none.
  const record =
    format !== 'opaque' && token.split('.').length === 3
      ? await readJwt(context, format, token)
      : await context.storage.get<TokenRecord>(keys.accessToken(sha256(token)))
  if (record === undefined || record.expiresAt <= context.runtime.now()) return undefined
  const grant = await liveGrant(context, record.grantId)
  if (grant === undefined || grant.clientId !== record.clientId || grant.subject !== record.subject) return undefined
  return {
    clientId: record.clientId,
    subject: record.subject,
    scope: record.scope,
    expiresAt: record.expiresAt,
    grantId: record.grantId,
  }
}

/**
 * The claims of a JWT access token we signed, as a token record, or `undefined` when the
 * signature, issuer, type, algorithm, audience or lifetime do not check out. Shared with the
 * revocation endpoint.
 *
 * @internal
 */
export async function readJwt(
  context: ServerContext,
  format: JwtAccessTokenFormat,
  token: string,
): Promise<TokenRecord | undefined> {
  const { jwtVerify } = await loadJwtVerify()
  try {
    const { payload } = await jwtVerify(token, format.publicKey, {
      issuer: context.issuer,
      typ: 'at+jwt',
      algorithms: [format.alg],
      currentDate: new Date(context.runtime.now() * 1000),
      requiredClaims: ['sub', 'exp', 'iat', 'jti', 'client_id', 'scope', 'gid'],
      ...(format.audience === undefined ? {} : { audience: format.audience }),
    })
    const { sub, exp, client_id: clientId, scope, gid } = payload
    if (typeof sub !== 'string' || typeof exp !== 'number' || typeof clientId !== 'string') return undefined
    if (typeof scope !== 'string' || typeof gid !== 'string') return undefined
    return { grantId: gid, clientId, subject: sub, scope, expiresAt: exp }
  } catch {
    // expected: a signature, claim or format failure means the token is not a live one of ours.
    return undefined
  }
}
