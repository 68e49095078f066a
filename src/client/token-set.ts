/**
 * The tokens we hold at a peer, as plain JSON (so a machine state can store them), and the pure
 * conversion from a processed token response.
 *
 * @module
 */
import type * as oauth from 'oauth4webapi'
import { ErrorCode, ReciprocalError, type Step } from '../errors.js'

/**
 * Tokens obtained from a peer's token endpoint: in the initial flow (A at B), by redeeming a
 * reciprocal code (B at A), or by refreshing either. Optional members may be `undefined` so that
 * state shapes with `| undefined` members can be passed back in.
 *
 * @example
 * ```ts
 * const tokens: TokenSet = { accessToken: 'at', refreshToken: 'rt', expiresAt: now + 3600, scope: 'music.read' }
 * ```
 * @group Client
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export interface TokenSet {
  /** The access token, sent as {@link TokenSet.tokenType} says. */
  readonly accessToken: string
  /**
   * The token's `token_type` (RFC 6749 §7.1), normalised: `'Bearer'` (RFC 6750), `'DPoP'` (RFC
   * 9449 §5), any other type lower-cased. Absent in token sets stored before 0.2: read it with
   * {@link tokenTypeOf}, which means `'Bearer'` then.
   */
  readonly tokenType?: string | undefined
  /** The refresh token, when the peer issued one. */
  readonly refreshToken?: string | undefined
  /** Expiry, seconds since the epoch: the injected `now` plus `expires_in`, when the peer said. */
  readonly expiresAt?: number | undefined
  /** The granted scope: the peer's `scope`, or the requested scope when it did not say (RFC 6749 §5.1). */
  readonly scope?: string | undefined
}

/** What to keep when the token response leaves a member out. @group Client */
export interface TokenSetDefaults {
  /** Keep this refresh token when the response carries none (RFC 6749 §6: rotation is optional). */
  readonly refreshToken?: string | undefined
  /** The scope to assume when the response has no `scope` (RFC 6749 §5.1: "identical to requested"). */
  readonly scope?: string | undefined
}

/**
 * A `token_type` in its registered spelling: the type is case-insensitive (RFC 6749 §7.1), so
 * `bearer` is `'Bearer'` and `dpop` is `'DPoP'`; another type is lower-cased.
 *
 * @example
 * ```ts
 * normalizeTokenType('bearer') // 'Bearer'
 * normalizeTokenType('DPOP') // 'DPoP'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-7.1
 * @group Client
 */
export function normalizeTokenType(tokenType: string): string {
  const lower = tokenType.toLowerCase()
  return lower === 'bearer' ? 'Bearer' : lower === 'dpop' ? 'DPoP' : lower
}

/**
 * The token type of `tokens`: `'Bearer'` for a token set stored without one.
 *
 * @example
 * ```ts
 * if (tokenTypeOf(tokens) !== 'Bearer') throw new Error('this step sends bearer tokens only')
 * ```
 * @group Client
 */
export function tokenTypeOf(tokens: TokenSet): string {
  return tokens.tokenType ?? 'Bearer'
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

/**
 * Whether the access token expires within `marginSeconds` of `now` (so it should be refreshed
 * first, SPEC R8.2). A token without `expiresAt` never counts as expiring.
 *
 * @example
 * ```ts
 * const fresh = tokenSetExpiresWithin(tokens, now, 60) ? await refreshTokenSet(peer, tokens, { now }) : tokens
 * ```
 * @group Client
 */
export function tokenSetExpiresWithin(tokens: TokenSet, now: number, marginSeconds: number): boolean {
  return tokens.expiresAt !== undefined && tokens.expiresAt - marginSeconds <= now
}
