/**
 * RFC 8414 authorization server metadata (SPEC R6.1): what a peer reads to learn our endpoints
 * and that we accept the reciprocal grant.
 *
 * @module
 */
import type { ServerContext } from './options.js'

/**
 * The metadata document, served as JSON at `/.well-known/oauth-authorization-server`.
 *
 * @example
 * ```ts
 * const document: AuthorizationServerMetadata = assistantAs.metadata()
 * const reciprocal = document.grant_types_supported.includes('urn:ietf:params:oauth:grant-type:reciprocal')
 * ```
 * @see SPEC R6.1, RFC 8414 §2
 * @group Authorization server
 */
export interface AuthorizationServerMetadata {
  readonly issuer: string
  readonly token_endpoint: string
  readonly authorization_endpoint?: string
  readonly revocation_endpoint?: string
  readonly response_types_supported: readonly string[]
  /** Includes the reciprocal grant URN when an extension grant handles it (SPEC R6.1). */
  readonly grant_types_supported: readonly string[]
  readonly token_endpoint_auth_methods_supported: readonly string[]
  readonly token_endpoint_auth_signing_alg_values_supported: readonly string[]
  readonly revocation_endpoint_auth_methods_supported?: readonly string[]
  readonly revocation_endpoint_auth_signing_alg_values_supported?: readonly string[]
  readonly code_challenge_methods_supported: readonly string[]
  /** RFC 9207: authorization responses carry `iss`. */
  readonly authorization_response_iss_parameter_supported: boolean
}

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const
// jose verifies any of these when the client's JWKS holds a key of that type (RFC 7523 assertions).
const SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const

/**
 * Builds our RFC 8414 metadata from the resolved options.
 *
 * @example
 * ```ts
 * const document = authorizationServerMetadata(context)
 * document.grant_types_supported // ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:reciprocal']
 * ```
 * @see RFC 8414 §2, RFC 9207 §3, RFC 7009 §4
 * @group Authorization server
 */
export function authorizationServerMetadata(context: ServerContext): AuthorizationServerMetadata {
  const grantTypes = ['authorization_code', ...(context.refreshTokens ? ['refresh_token'] : []), ...context.extensionGrants.keys()]
  return {
    issuer: context.issuer,
    token_endpoint: context.tokenEndpoint,
    ...(context.authorizationEndpoint === undefined ? {} : { authorization_endpoint: context.authorizationEndpoint }),
    ...(context.revocationEndpoint === undefined
      ? {}
      : {
          revocation_endpoint: context.revocationEndpoint,
          revocation_endpoint_auth_methods_supported: AUTH_METHODS,
          revocation_endpoint_auth_signing_alg_values_supported: SIGNING_ALGS,
        }),
    response_types_supported: ['code'],
    grant_types_supported: grantTypes,
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: SIGNING_ALGS,
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  }
}
