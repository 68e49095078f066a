/**
 * Grants: the unit of revocation. Every token names its grant and is valid only while the grant
 * is live — while its record exists. Revoking a grant deletes the record, and so revokes its
 * opaque and JWT access tokens and its refresh tokens at once (SPEC R4.2, R5.1, RFC 7009 §2.1).
 * A superseded grant is revoked like any other, when the newer version of its link is cut
 * (`links.ts`, `link-grants.ts`): checking a token never has to look at link versions, so it
 * costs the same few reads however many versions the link has.
 *
 * Revocation writes a tombstone, then deletes the grant. A writer that (re)writes a grant record
 * — creation after a code redemption, the sliding lifetime of a refresh — writes first and reads
 * the tombstone after: whatever the interleaving, a revoked grant cannot come back.
 *
 * @module
 */
import type { ServerContext } from './options.js'
import { keys, type GrantRecord } from './records.js'

/** How long a tombstone outlives the grant record it guards: far longer than one request. */
const TOMBSTONE_MARGIN_SECONDS = 3600

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
 * Writes a grant record (new, or again to extend its lifetime). Resolves `false` when the grant
 * was revoked meanwhile — the record is then removed again and its tokens stay dead.
 *
 * @example
 * ```ts
 * const live = await writeGrant(context, grantId, { clientId, subject, scope, createdAt: now, linkVersion: 0, indexSlot })
 * ```
 * @group Authorization server
 */
export async function writeGrant(context: ServerContext, grantId: string, grant: GrantRecord): Promise<boolean> {
  await context.storage.set(keys.grant(grantId), grant, grantTtlSeconds(context))
  if ((await context.storage.get(keys.revokedGrant(grantId))) === undefined) return true
  await context.storage.delete(keys.grant(grantId))
  return false
}

/**
 * The grant if it is live: its record exists (revocation, supersession included, deletes it).
 * `undefined` otherwise. One storage read.
 *
 * @example
 * ```ts
 * const grant = await liveGrant(context, record.grantId)
 * if (grant === undefined) return undefined // revoked: the token is dead
 * ```
 * @group Authorization server
 */
export async function liveGrant(context: ServerContext, grantId: string): Promise<GrantRecord | undefined> {
  return context.storage.get<GrantRecord>(keys.grant(grantId))
}

/**
 * Revokes a grant and with it every token issued in it (access and refresh, opaque and JWT).
 * Revoking an unknown or already revoked grant does nothing.
 *
 * @example
 * ```ts
 * const info = await server.verifyAccessToken(token)
 * if (info) await revokeGrant(context, info.grantId)
 * ```
 * @see RFC 7009 §2.1, RFC 6749 §4.1.2 (revoking what a replayed code issued)
 * @group Authorization server
 */
export async function revokeGrant(context: ServerContext, grantId: string): Promise<void> {
  await context.storage.set(keys.revokedGrant(grantId), true, grantTtlSeconds(context) + TOMBSTONE_MARGIN_SECONDS)
  await context.storage.delete(keys.grant(grantId))
}
