/**
 * The grant index of a link (SPEC R5.1, R5.2): which grants a (client, subject) pair holds, so
 * that cutting a version of the link revokes its older grants right then. A token check then
 * only asks whether its grant exists — one read, however many versions the link has — instead
 * of walking the versions above the grant's (`links.ts`).
 *
 * Entries are claimed with `storage.add` under increasing slot numbers, as in the drivers'
 * pending log: no shared record is read, changed and written back, so concurrent redemptions
 * never lose one another's entries. A slot holds a grant's entry while the grant can live (plus
 * a margin), then either expires or is *closed*: a revoked grant's entry is overwritten with a
 * small closed marker that lives an hour. A refresh moves its grant's entry to a new slot at the
 * top and closes the old one, so slots low in the index belong to ended grants.
 *
 * Two hints, kept in one record: `next`, where the next append starts, and `low`, the low-water
 * mark — every slot below it is closed for good. A cut scans from `low` up, skipping free slots
 * below `next`, and stops at the first free slot at or above `next`; on its way it closes the
 * entries it revokes and the free slots of the bottom run, and raises `low` past the closed run
 * at the bottom. Appends raise it too, a few slots at a time. A cut therefore reads the slots
 * from the oldest live grant up — not every grant the link ever had. A live grant that is never
 * refreshed keeps `low` below it, and every refresh of another grant of the link adds a slot
 * above it, so with such a grant a cut's cost grows with the link's refreshes since that grant
 * was created (at most its lifetime). The hints are written without compare-and-swap, so a
 * concurrent writer can leave either one lower than it should be; a lower `low` only costs a
 * cut some reads. Both stay safe because:
 *
 * - **`low` never passes a live entry.** It passes only closed slots. A closed marker cannot be
 *   taken by `add` while it lives (an hour, far longer than any request), and an append starts
 *   at or above the `low` it read: an append that read `low` before it was raised skips the
 *   closed slots, and one that reads it after starts above them. A free slot is closed with
 *   `add`, so a cut and an append racing for it cannot both have it.
 * - **No live entry hides above a free slot at or above `next`.** Each writer of `next` (an
 *   append, or a cut that found the top higher) reads, after writing, the slot at the value it
 *   wrote: if it is taken, a concurrent append claimed above and may have written its `next`
 *   before ours, which ours just overwrote; the writer then walks up to the first free slot and
 *   writes again. Slots do not empty within a request (an entry lives as long as its grant, a
 *   closed marker an hour), so when the last writer is done, `next` is past every recent claim,
 *   and every older slot is below it.
 * - **A request stalled past the hour protects nothing it claims late.** It writes no grant
 *   (`GRANT_WRITE_DEADLINE_SECONDS` in `rules/grant-writes.ts`), so an entry it adds below a raised `low`
 *   names a grant that does not exist.
 *
 * Entries and hints live the link's lifetime (`rules/lifetimes.ts`: the grant lifetime plus an hour);
 * every append writes the hints after its entry, so the hints outlive every entry. A revocation
 * of any kind closes the grant's slot (`grants.ts`).
 *
 * A grant created while a version is being cut may miss the scan; its redeemer closes that gap
 * by checking for a cut after writing its entry (`authorization-code-grant.ts`). A refresh moves
 * its entry by adding the new one (above the old) before closing the old one, so a scan going up
 * sees at least one of them.
 *
 * @module
 */
import type { ServerContext } from './options.js'
import { keys, type ClosedLinkGrantSlot, type GrantRecord, type LinkGrantEntry, type LinkGrantHints, type LinkGrantSlot } from './records.js'
import { closeLinkGrantSlot, revokeGrantRecord } from './grants.js'
import { linkTtlSeconds } from '../rules/lifetimes.js'
import { cutScanStep, firstSlotToTry, raiseLow } from '../rules/grant-index.js'

/** How many slots an append looks at to raise the low-water mark; more than the one slot each append ends. */
const APPEND_ADVANCE_SLOTS = 4

const isClosed = (slot: LinkGrantSlot): slot is ClosedLinkGrantSlot => 'closed' in slot

