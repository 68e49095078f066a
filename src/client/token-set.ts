/**
 * The pure conversion of a processed token response into a {@link TokenSet}.
 *
 * @module
 */
import type * as oauth from 'oauth4webapi'
import { ErrorCode, ReciprocalError, type Step } from '../core/errors.js'
import { normalizeTokenType, type TokenSet } from '../core/token-set.js'

/**
 * What to keep when the token response leaves a member out.
 *
 * @example
 * ```ts
 * const defaults: TokenSetDefaults = { refreshToken: link.tokens.refreshToken, scope: link.tokens.scope }
 * const refreshed = tokenSetFromResponse(tokenResponse, { now, step: 'refresh', defaults })
 * ```
 * @see RFC 6749 §5.1, §6
 * @group Client
 */
export interface TokenSetDefaults {
  /** Keep this refresh token when the response carries none (RFC 6749 §6: rotation is optional). */
  readonly refreshToken?: string | undefined
  /** The scope to assume when the response has no `scope` (RFC 6749 §5.1: "identical to requested"). */
  readonly scope?: string | undefined
}

/**
 * Builds a {@link TokenSet} from a response oauth4webapi already validated, keeping its
 * `token_type`. Pure: the time is a value. Only the types in `tokenTypes` are accepted, `Bearer`
 * by default: the SDK sends no DPoP proofs itself, so a DPoP-bound token would be unusable; a
 * caller that adds them (`docs/dpop-seam.md`) passes `['Bearer', 'DPoP']`.
 *
 * @example
 * ```ts
 * const result = await oauth.processRefreshTokenResponse(as, client, response)
 * const tokens = tokenSetFromResponse(result, { now, step: 'refresh', defaults: { refreshToken: link.tokens.refreshToken } })
 * ```
 * @see RFC 6749 §5.1, SPEC R4.2
 * @group Client
 */
export function tokenSetFromResponse(
  response: oauth.TokenEndpointResponse,
  options: {
    readonly now: number
    readonly step: Step
    readonly defaults?: TokenSetDefaults
    /** The token types the caller can send; default `['Bearer']`. Compared case-insensitively. */
    readonly tokenTypes?: readonly string[]
  },
): TokenSet {
  const tokenType = normalizeTokenType(response.token_type)
  if (!(options.tokenTypes ?? ['Bearer']).some((accepted) => normalizeTokenType(accepted) === tokenType)) {
    throw new ReciprocalError('The peer issued a token type this client cannot use', {
      code: ErrorCode.InvalidResponse,
      step: options.step,
      hint: 'Only Bearer access tokens (RFC 6750) are supported: configure the peer to issue Bearer tokens to this client.',
    })
  }
  const refreshToken = response.refresh_token ?? options.defaults?.refreshToken
  const scope = response.scope ?? options.defaults?.scope
  return {
    accessToken: response.access_token,
    tokenType,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(response.expires_in === undefined ? {} : { expiresAt: options.now + Math.floor(response.expires_in) }),
    ...(scope === undefined ? {} : { scope }),
  }
}

