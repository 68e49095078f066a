/**
 * Issuing an access token (opaque, or an RFC 9068 JWT) and a refresh token in a grant, and the
 * RFC 6749 §5.1 response body that carries them (SPEC R4.2).
 *
 * @module
 */
import { SECRET_BYTES } from '../protocol/constants.js'
import { secretFromBytes } from '../lib/encoding.js'
import { sha256 } from '../lib/hash.js'
import { loadSignJwt } from '../lib/jose.js'
import type { JwtAccessTokenFormat, ServerContext } from './options.js'
import { reuseMarker } from '../rules/refresh-rotation.js'
import { keys, type TokenRecord } from './records.js'

/**
 * A successful token response (RFC 6749 §5.1), plus `reciprocal` when the server asks for the
 * reverse grant (SPEC R1.2).
 *
 * @group Authorization server
 */
export interface TokenResponseBody {
  readonly access_token: string
  readonly token_type: IssuedTokenType
  readonly expires_in: number
  readonly scope: string
  readonly refresh_token?: string
  readonly reciprocal?: string
}

/**
 * The `token_type` this server issues (RFC 6749 §7.1): `Bearer` (RFC 6750). The one place a
 * sender-constrained binding changes: DPoP would issue `DPoP` for a token bound to the key of the
 * token request's proof (RFC 9449 §5, `docs/dpop-seam.md`).
 *
 * @group Authorization server
 */
export type IssuedTokenType = 'Bearer'

/** See {@link IssuedTokenType}. A binding would take the grant info and the request's proof. */
function issuedTokenType(): IssuedTokenType {
  return 'Bearer'
}

/** Who and what the tokens are for. @group Authorization server */
export interface TokenGrantInfo {
  readonly grantId: string
  readonly clientId: string
  readonly subject: string
  /** The access token's scope: the grant's, or narrower on refresh. */
  readonly accessScope: string
  /** The grant's scope: what a refresh may ask for later (RFC 6749 §6). */
  readonly grantScope: string
  /** The refresh token to issue, from {@link newRefreshToken}, already named in the grant record; none when refresh tokens are off. */
  readonly refreshToken?: NewRefreshToken
  /** On rotation, the hash of the refresh token this one replaces: revoking the grant follows this chain to delete reuse markers. */
  readonly replaces?: string
  /**
   * `false` when the grant was revoked while it was being written (a concurrent replay): the
   * tokens still go out, but are not stored — they could never be used, and storing them would
   * only leave records behind. Default `true`.
   */
  readonly store?: boolean
}

/** A refresh token about to be issued, and its SHA-256 for the grant record. @group Authorization server */
export interface NewRefreshToken {
  readonly token: string
  readonly hash: string
}

/**
 * A new refresh token when the server issues them, `undefined` otherwise. Made before the grant
 * record is written, so that the record can name it (`grants.ts` deletes it with the grant).
 *
 * @example
 * ```ts
 * const refreshToken = await newRefreshToken(context)
 * await writeGrant(context, grantId, { ...grant, ...(refreshToken && { refreshTokenHash: refreshToken.hash }) }, takenAt)
 * ```
 * @group Authorization server
 */
export async function newRefreshToken(context: ServerContext): Promise<NewRefreshToken | undefined> {
  if (!context.refreshTokens) return undefined
  const token = newSecret(context)
  return { token, hash: sha256(token) }
}

/**
 * Issues an access token and, when refresh tokens are on, the refresh token `info` names,
 * storing only their hashes. Returns the response body to send.
 *
 * @example
 * ```ts
 * const body = await issueTokens(context, { grantId, clientId: 'music', subject: 'u1', accessScope: 'a', grantScope: 'a', refreshToken })
 * body.token_type // 'Bearer'
 * ```
 * @see RFC 6749 §5.1, RFC 9068
 * @group Authorization server
 */
export async function issueTokens(context: ServerContext, info: TokenGrantInfo): Promise<TokenResponseBody> {
  const now = context.runtime.now()
  const accessTtl = context.accessTokenTtlSeconds
  const accessRecord: TokenRecord = {
    grantId: info.grantId,
    clientId: info.clientId,
    subject: info.subject,
    scope: info.accessScope,
    expiresAt: now + accessTtl,
  }
  const store = info.store ?? true
  const format = context.accessTokenFormat
  let accessToken: string
  if (format === 'opaque') {
    accessToken = newSecret(context)
    if (store) await context.storage.set(keys.accessToken(sha256(accessToken)), accessRecord, accessTtl)
  } else {
    accessToken = await signJwtAccessToken(context, format, accessRecord, now)
  }

  const body: TokenResponseBody = { access_token: accessToken, token_type: issuedTokenType(), expires_in: accessTtl, scope: info.accessScope }
  const refresh = info.refreshToken
  if (refresh === undefined) return body

  const refreshTtl = context.refreshTokenTtlSeconds
  const refreshRecord: TokenRecord = { ...accessRecord, scope: info.grantScope, expiresAt: now + refreshTtl }
  // The reuse marker is written first, for as long as the token lives: once the token is taken
  // by its one rotation, any later presentation finds the marker and revokes the grant — with
  // no window between the take and a marker written afterwards (RFC 9700 §4.14.2).
  const marker = reuseMarker(info.grantId, info.replaces)
  if (store) {
    await context.storage.set(keys.usedRefreshToken(refresh.hash), marker, refreshTtl)
    await context.storage.set(keys.refreshToken(refresh.hash), refreshRecord, refreshTtl)
  }
  return { ...body, refresh_token: refresh.token }
}

function newSecret(context: ServerContext): string {
  return secretFromBytes(context.runtime.randomBytes(SECRET_BYTES))
}

async function signJwtAccessToken(
  context: ServerContext,
  format: JwtAccessTokenFormat,
  record: TokenRecord,
  now: number,
): Promise<string> {
  const { SignJWT } = await loadSignJwt()
  // RFC 9068 §2.2 claims, plus `gid`: the grant, so that revoking the grant revokes the JWT too.
  return new SignJWT({ client_id: record.clientId, scope: record.scope, gid: record.grantId })
    .setProtectedHeader(format.kid === undefined ? { alg: format.alg, typ: 'at+jwt' } : { alg: format.alg, typ: 'at+jwt', kid: format.kid })
    .setIssuer(context.issuer)
    .setSubject(record.subject)
    .setAudience(format.audience ?? record.clientId)
    .setIssuedAt(now)
    .setExpirationTime(record.expiresAt)
    .setJti(secretFromBytes(context.runtime.randomBytes(16)))
    .sign(format.privateKey)
}
