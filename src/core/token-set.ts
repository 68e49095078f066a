/**
 * Token sets: the tokens a party holds at its peer, as plain JSON, so that a machine state can
 * store them. Shared vocabulary of the client steps, the machines and the drivers.
 *
 * @module
 */

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
 * @see RFC 6749 §7.1
 * @group Client
 */
export function tokenTypeOf(tokens: TokenSet): string {
  return tokens.tokenType ?? 'Bearer'
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
