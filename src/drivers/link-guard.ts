/**
 * One operation at a time per link — within this process and across every worker that shares
 * the storage. A driver operation reads a link's state, may call the peer, and writes the new
 * state; two of them interleaved on one link would lose one another's writes (a rotated refresh
 * token, a newer grant, an unlink). The Storage port has no compare-and-swap, so each operation
 * holds a lease: a key claimed with the atomic `add`, expiring on its own if its holder dies.
 *
 * A storage the driver made itself (no `storage` option: a `MemoryStorage` nobody else can
 * reach) has no other worker: the in-process lock is the whole guarantee, and no lease is
 * written — a link's operations then cost no storage write for their exclusion.
 *
 * @module
 */
import { ErrorCode, ReciprocalError } from '../core/errors.js'
import { base64url } from '../lib/encoding.js'
import { sleep, type Runtime } from '../core/runtime.js'
import type { Storage } from '../core/storage.js'
import { KeyedLock } from './keyed-lock.js'
import { tidy } from './typed-storage.js'

interface Lease {
  readonly key: string
  readonly owner: string
}

/** @internal */
export class LinkGuard {
  readonly #local = new KeyedLock()

  /**
   * @param leaseSeconds how long a lease lasts: longer than any one operation (whose requests
   *   each time out), short enough that a crashed worker's lease lapses soon.
   * @param shared whether other workers may use `storage` (any storage given to a driver may
   *   be shared); `false` only for a storage the driver made itself.
   */
  constructor(
    private readonly storage: Storage,
    private readonly runtime: Runtime,
    private readonly leaseSeconds: number,
    private readonly shared = true,
  ) {}

  /**
   * Runs `task` holding the link's lease, waiting for it up to one lease lifetime (plus a second)
   * on the runtime's timer: a lease whose holder died lapses within that wait.
   */
  run<T>(link: string, task: () => Promise<T>): Promise<T> {
    if (!this.shared) return this.#local.run(link, task)
    return this.#local.run(link, async () => {
      const lease = await this.#acquire(link, true)
      if (lease === undefined) {
        throw new ReciprocalError('Another worker is busy with this link', {
          code: ErrorCode.LinkBusy,
          step: 'configuration',
          hint: 'Retry in a moment; if it persists, a worker holding the link may have stopped and its lease will lapse.',
          retryable: true,
        })
      }
      return this.#holding(lease, task)
    })
  }

  /** Whether an operation of this instance holds the link, or waits for it, now. */
  busyHere(link: string): boolean {
    return this.#local.busy(link)
  }

  /** Runs `task` if the link's lease is free now; resolves `undefined` without running it otherwise. */
  tryRun<T>(link: string, task: () => Promise<T>): Promise<T | undefined> {
    if (!this.shared) return this.#local.run(link, task)
    return this.#local.run(link, async () => {
      const lease = await this.#acquire(link, false)
      return lease === undefined ? undefined : this.#holding(lease, task)
    })
  }

  async #holding<T>(lease: Lease, task: () => Promise<T>): Promise<T> {
    try {
      return await task()
    } finally {
      // Release only our own lease: one that lapsed may already be someone else's. Whether it
      // lapsed is the storage's call (its TTL, its clock), never this worker's clock, which may
      // step back or run slow — so the lease is read before it is deleted. A lease the storage
      // fails to release lapses on its own: the task's outcome stands.
      await tidy(async () => {
        if ((await this.storage.get<string>(lease.key)) === lease.owner) await this.storage.delete(lease.key)
      })
    }
  }

  async #acquire(link: string, wait: boolean): Promise<Lease | undefined> {
    const key = `lease:${link}`
    const owner = base64url(this.runtime.randomBytes(16))
    // The wait is counted in the milliseconds asked of the runtime's timer, not read from a clock:
    // with an injected timer a test reaches the lapsed lease without sleeping, and a frozen test
    // clock (which never lapses the lease) still ends the wait.
    const budgetMs = this.leaseSeconds * 1000 + 1000
    for (let waitedMs = 0, delay = 10; ; waitedMs += delay, delay = Math.min(delay * 2, 250)) {
      if (await this.storage.add(key, owner, this.leaseSeconds)) return { key, owner }
      if (!wait || waitedMs > budgetMs) return undefined
      await sleep(this.runtime, delay)
    }
  }
}
