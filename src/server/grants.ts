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
 * the tombstone after: whatever the interleaving, a revoked grant cannot come back. The
 * tombstone lives an hour, and a writer past its deadline writes nothing (the rules of both are
 * in `rules/grant-writes.ts`). Revocation also deletes what only the grant needed: its refresh
 * token, the reuse markers of the tokens that one replaced (`issue-tokens.ts`), and its entry in
 * the link's grant index, which it closes (`link-grants.ts`).
 *
 * @module
 */
import type { ServerContext } from './options.js'
import { keys, type ClosedLinkGrantSlot, type GrantRecord, type RefreshReuseMarker } from './records.js'
import { grantTtlSeconds, LIFETIME_MARGIN_SECONDS } from '../rules/lifetimes.js'
import { grantWriteStands, mayWriteGrant, nextInRefreshChain } from '../rules/grant-writes.js'

/**
 * Writes a grant record (new, or again to extend its lifetime) for a request that won its code
 * or refresh token at `takenAt` (seconds). Resolves `false` when the grant was revoked meanwhile,
 * or when the request is past its write deadline (`rules/grant-writes.ts`): the record is then not
 * written (or removed again) and its tokens stay dead.
 *
 * @example
 * ```ts
 * const live = await writeGrant(context, grantId, { clientId, subject, scope, createdAt: now, linkVersion: 0, indexSlot }, takenAt)
 * ```
 * @group Authorization server
 */
export async function writeGrant(context: ServerContext, grantId: string, grant: GrantRecord, takenAt: number): Promise<boolean> {
  if (!mayWriteGrant(takenAt, context.runtime.now())) return false
  await context.storage.set(keys.grant(grantId), grant, grantTtlSeconds(context))
  // Read the tombstone, then check the time: a revocation after this read sees our record.
  const revoked = (await context.storage.get(keys.revokedGrant(grantId))) !== undefined
  if (grantWriteStands({ revoked, takenAt, now: context.runtime.now() })) return true
  await context.storage.delete(keys.grant(grantId))
  return false
}

/**
 * The grant if it is live: its record exists (revocation, supersession included, deletes it).
 * `undefined` otherwise. One storage read.
 *
 * @example
 * ```ts
 * const grant = await liveGrant(context, tokenRecord.grantId)
 * if (grant === undefined) return undefined // revoked: the token is dead
 * ```
 * @group Authorization server
 */
export async function liveGrant(context: ServerContext, grantId: string): Promise<GrantRecord | undefined> {
  return context.storage.get<GrantRecord>(keys.grant(grantId))
}

/**
 * Revokes a grant and with it every token issued in it (access and refresh, opaque and JWT), and
 * deletes what only the grant needed. Revoking an unknown or already revoked grant does nothing
 * but write an hour-long tombstone.
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
  const grant = await revokeGrantRecord(context, grantId)
  if (grant !== undefined) await closeLinkGrantSlot(context, grant.clientId, grant.subject, grant.indexSlot)
}

/**
 * {@link revokeGrant}, except for the grant's index slot: resolves the record it revoked, if
 * there was one. For a scan of the index, which closes the slot it is looking at itself.
 *
 * @example
 * ```ts
 * await revokeGrantRecord(context, entry.grantId)
 * await closeLinkGrantSlot(context, clientId, subject, slot)
 * ```
 * @group Authorization server
 */
export async function revokeGrantRecord(context: ServerContext, grantId: string): Promise<GrantRecord | undefined> {
  // Tombstone first, then read: a writer that did not see the tombstone wrote its record
  // before it was set, so the read below finds the record, and what it names gets cleaned up.
  await context.storage.set(keys.revokedGrant(grantId), true, LIFETIME_MARGIN_SECONDS)
  const grant = await liveGrant(context, grantId)
  await context.storage.delete(keys.grant(grantId))
  if (grant !== undefined) await forgetRefreshTokens(context, grantId, grant.refreshTokenHash)
  return grant
}

/** What a closed slot of a link's grant index holds. */
const CLOSED: ClosedLinkGrantSlot = { closed: true }

/**
 * Closes a slot of a link's grant index: its grant was revoked, or its entry moved. The slot
 * stays taken for an hour — long enough for the index's low-water mark to pass it safely
 * (`link-grants.ts`) — then is gone. With `ifFree`, only a free slot is closed (atomically, with
 * `add`): resolves `false` when an append took it first.
 *
 * @example
 * ```ts
 * await closeLinkGrantSlot(context, grant.clientId, grant.subject, grant.indexSlot)
 * ```
 * @group Authorization server
 */
export async function closeLinkGrantSlot(
  context: ServerContext,
  clientId: string,
  subject: string,
  slot: number,
  ifFree = false,
): Promise<boolean> {
  const key = keys.linkGrant(clientId, subject, slot)
  if (ifFree) return context.storage.add(key, CLOSED, LIFETIME_MARGIN_SECONDS)
  await context.storage.set(key, CLOSED, LIFETIME_MARGIN_SECONDS)
  return true
}

/**
 * Deletes a grant's current refresh token and the reuse markers along the chain of tokens it
 * replaced: with the grant gone, a reuse has nothing left to revoke. The chain ends at the first
 * marker missing (older tokens expired before it) or naming another grant.
 */
async function forgetRefreshTokens(context: ServerContext, grantId: string, newest: string | undefined): Promise<void> {
  for (let hash = newest; hash !== undefined; ) {
    await context.storage.delete(keys.refreshToken(hash))
    const marker = await context.storage.get<RefreshReuseMarker>(keys.usedRefreshToken(hash))
    await context.storage.delete(keys.usedRefreshToken(hash))
    hash = nextInRefreshChain(marker, grantId)
  }
}
