/**
 * The vocabulary every rule answers in: an effect for the server to carry out, and a refusal to
 * send. Plain JSON, so a decision can be logged (redacted: no code or token is ever in one),
 * compared in a test, or replayed.
 *
 * @module
 */
import { invalidGrant, type OAuthErrorResponse } from '../protocol/oauth-error.js'

/**
 * Revoke a grant and every token issued in it (RFC 7009 §2.1): what a replay, a leaked token or
 * a cut asks for. Revoking is idempotent; revoking a grant that was never created is harmless.
 *
 * @example
 * ```ts
 * const effect: RevokeGrant = { type: 'revoke-grant', grantId: 'g1' }
 * ```
 * @group Rules
 */
export interface RevokeGrant {
  readonly type: 'revoke-grant'
  readonly grantId: string
}

/**
 * A request the token endpoint refuses: the OAuth error to send (RFC 6749 §5.2), and what to
 * revoke before sending it, in order.
 *
 * @example
 * ```ts
 * const refused: Refused = { verdict: 'refuse', refusal: invalidGrant('The refresh token has expired'), effects: [] }
 * ```
 * @group Rules
 */
export interface Refused {
  readonly verdict: 'refuse'
  readonly refusal: OAuthErrorResponse
  readonly effects: readonly RevokeGrant[]
}

/**
 * A refusal with `invalid_grant` (RFC 6749 §5.2), revoking the grants named by `revoke`.
 *
 * @example
 * ```ts
 * refuseGrant('The authorization code has expired') // { verdict: 'refuse', refusal: { error: 'invalid_grant', … }, effects: [] }
 * refuseGrant('The refresh token was issued to another client', 'g1').effects // [{ type: 'revoke-grant', grantId: 'g1' }]
 * ```
 * @group Rules
 */
export function refuseGrant(description: string, ...revoke: readonly string[]): Refused {
  return { verdict: 'refuse', refusal: invalidGrant(description), effects: revoke.map((grantId) => ({ type: 'revoke-grant', grantId })) }
}
