/**
 * Ready-made ways for party B to check the access token A presents with the reciprocal grant
 * request (SPEC R3.3, R7.3): RFC 7662 introspection at B's own authorization server, or an
 * RFC 9068 JWT access token check with jose. B's own token store is the third way (write an
 * `AccessTokenVerifier` over it).
 *
 * @module
 */
import type { JWTVerifyGetKey, KeyInput } from 'jose'
import * as oauth from 'oauth4webapi'
import * as v from 'valibot'
import type { AccessTokenVerifier, VerifiedAccessToken } from '../core/access-token.js'
import { ErrorCode, ReciprocalError } from '../core/errors.js'
import { loadJwtVerify } from '../lib/jose.js'
import { IntrospectionResponseSchema } from '../protocol/schemas.js'
import { toReciprocalError } from './errors.js'
import { requestOptions, type PeerConfig } from './peer.js'

/**
 * A verifier that asks B's own authorization server about the token by RFC 7662 introspection
 * (`config.as.introspection_endpoint`, authenticated as `config.client`). An inactive token, a
 * refresh token, or an answer without `client_id` and `sub` resolves `undefined`.
 *
 * A transport failure or an error answer (e.g. our introspection credentials are wrong) rejects
 * with a {@link reciprocal-oauth!ReciprocalError} at step `receive-code` instead: it says nothing about the token,
 * so it must not be reported to A as a bad token.
 *
 * @throws {@link reciprocal-oauth!ReciprocalError} `Configuration` at creation when no introspection endpoint is set.
 * @example
 * ```ts
 * const verifyAccessToken = introspectionVerifier({
 *   as: { issuer: 'https://music.example', introspection_endpoint: 'https://music.example/introspect' },
 *   client: { client_id: 'reciprocal-receiver' },
 *   clientAuth: oauth.ClientSecretBasic(secret),
 * })
 * ```
 * @group Client
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export function introspectionVerifier(config: PeerConfig): AccessTokenVerifier {
  if (config.as.introspection_endpoint === undefined) {
    throw new ReciprocalError('The introspection verifier has no introspection endpoint', {
      code: ErrorCode.Configuration,
      step: 'configuration',
      hint: 'Set as.introspection_endpoint (RFC 7662) in the verifier configuration.',
    })
  }
  return async (token) => {
    let result: oauth.IntrospectionResponse
    try {
      const response = await oauth.introspectionRequest(config.as, config.client, config.clientAuth, token, {
        ...requestOptions(config),
        additionalParameters: { token_type_hint: 'access_token' },
      })
      result = await oauth.processIntrospectionResponse(config.as, config.client, response)
    } catch (error) {
      throw toReciprocalError(error, 'receive-code')
    }
    const parsed = v.safeParse(IntrospectionResponseSchema, result)
    if (!parsed.success || !parsed.output.active) return undefined
    const { client_id: clientId, sub: subject, scope, exp } = parsed.output
    if (clientId === undefined || subject === undefined || result.token_type === 'refresh_token') return undefined
    return verified(clientId, subject, scope, exp)
  }
}

function verified(clientId: string, subject: string, scope: string | undefined, exp: number | undefined): VerifiedAccessToken {
  return { clientId, subject, scope: scope ?? '', ...(exp === undefined ? {} : { expiresAt: exp }) }
}

/**
 * Options of {@link jwtAccessTokenVerifier}.
 *
 * @example
 * ```ts
 * const jwtOptions: JwtAccessTokenVerifierOptions = { issuer: 'https://music.example', jwks: createLocalJWKSet(publicJwks) }
 * const verifyAccessToken = jwtAccessTokenVerifier(jwtOptions)
 * ```
 * @see SPEC R3.3, RFC 9068 §4
 * @group Client
 */
export interface JwtAccessTokenVerifierOptions {
  /** The expected `iss`: B's own issuer identifier. */
  readonly issuer: string
  /** The verification key(s): e.g. jose's `createLocalJWKSet(jwks)` / `createRemoteJWKSet(url)`, or one key. */
  readonly jwks: JWTVerifyGetKey | KeyInput
  /** The expected `aud` (RFC 9068 §4: the resource indicator). Checked when given. */
  readonly audience?: string | string[]
  /** Accepted `alg` values. Default: what the key allows (jose never accepts `none`). */
  readonly algorithms?: string[]
  /** Clock: seconds since the epoch. Default: the system clock. */
  readonly now?: () => number
  /** Clock tolerance for `exp` / `nbf`, seconds. Default 0. */
  readonly clockTolerance?: number
}

/**
 * A verifier for RFC 9068 JWT access tokens that B itself issued, with jose: signature, `typ`
 * `at+jwt`, `iss`, `aud` (when configured), `exp`, and the presence of `sub` and `client_id`.
 * Any failure resolves `undefined`: a bad token is an answer, never an exception.
 *
 * @example
 * ```ts
 * const verifyAccessToken = jwtAccessTokenVerifier({
 *   issuer: 'https://music.example',
 *   jwks: createLocalJWKSet(publicJwks),
 * })
 * ```
 * @group Client
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export function jwtAccessTokenVerifier(options: JwtAccessTokenVerifierOptions): AccessTokenVerifier {
  return async (token) => {
    const { jwtVerify } = await loadJwtVerify()
    try {
      const { payload } = await jwtVerify(token, options.jwks, {
        issuer: options.issuer,
        typ: 'at+jwt',
        requiredClaims: ['exp', 'sub', 'client_id'],
        ...(options.audience === undefined ? {} : { audience: options.audience }),
        ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
        ...(options.now === undefined ? {} : { currentDate: new Date(options.now() * 1000) }),
        ...(options.clockTolerance === undefined ? {} : { clockTolerance: options.clockTolerance }),
      })
      const { sub, client_id: clientId, scope, exp } = payload
      if (typeof sub !== 'string' || typeof clientId !== 'string') return undefined
      if (scope !== undefined && typeof scope !== 'string') return undefined
      return verified(clientId, sub, scope, exp)
    } catch (error) {
      // expected: jose's verdicts on the token itself (signature, claims, format, no key for it)
      // mean it is not one of ours, or no longer valid. Anything else — the key set unreachable,
      // a timeout — is an outage, not a bad token: it is thrown on, for the door to report.
      if (isTokenRefusal(error)) return undefined
      throw error
    }
  }
}

/** jose's error codes that judge the token, not the verifier's ability to judge it. */
const TOKEN_REFUSALS: ReadonlySet<string> = new Set([
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_EXPIRED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
])

function isTokenRefusal(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined
  return typeof code === 'string' && TOKEN_REFUSALS.has(code)
}
