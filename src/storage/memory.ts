/**
 * The embedded default storage: a `Map` with expiry read from an injected clock, swept on writes.
 *
 * @module
 */
import { systemRuntime } from '../core/runtime.js'
import { ExpiryHeap } from './expiry-heap.js'
import type { JsonValue, Storage } from '../core/storage.js'
import { invalidType, invalidValue } from '../core/misuse.js'

interface Entry {
  readonly key: string
  readonly json: string
  readonly expiresAt: number | undefined
  heapIndex: number
}

/** An entry with an expiry: the only kind the sweep's heap holds. */
type ExpiringEntry = Entry & { readonly expiresAt: number }

/**
 * Options of {@link MemoryStorage}.
 *
 * @example
 * ```ts
 * let clockNow = 1_700_000_000
 * const memoryOptions: MemoryStorageOptions = { now: () => clockNow, maxEntries: 10_000 }
 * const store = new MemoryStorage(memoryOptions)
 * ```
 * @see docs/storage.md
 * @group Storage
 */
export interface MemoryStorageOptions {
  /** Seconds since the epoch; defaults to {@link systemRuntime}'s clock. Tests pass their own clock. */
  readonly now?: () => number
  /**
   * The most entries the store holds (a positive integer); unlimited by default. A write of a
   * new key into a full store first drops the expired entries; if the store is still full, the
   * write is refused with {@link StorageFullError}. Live entries are never evicted to make
   * room: see {@link StorageFullError} for why.
   */
  readonly maxEntries?: number
}

/**
 * What {@link MemoryStorage.stats} reports.
 *
 * @example
 * ```ts
 * storage.stats() // { entries: 3, maxEntries: 10_000, sweepExamined: 42 }
 * ```
 * @see docs/storage.md
 * @group Storage
 */
export interface MemoryStorageStats {
  /** Entries held now, expired ones not yet dropped included. Reading it drops nothing. */
  readonly entries: number
  /** The configured limit, if any. */
  readonly maxEntries: number | undefined
  /**
   * Entries the expiry sweep has looked at since the store was made: one per sweep (each write,
   * each {@link MemoryStorage.size}), plus one per expired entry it dropped — each entry at most
   * once. Its growth is the sweep's whole cost.
   */
  readonly sweepExamined: number
}

/**
 * A write refused because a {@link MemoryStorage} with `maxEntries` is full of live entries.
 *
 * The store refuses rather than evicts because every entry is a promise the SDK relies on: a
 * used-code marker makes a code single-use (SPEC R4.2), a received-code marker stops a duplicate
 * redemption (SPEC R7.10), a lease keeps two workers off one link. Evicting any of them would
 * silently break that guarantee; a refused write fails one request, visibly, and the caller's
 * error handling (an endpoint answers `server_error`) takes over. Size `maxEntries` for the
 * peak of live entries, or use a shared store for a larger deployment.
 *
 * @example
 * ```ts
 * try {
 *   await storage.set(key, value, 60)
 * } catch (err) {
 *   if (err instanceof StorageFullError) alertOperator(err.maxEntries)
 * }
 * ```
 * @group Storage
 */
export class StorageFullError extends Error {
  /** The class's name in any build, minified or not (stack traces, `util.inspect`). */
  static override readonly name = 'StorageFullError'
  /** Stable code to switch on. */
  readonly code = 'ERR_STORAGE_FULL'
  /** The limit that was reached. */
  readonly maxEntries: number

  constructor(maxEntries: number) {
    super(`The storage is full: it holds its maximum of ${maxEntries} live entries`)
    this.name = 'StorageFullError'
    this.maxEntries = maxEntries
  }
}

/**
 * In-memory {@link Storage} for one process: tests, demos, and single-instance deployments.
 * Values are stored as JSON so that callers never share mutable objects with the store, exactly
 * as with a real database. Every operation completes in one synchronous turn, which makes `add`
 * and `take` atomic in a single JavaScript thread.
 *
 * Expired entries are dropped without a timer: every write first sweeps the entries whose time
 * has come, taken from a min-heap ordered by expiry. Each entry enters the heap once per write
 * and leaves it at most once, so the sweep costs amortised O(log n) per write — however many
 * entries have expired, and without ever scanning the live ones. A read drops the expired entry
 * it meets, too.
 *
 * @example
 * ```ts
 * const storage = new MemoryStorage({ now: () => clock.now(), maxEntries: 100_000 })
 * await storage.add('code:…', record, 60) // true
 * await storage.add('code:…', record, 60) // false: already there
 * ```
 * @see docs/storage.md
 * @group Storage
 */