/**
 * Adds a grant to its link's index; resolves the slot it took (to be kept in the grant record).
 * Call it before the grant's tokens are issued. `above` (a slot) makes it claim a higher slot:
 * a refresh moving its entry passes the old slot.
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
  above = -1,
): Promise<number> {
  const hints = await readHints(context, clientId, subject)
  let slot = firstSlotToTry(hints, above)
  // Each failed add is a slot another grant holds, or a closed one; the loop ends at the first free one.
  while (!(await context.storage.add(keys.linkGrant(clientId, subject, slot), entry, linkTtlSeconds(context)))) slot++
  // Raise the low-water mark a little on the way, so that it keeps up with grants that simply
  // expire: each append ends at most one slot, and passes up to a few.
  const low = await closeEndedSlots(context, clientId, subject, hints.low, Math.min(slot, hints.low + APPEND_ADVANCE_SLOTS))
  await writeHints(context, clientId, subject, { next: slot + 1, low })
  return slot
}

/**
 * Moves a grant's entry to a new slot at the top of its link's index, for a refresh: the grant
 * lives on, and the old slot can end. Resolves the new slot; once the grant record names it,
 * close the old one with {@link closeLinkGrantSlot} (in that order, so that a concurrent cut
 * always finds one of them).
 *
 * @example
 * ```ts
 * const indexSlot = await moveLinkGrant(context, grantId, grant)
 * await writeGrant(context, grantId, { ...grant, indexSlot }, takenAt)
 * await closeLinkGrantSlot(context, grant.clientId, grant.subject, grant.indexSlot)
 * ```
 * @group Authorization server
 */
export async function moveLinkGrant(context: ServerContext, grantId: string, grant: GrantRecord): Promise<number> {
  const entry: LinkGrantEntry = { grantId, linkVersion: grant.linkVersion }
  return appendLinkGrant(context, grant.clientId, grant.subject, entry, grant.indexSlot)
}

/**
 * Revokes every grant of the link created under a version below `version` (SPEC R5.1: the
 * version was cut), closes their slots, and raises the low-water mark. Revoking is idempotent,
 * so a second scan for the same cut does no harm: it is how a scan interrupted by a crash or a
 * storage error gets finished (`links.ts`).
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
  const hints = await readHints(context, clientId, subject)
  let low = hints.low
  let slot = hints.low
  // What each slot means is decided by the rules (rules/grant-index.ts: cutScanStep).
  scan: for (; ; slot++) {
    const key = keys.linkGrant(clientId, subject, slot)
    let step = cutScanStep(await context.storage.get<LinkGrantSlot>(key), { slot, version, next: hints.next, low })
    if (step.action === 'close-free') {
      if (await closeLinkGrantSlot(context, clientId, subject, slot, true)) step = { action: 'pass' }
      else {
        // An append took it just now (a new grant, or a refresh moving its entry): look at it.
        const found = await context.storage.get<LinkGrantSlot>(key)
        step = found === undefined ? { action: 'skip' } : cutScanStep(found, { slot, version, next: hints.next, low })
      }
    }
    switch (step.action) {
      case 'end':
        break scan
      case 'skip':
      case 'keep':
        continue
      case 'revoke':
        await revokeGrantRecord(context, step.effect.grantId)
        await closeLinkGrantSlot(context, clientId, subject, slot)
    }
    low = raiseLow(low, slot)
  }
  if (low > hints.low || slot > hints.next) await writeHints(context, clientId, subject, { next: Math.max(slot, hints.next), low })
}

/**
 * Raises the low-water mark from `low` through at most the slots below `until`: past closed
 * slots, and past free ones, which it closes first. Stops at the first entry. Resolves the new mark.
 */
async function closeEndedSlots(context: ServerContext, clientId: string, subject: string, low: number, until: number): Promise<number> {
  for (; low < until; low++) {
    const found = await context.storage.get<LinkGrantSlot>(keys.linkGrant(clientId, subject, low))
    if (found === undefined ? !(await closeLinkGrantSlot(context, clientId, subject, low, true)) : !isClosed(found)) return low
  }
  return low
}

async function readHints(context: ServerContext, clientId: string, subject: string): Promise<LinkGrantHints> {
  return (await context.storage.get<LinkGrantHints>(keys.linkGrantHints(clientId, subject))) ?? { next: 0, low: 0 }
}

/**
 * Writes the hints, then makes sure `next` hides no claim: if the slot at `next` is taken, an
 * append racing this one claimed above it (see the module comment), so walk up to the first free
 * slot and write again.
 */
async function writeHints(context: ServerContext, clientId: string, subject: string, hints: LinkGrantHints): Promise<void> {
  let next = hints.next
  for (;;) {
    await context.storage.set(keys.linkGrantHints(clientId, subject), { next, low: hints.low } satisfies LinkGrantHints, linkTtlSeconds(context))
    if ((await context.storage.get(keys.linkGrant(clientId, subject, next))) === undefined) return
    do next++
    while ((await context.storage.get(keys.linkGrant(clientId, subject, next))) !== undefined)
  }
}
