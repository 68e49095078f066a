/**
 * The grant index of a link (SPEC R5.1, R5.2): which grants a (client, subject) pair holds, so
 * that cutting a version revokes its older grants right then, and a token check only asks
 * whether its grant exists. Entries sit in numbered slots claimed atomically; a revoked grant's
 * slot is *closed* (a marker that lives an hour), and a refresh moves its grant's entry to a
 * new slot at the top. Two hints: `next`, where the next append starts, and `low`, below which
 * every slot is closed for good. `server/link-grants.ts` does the reads and atomic writes; the
 * rules below decide what a slot means.
 *
 * @module
 */
import type { RevokeGrant } from './outcome.js'
import type { LinkGrantHints, LinkGrantSlot } from './records.js'

/**
 * Where an append starts looking for a free slot: at `next`, never below `low` (the closed
 * run), and above `above` — a refresh moving its entry passes its old slot, so that a cut
 * scanning upward meets at least one of the two.
 *
 * @example
 * ```ts
 * firstSlotToTry({ next: 5, low: 2 }) // 5
 * firstSlotToTry({ next: 5, low: 2 }, 7) // 8
 * ```
 * @group Rules
 */
export function firstSlotToTry(hints: LinkGrantHints, above = -1): number {
  return Math.max(hints.next, hints.low, above + 1)
}

/**
 * What a cut's scan does with one slot, going upward from `low` (the cut revokes every grant
 * of a version below `version`, SPEC R5.1); `next` is the hint read at the start, `low` the
 * mark as the scan has raised it so far:
 *
 * - `end`: a free slot at or above `next` — nothing was appended above it.
 * - `skip`: a free slot above the closed run at the bottom (its grant ended); leave it.
 * - `close-free`: a free slot at the bottom of the run: close it atomically (only if still
 *   free), so `low` can pass it; if an append took it first, read it again and ask again.
 * - `pass`: a closed slot.
 * - `keep`: a grant of the cut version or newer.
 * - `revoke`: a grant of an older version — revoke it (even one that looks gone: a refresh
 *   that read it just before it expired may be writing it again, and only the tombstone stops
 *   that write), then close its slot.
 *
 * @example
 * ```ts
 * cutScanStep({ grantId: 'g1', linkVersion: 1 }, { slot: 3, version: 2, next: 5, low: 3 }) // { action: 'revoke', effect: { type: 'revoke-grant', grantId: 'g1' } }
 * cutScanStep(undefined, { slot: 5, version: 2, next: 5, low: 3 }) // { action: 'end' }
 * ```
 * @group Rules
 */
export function cutScanStep(
  found: LinkGrantSlot | undefined,
  position: { readonly slot: number; readonly version: number; readonly next: number; readonly low: number },
): CutScanAction {
  const { slot, version, next, low } = position
  if (found === undefined) {
    if (slot >= next) return { action: 'end' }
    return { action: low === slot ? 'close-free' : 'skip' }
  }
  if ('closed' in found) return { action: 'pass' }
  if (found.linkVersion >= version) return { action: 'keep' }
  return { action: 'revoke', effect: { type: 'revoke-grant', grantId: found.grantId } }
}

/**
 * What {@link cutScanStep} asks for.
 *
 * @example
 * ```ts
 * const action: CutScanAction = { action: 'pass' }
 * ```
 * @group Rules
 */
export type CutScanAction =
  | { readonly action: 'end' | 'skip' | 'close-free' | 'pass' | 'keep' }
  | { readonly action: 'revoke'; readonly effect: RevokeGrant }

/**
 * The low-water mark after `slot` was closed (or found closed): it moves past the slot only
 * when the slot is at the mark, since only the closed run at the bottom lets it move.
 *
 * @example
 * ```ts
 * raiseLow(3, 3) // 4
 * raiseLow(3, 5) // 3
 * ```
 * @group Rules
 */
export function raiseLow(low: number, slot: number): number {
  return low === slot ? slot + 1 : low
}