export class MemoryStorage implements Storage {
  /** The class's name in any build, minified or not (`util.inspect`). */
  static readonly name = 'MemoryStorage'
  readonly #entries = new Map<string, Entry>()
  readonly #expiries = new ExpiryHeap<ExpiringEntry>()
  readonly #now: () => number
  readonly #maxEntries: number | undefined
  #sweepExamined = 0

  constructor(options: MemoryStorageOptions = {}) {
    const { maxEntries } = options
    if (maxEntries !== undefined && typeof maxEntries !== 'number') throw invalidType('maxEntries must be a number')
    if (maxEntries !== undefined && !(Number.isSafeInteger(maxEntries) && maxEntries > 0)) {
      throw invalidValue('maxEntries must be a positive integer')
    }
    this.#now = options.now ?? systemRuntime.now
    this.#maxEntries = maxEntries
  }

  async get<T extends JsonValue>(key: string): Promise<T | undefined> {
    const entry = this.#live(key)
    return entry === undefined ? undefined : (JSON.parse(entry.json) as T)
  }

  /** @throws {@link StorageFullError} when `key` is new and the store is full of live entries. */
  async set(key: string, value: JsonValue, ttlSeconds?: number): Promise<void> {
    const entry = this.#entry(key, value, ttlSeconds)
    this.#sweep()
    this.#write(entry)
  }

  /** @throws {@link StorageFullError} when `key` is absent and the store is full of live entries. */
  async add(key: string, value: JsonValue, ttlSeconds?: number): Promise<boolean> {
    const entry = this.#entry(key, value, ttlSeconds)
    this.#sweep()
    if (this.#entries.has(key)) return false // the sweep ran: a key still here is live
    this.#write(entry)
    return true
  }

  async delete(key: string): Promise<void> {
    this.#remove(key)
  }

  async take<T extends JsonValue>(key: string): Promise<T | undefined> {
    const entry = this.#live(key)
    this.#remove(key)
    return entry === undefined ? undefined : (JSON.parse(entry.json) as T)
  }

  /** Number of live entries; for tests and metrics. Drops the expired entries first (amortised, as a write does). */
  size(): number {
    this.#sweep()
    return this.#entries.size
  }

  /** Counters for tests and metrics; reading them changes nothing. */
  stats(): MemoryStorageStats {
    return { entries: this.#entries.size, maxEntries: this.#maxEntries, sweepExamined: this.#sweepExamined }
  }

  #entry(key: string, value: JsonValue, ttlSeconds: number | undefined): Entry {
    if (ttlSeconds !== undefined && !(ttlSeconds > 0)) throw invalidValue('ttlSeconds must be positive')
    const expiresAt = ttlSeconds === undefined ? undefined : this.#now() + ttlSeconds
    return { key, json: JSON.stringify(value), expiresAt, heapIndex: -1 }
  }

  /** Stores `entry`, replacing its key's entry; refuses a new key when full (call right after a sweep). */
  #write(entry: Entry): void {
    const existing = this.#entries.get(entry.key)
    if (existing === undefined && this.#maxEntries !== undefined && this.#entries.size >= this.#maxEntries) {
      throw new StorageFullError(this.#maxEntries)
    }
    if (existing?.expiresAt !== undefined) this.#expiries.remove(existing as ExpiringEntry)
    this.#entries.set(entry.key, entry)
    if (entry.expiresAt !== undefined) this.#expiries.push(entry as ExpiringEntry)
  }

  /** Drops every entry whose time has come, soonest first; stops at the first live one. */
  #sweep(): void {
    const now = this.#now()
    for (;;) {
      this.#sweepExamined++
      const first = this.#expiries.peek()
      if (first === undefined || first.expiresAt > now) return
      this.#remove(first.key)
    }
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key)
    if (entry === undefined) return
    this.#entries.delete(key)
    if (entry.expiresAt !== undefined) this.#expiries.remove(entry as ExpiringEntry)
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.#now()) {
      this.#remove(key)
      return undefined
    }
    return entry
  }
}
