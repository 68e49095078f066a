/**
 * How long each record of the authorization server lives (the table in `records.ts` says which
 * key each one is). Every record expires, and each lifetime is tied to what the record protects:
 * a token lives as long as it can be used, a grant as long as its longest-lived token, what a
 * grant's safety depends on as long as the grant, and what only has to stop a racing write
 * for as long as any request can take — an hour, by a wide margin.
 *
 * @module
 */
import { MAX_CODE_TTL_SECONDS } from '../protocol/constants.js'
import type { ServerContext } from './options.js'

/**
 * Far longer than any request takes. Records that only stop a concurrent request from undoing
 * something (a tombstone, a closed index slot) live this long; records that must outlive others
 * outlive them by this much. It also exceeds the longest code lifetime, which `links.ts` relies on.
 *
 * @example
 * ```ts
 * await storage.set(keys.revokedGrant(grantId), true, LIFETIME_MARGIN_SECONDS)
 * ```
 * @group Authorization server
 */
export const LIFETIME_MARGIN_SECONDS = 3600

/**
 * How long a grant record lives: as long as its longest-lived token. Refreshing starts it again.
 *
 * @example
 * ```ts
 * grantTtlSeconds(context) // 2592000 with refresh tokens on their default lifetime
 * ```
 * @group Authorization server
 */
export function grantTtlSeconds(context: ServerContext): number {
  return context.refreshTokens
    ? Math.max(context.refreshTokenTtlSeconds, context.accessTokenTtlSeconds)
    : context.accessTokenTtlSeconds
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
 * await storage.add(keys.linkVersion(clientId, subject, version), record, linkTtlSeconds(context))
 * ```
 * @group Authorization server
 */
export function linkTtlSeconds(context: ServerContext): number {
  return grantTtlSeconds(context) + LIFETIME_MARGIN_SECONDS
}

/**
 * How long a link version lives once a newer one was claimed: only codes minted before that
 * claim still read it (a code lives at most `MAX_CODE_TTL_SECONDS`), plus the margin for the
 * request redeeming the last of them.
 *
 * @example
 * ```ts
 * await storage.set(keys.linkVersion(clientId, subject, version - 1), previous, SUPERSEDED_VERSION_TTL_SECONDS)
 * ```
 * @group Authorization server
 */
export const SUPERSEDED_VERSION_TTL_SECONDS = MAX_CODE_TTL_SECONDS + LIFETIME_MARGIN_SECONDS
