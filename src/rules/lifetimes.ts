/**
 * How long each record of the authorization server lives (the table in `server/records.ts` says which
 * key each one is). Every record expires, and each lifetime is tied to what the record protects:
 * a token lives as long as it can be used, a grant as long as its longest-lived token, what a
 * grant's safety depends on as long as the grant, and what only has to stop a racing write
 * for as long as any request can take — an hour, by a wide margin.
 *
 * @module
 */
import { MAX_CODE_TTL_SECONDS } from '../protocol/constants.js'

/**
 * The token lifetimes a server is configured with (a server's context has them), in seconds.
 *
 * @example
 * ```ts
 * const settings: TokenLifetimes = { accessTokenTtlSeconds: 3600, refreshTokens: true, refreshTokenTtlSeconds: 2_592_000 }
 * ```
 * @group Rules
 */
export interface TokenLifetimes {
  readonly accessTokenTtlSeconds: number
  readonly refreshTokens: boolean
  readonly refreshTokenTtlSeconds: number
}

/**
 * Far longer than any request takes. Records that only stop a concurrent request from undoing
 * something (a tombstone, a closed index slot) live this long; records that must outlive others
 * outlive them by this much. It also exceeds the longest code lifetime, which `server/links.ts` relies on.
 *
 * @example
 * ```ts
 * const tombstoneTtl = LIFETIME_MARGIN_SECONDS // 3600: a revoked grant's tombstone lives an hour
 * ```
 * @group Rules
 */
export const LIFETIME_MARGIN_SECONDS = 3600

/**
 * How long a grant record lives: as long as its longest-lived token. Refreshing starts it again.
 *
 * @example
 * ```ts
 * grantTtlSeconds({ accessTokenTtlSeconds: 3600, refreshTokens: true, refreshTokenTtlSeconds: 2_592_000 }) // 2592000
 * ```
 * @group Rules
 */
export function grantTtlSeconds(settings: TokenLifetimes): number {
  return settings.refreshTokens
    ? Math.max(settings.refreshTokenTtlSeconds, settings.accessTokenTtlSeconds)
    : settings.accessTokenTtlSeconds
}

/**
 * How long what a link's grants depend on lives: an entry of its grant index, the index's hints,
 * the newest link version with its cut, and the version hint. Index entries and hints are
 * written again whenever a grant is created or refreshed; the newest version, its cut and the
 * version hint whenever a code is minted or a grant refreshed (a redemption follows its mint
 * within a code lifetime, well inside the margin). So each outlives every grant of the link by
 * the margin.
 *
 * @example
 * ```ts
 * linkTtlSeconds({ accessTokenTtlSeconds: 3600, refreshTokens: false, refreshTokenTtlSeconds: 0 }) // 7200
 * ```
 * @group Rules
 */
export function linkTtlSeconds(settings: TokenLifetimes): number {
  return grantTtlSeconds(settings) + LIFETIME_MARGIN_SECONDS
}

/**
 * How long a link version lives once a newer one was claimed: only codes minted before that
 * claim still read it (a code lives at most `MAX_CODE_TTL_SECONDS`), plus the margin for the
 * request redeeming the last of them.
 *
 * @example
 * ```ts
 * SUPERSEDED_VERSION_TTL_SECONDS // 4200: the longest code lifetime (600) plus an hour
 * ```
 * @group Rules
 */
export const SUPERSEDED_VERSION_TTL_SECONDS = MAX_CODE_TTL_SECONDS + LIFETIME_MARGIN_SECONDS
