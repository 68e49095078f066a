/**
 * A party's log of links with work left — a delivery under way (party A), a received code not
 * yet redeemed (party B, SPEC R4.3), an unlink whose revocations are not confirmed (both, SPEC
 * R5.2) — so that a restarted process can finish them. The Storage port cannot list keys, so entries sit at numbered slots that a scan
 * walks.
 *
 * Slots are claimed with `storage.add`: no shared record is read, changed and written back, so
 * concurrent writers (other links, other workers) never lose one another's entries. An entry is
 * removed as soon as its link's work is done, and expires anyway after the lifetime its writer
 * gives it.
 *
 * Two hints spare the scan from reading every slot ever used: `low`, where it starts, and
 * `next`, up to where it skips the holes that removed and expired entries leave; past `next`,
 * the first hole ends the log. Both expire too, and neither can hide an entry:
 * - `next` is written after every claim with the longest lifetime an entry may have, so it
 *   outlives every entry claimed before it: once it has vanished, no entry is left.
 * - Before a slot at or past `next` is removed, `next` is moved past it, so holes stay below it.
 * - Claims start at `low` or above, and a scan never sets `low` above `next`, so a claim never
 *   lands below where scans start; a `low` that vanished only means a scan from slot 0. Writers
 *   rewrite the `low` they read to keep it alive: an older, lower value costs reads, never an
 *   entry.
 * The port has no compare-and-swap, so a writer that read `next` before others appended and
 * removed entries may fill a hole below their slots and write a lower `next`. Two measures keep
 * that from hiding an entry: the writer reads `next` again after its claim and writes the larger
 * value, and a scan goes on {@link SCAN_WINDOW} slots past the first hole beyond `next`. An entry
 * is then missed only if more than that many neighbouring slots were claimed and freed during
 * one append; resume would miss it until it expires, while the link's own operations (a retry,
 * an unlink) still finish its work.
 *
 * @module
 */
import type { Storage } from '../core/storage.js'

/** How many consecutive empty slots past `next` a scan reads before it decides the log ends. */
export const SCAN_WINDOW = 16

interface Entry {
  readonly link: string
}

/** A link with work left, and the slot that records it. @internal */
export interface PendingEntry {
  readonly link: string
  readonly slot: number
}

/**
 * What a party's link records need of a log of links with work left: {@link PendingLog} in a
 * storage other workers may share, `LocalPendingLog` in memory for a storage the driver made
 * itself. @internal
 */
export interface WorkLog {
  /** Records that `link` has work left, for `ttlSeconds` at most; resolves its slot. */
  append(link: string, ttlSeconds: number): Promise<number>
  /** Removes the entry at `slot` (its link's work is done). */
  remove(slot: number): Promise<void>
  /** The entries recorded and not yet removed or expired, oldest first. */
  entries(): Promise<PendingEntry[]>
}

/** @internal */
export class PendingLog implements WorkLog {
  /** @param longestTtlSeconds the longest lifetime {@link PendingLog.append} may give an entry. */
  constructor(
    private readonly storage: Storage,
    private readonly prefix: string,
    private readonly longestTtlSeconds: number,
  ) {}

  /**
   * Records that `link` has work left, for `ttlSeconds` at most (capped at the longest
   * lifetime). Resolves the slot, for {@link PendingLog.remove}.
   */
  async append(link: string, ttlSeconds: number): Promise<number> {
    const [next, low] = await Promise.all([this.#hint('next'), this.#hint('low')])
    const ttl = Math.min(ttlSeconds, this.longestTtlSeconds)
    let n = Math.max(next ?? 0, low ?? 0)
    while (!(await this.storage.add(this.#key(n), { link } satisfies Entry, ttl))) n++
    // Read again: appends that started after ours may have moved `next` past our slot already.
    await this.#setHint('next', Math.max((await this.#hint('next')) ?? 0, n + 1))
    if (low !== undefined) await this.#setHint('low', low)
    return n
  }

  /** Removes the entry at `slot` (its link's work is done). */
  async remove(slot: number): Promise<void> {
    const next = await this.#hint('next')
    if (next === undefined || next <= slot) await this.#setHint('next', slot + 1)
    await this.storage.delete(this.#key(slot))
  }

  /** The entries recorded and not yet removed or expired, oldest first (a link may appear more than once). */
  async entries(): Promise<PendingEntry[]> {
    const low = (await this.#hint('low')) ?? 0
    const next = (await this.#hint('next')) ?? low
    const found: PendingEntry[] = []
    let holesPastNext = 0
    for (let n = low; ; n++) {
      const entry = await this.storage.get<Entry & { [key: string]: string }>(this.#key(n))
      if (entry === undefined) {
        if (n >= next && ++holesPastNext >= SCAN_WINDOW) break
        continue
      }
      holesPastNext = 0
      found.push({ link: entry.link, slot: n })
    }
    // Never above `next`: a claim that started from the current `next` must not land below it.
    await this.#setHint('low', Math.min(found[0]?.slot ?? next, next))
    return found
  }

  #hint(name: 'next' | 'low'): Promise<number | undefined> {
    return this.storage.get<number>(`${this.prefix}:${name}`)
  }

  #setHint(name: 'next' | 'low', value: number): Promise<void> {
    return this.storage.set(`${this.prefix}:${name}`, value, this.longestTtlSeconds)
  }

  #key(n: number): string {
    return `${this.prefix}:${n}`
  }
}
