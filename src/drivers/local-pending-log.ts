/**
 * The log of links with work left for a driver over a storage it made itself (no `storage`
 * option): a `MemoryStorage` no other process can read, which dies with this one. The log then
 * has no other reader or writer either, and gains nothing from living in that storage: it lives
 * in memory beside it, with the same entries and lifetimes, and costs a link's operations no
 * storage round trip (the storage-backed `PendingLog` costs six to log a link and two or three
 * to let it go).
 *
 * @module
 */
import type { Runtime } from '../core/runtime.js'
import type { PendingEntry, WorkLog } from './pending-log.js'

/** Every this many appends, the log looks at twice as many of its oldest entries: more than it adds. */
const SWEEP_EVERY = 16

/** @internal */
export class LocalPendingLog implements WorkLog {
  readonly #entries = new Map<number, { readonly link: string; readonly until: number }>()
  #next = 0

  /** @param longestTtlSeconds the longest lifetime {@link LocalPendingLog.append} may give an entry. */
  constructor(
    private readonly runtime: Pick<Runtime, 'now'>,
    private readonly longestTtlSeconds: number,
  ) {}

  async append(link: string, ttlSeconds: number): Promise<number> {
    if (this.#next % SWEEP_EVERY === 0) this.#sweep()
    const slot = this.#next++
    this.#entries.set(slot, { link, until: this.runtime.now() + Math.min(ttlSeconds, this.longestTtlSeconds) })
    return slot
  }

  async remove(slot: number): Promise<void> {
    this.#entries.delete(slot)
  }

  async entries(): Promise<PendingEntry[]> {
    const now = this.runtime.now()
    const found: PendingEntry[] = []
    for (const [slot, entry] of this.#entries) {
      if (entry.until <= now) this.#entries.delete(slot)
      else found.push({ link: entry.link, slot })
    }
    return found.sort((a, b) => a.slot - b.slot)
  }

  /** Entries held, expired ones not yet dropped included: for tests. */
  get size(): number {
    return this.#entries.size
  }

  /**
   * Looks at the oldest entries: drops the expired ones, moves the live ones to the back. The
   * appends look at twice as many entries as they add, so expired entries cannot pile up even
   * when nobody calls resume (which drops them all).
   */
  #sweep(): void {
    const now = this.runtime.now()
    let looked = 0
    for (const [slot, entry] of this.#entries) {
      if (looked++ >= 2 * SWEEP_EVERY) return
      this.#entries.delete(slot)
      if (entry.until > now) this.#entries.set(slot, entry)
    }
  }
}
