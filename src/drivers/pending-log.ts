/**
 * Party B's log of links that hold a received code not yet redeemed, so that a restarted
 * process can finish them (SPEC R4.3).
 *
 * Entries are claimed with `storage.add` under increasing sequence numbers: no shared record is
 * read, changed and written back, so concurrent writers (other links, other workers) never lose
 * one another's entries. `next` and `low` are hints only: a stale hint costs a few extra reads,
 * never an entry. Entries expire after {@link ENTRY_TTL_SECONDS}: a code that old can no longer
 * be redeemed anyway (600 s at most, SPEC R3.1).
 *
 * @module
 */
import type { Storage } from '../storage/storage.js'

/** How long an entry is kept: well past the longest code lifetime. */
const ENTRY_TTL_SECONDS = 3600

interface Entry {
  readonly link: string
}

/** @internal */
export class PendingLog {
  constructor(
    private readonly storage: Storage,
    private readonly prefix: string,
  ) {}

  /** Records that `link` holds a code to redeem. */
  async append(link: string): Promise<void> {
    let n = (await this.storage.get<number>(`${this.prefix}:next`)) ?? 0
    while (!(await this.storage.add(this.#key(n), { link } satisfies Entry, ENTRY_TTL_SECONDS))) n++
    await this.storage.set(`${this.prefix}:next`, n + 1)
  }

  /** The links recorded and not yet expired, oldest first (a link may appear more than once). */
  async links(): Promise<string[]> {
    const low = (await this.storage.get<number>(`${this.prefix}:low`)) ?? 0
    const next = (await this.storage.get<number>(`${this.prefix}:next`)) ?? 0
    const found: string[] = []
    let lowest: number | undefined
    // Up to the `next` hint, expired entries leave holes to skip; past it, the first gap ends the log.
    for (let n = low; ; n++) {
      const entry = await this.storage.get<Entry & { [key: string]: string }>(this.#key(n))
      if (entry === undefined) {
        if (n >= next) break
        continue
      }
      lowest ??= n
      found.push(entry.link)
    }
    await this.storage.set(`${this.prefix}:low`, lowest ?? Math.max(low, next))
    return found
  }

  #key(n: number): string {
    return `${this.prefix}:${n}`
  }
}
