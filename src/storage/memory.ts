/**
 * The embedded default storage: a `Map` with expiry read from an injected clock.
 *
 * @module
 */
import type { JsonValue, Storage } from './storage.js'

interface Entry {
  readonly json: string
  readonly expiresAt: number | undefined
}

/** Options of {@link MemoryStorage}. @group Storage */
export interface MemoryStorageOptions {
  /** Seconds since the epoch; defaults to `Date.now()`. Tests pass their own clock. */
  readonly now?: () => number
}

/**
 * In-memory {@link Storage} for one process: tests, demos, and single-instance deployments.
 * Values are stored as JSON so that callers never share mutable objects with the store, exactly
 * as with a real database. Every operation completes in one synchronous turn, which makes `add`
 * and `take` atomic in a single JavaScript thread.
 *
 * @example
 * ```ts
 * const storage = new MemoryStorage({ now: () => clock.now() })
 * await storage.add('code:…', record, 60) // true
 * await storage.add('code:…', record, 60) // false: already there
 * ```
 * @group Storage
 */
export class MemoryStorage implements Storage {
  readonly #entries = new Map<string, Entry>()
  readonly #now: () => number

  constructor(options: MemoryStorageOptions = {}) {
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000))
  }

  async get<T extends JsonValue>(key: string): Promise<T | undefined> {
    const entry = this.#live(key)
    return entry === undefined ? undefined : (JSON.parse(entry.json) as T)
  }

  async set(key: string, value: JsonValue, ttlSeconds?: number): Promise<void> {
    this.#entries.set(key, this.#entry(value, ttlSeconds))
  }

  async add(key: string, value: JsonValue, ttlSeconds?: number): Promise<boolean> {
    if (this.#live(key) !== undefined) return false
    this.#entries.set(key, this.#entry(value, ttlSeconds))
    return true
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key)
  }

  async take<T extends JsonValue>(key: string): Promise<T | undefined> {
    const entry = this.#live(key)
    this.#entries.delete(key)
    return entry === undefined ? undefined : (JSON.parse(entry.json) as T)
  }

  /** Number of live entries; for tests and metrics. Expired entries are dropped as a side effect. */
  size(): number {
    for (const key of [...this.#entries.keys()]) this.#live(key)
    return this.#entries.size
  }

  #entry(value: JsonValue, ttlSeconds: number | undefined): Entry {
    if (ttlSeconds !== undefined && !(ttlSeconds > 0)) throw new TypeError('ttlSeconds must be positive')
    return { json: JSON.stringify(value), expiresAt: ttlSeconds === undefined ? undefined : this.#now() + ttlSeconds }
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.#now()) {
      this.#entries.delete(key)
      return undefined
    }
    return entry
  }
}
