/**
 * The grant index of a link (SPEC R5.1, R5.2): which grants a (client, subject) pair holds, so
 * that cutting a version of the link revokes its older grants right then. A token check then
 * only asks whether its grant exists — one read, however many versions the link has — instead
 * of walking the versions above the grant's (`links.ts`).
 *
 * Entries are claimed with `storage.add` under increasing slot numbers, as in the drivers'
 * pending log: no shared record is read, changed and written back, so concurrent redemptions
 * never lose one another's entries. `next` is a hint only. An entry lives as long as its grant
 * can (a refresh extends both), plus a margin; a dead grant needs no revocation, so expired
 * entries leave holes. A scan therefore reads every slot below the `next` hint, skipping holes,
 * and past the hint stops at the first gap. Its cost is one read per grant ever redeemed for the
 * link within the grant lifetime (one per successful redemption), not per version.
 *
 * A grant created while a version is being cut may miss the scan; its redeemer closes that gap
 * by checking for a cut after writing its entry (`authorization-code-grant.ts`).
 *
 * @module
 */
import type { ServerContext } from './options.js'
import { keys, type GrantRecord, type LinkGrantEntry } from './records.js'
import { grantTtlSeconds, revokeGrant } from './grants.js'

/**
 * How long an entry outlives the grant record written just before it. A refresh reads the grant
 * live, then writes its entry again: the margin — far longer than one request — guarantees that
 * the slot still holds this grant's entry then, and was not freed and claimed by another grant.
 */
const ENTRY_MARGIN_SECONDS = 3600

function entryTtlSeconds(context: ServerContext): number {
  return grantTtlSeconds(context) + ENTRY_MARGIN_SECONDS
}

/**
 * Adds a grant to its link's index; resolves the slot it took (to be kept in the grant record).
 * Call it before the grant's tokens are issued.
 *
 * @example
 * ```ts
 * const indexSlot = await appendLinkGrant(context, 'music', 'user-1', { grantId, linkVersion: 3 })
 * ```
 * @group Authorization server
 */
export async function appendLinkGrant(
  context: ServerContext,
  clientId: string,
  subject: string,
  entry: LinkGrantEntry,
): Promise<number> {
  const nextKey = keys.linkGrantsNext(clientId, subject)
  let slot = (await context.storage.get<number>(nextKey)) ?? 0
  // Each failed add is a slot another grant holds; the loop ends at the first free one.
  while (!(await context.storage.add(keys.linkGrant(clientId, subject, slot), entry, entryTtlSeconds(context)))) slot++
  // Best effort: a concurrent writer may leave a lower hint; that only costs a scan some reads.
  await context.storage.set(nextKey, slot + 1)
  return slot
}

/**
 * Writes a grant's index entry again with a fresh lifetime: call it after the grant record was
 * written again (the sliding lifetime of a refresh), so the entry lives as long as the grant.
 *
 * @example
 * ```ts
 * if (await writeGrant(context, grantId, grant)) await extendLinkGrant(context, grantId, grant)
 * ```
 * @group Authorization server
 */
export async function extendLinkGrant(context: ServerContext, grantId: string, grant: GrantRecord): Promise<void> {
  const entry: LinkGrantEntry = { grantId, linkVersion: grant.linkVersion }
  await context.storage.set(keys.linkGrant(grant.clientId, grant.subject, grant.indexSlot), entry, entryTtlSeconds(context))
}

/**
 * Revokes every grant of the link created under a version below `version` (SPEC R5.1: the
 * version was cut). Revoking is idempotent, so a second scan for the same cut does no harm: it
 * is how a scan interrupted by a crash or a storage error gets finished (`links.ts`).
 *
 * @example
 * ```ts
 * await revokeLinkGrantsBelow(context, 'music', 'user-1', 4) // grants of versions 0–3 are revoked
 * ```
 * @group Authorization server
 */
export async function revokeLinkGrantsBelow(
  context: ServerContext,
  clientId: string,
  subject: string,
  version: number,
): Promise<void> {
  const next = (await context.storage.get<number>(keys.linkGrantsNext(clientId, subject))) ?? 0
  for (let slot = 0; ; slot++) {
    const entry = await context.storage.get<LinkGrantEntry>(keys.linkGrant(clientId, subject, slot))
    if (entry === undefined) {
      // Below the hint a hole is an expired entry (its grant is dead); past it, the end.
      if (slot >= next) return
      continue
    }
    // Always revoke, even a grant that looks gone: a refresh that read it just before it expired
    // may be writing it again, and only the tombstone stops that write (grants.ts).
    if (entry.linkVersion < version) await revokeGrant(context, entry.grantId)
  }
}
