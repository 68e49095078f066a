/**
 * Verified access tokens: what an authorization server's token check tells the code that asked
 * (party B's receiver, a resource server). Shared vocabulary of the client and server layers.
 *
 * @module
 */

/**
 * What an authorization server knows about an access token it issued (SPEC R3.3, R4.4): party
 * B's check of A's `access_token` in the reciprocal POST, and this SDK's resource-server check.
 *
 * @example
 * ```ts
 * const token: VerifiedAccessToken = { clientId: 'assistant', subject: 'alice', scope: 'music.play', expiresAt: now + 3600 }
 * ```
 * @group Vocabulary
 */
export interface VerifiedAccessToken {
  /** The client the token was issued to. */
  readonly clientId: string
  /** The user (at B) the token is about. */
  readonly subject: string
  /** The token's scope, space-delimited. */
  readonly scope: string
  /** Expiry, seconds since the epoch, when known. */
  readonly expiresAt?: number | undefined
  /**
   * The grant the token belongs to, when the server knows it (this SDK's authorization server
   * always does): pass it to `revokeGrant` to revoke every token of the grant.
   */
  readonly grantId?: string | undefined
}

/**
 * B's lookup of the access tokens it issued: its own token store, a JWT check, or RFC 7662
 * introspection. Resolves `undefined` for a token that is unknown, expired or revoked.
 *
 * @example
 * ```ts
 * const verifyAccessToken: AccessTokenVerifier = (token) => musicAs.verifyAccessToken(token)
 * ```
 * @see SPEC R3.3
 * @group Vocabulary
 */
export type AccessTokenVerifier = (token: string) => Promise<VerifiedAccessToken | undefined>
