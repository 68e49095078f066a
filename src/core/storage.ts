/**
 * The storage port (DESIGN §3). Values are JSON-serialisable; keys are opaque strings the SDK
 * builds (`code:<hash>`, `token:<hash>`, `link:…`). Adapters for Redis, PostgreSQL, KV stores
 * implement these five operations.
 *
 * @module
 */

/**
 * Any value that survives `JSON.stringify`/`JSON.parse` unchanged.
 *
 * @example
 * ```ts
 * const stored: JsonValue = { linkId: 'music.abc', scopes: ['a', 'b'], expiresAt: 1_700_000_060 }
 * await storage.set('k', stored, 60)
 * ```
 * @see docs/storage.md
 * @group Storage
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined }

/**
 * Key-value storage with expiry and two atomic operations that single-use codes need.
 *
 * @example
 * ```ts
 * const storage: Storage = new MemoryStorage()
 * await storage.set('k', { a: 1 }, 60)
 * await storage.take('k') // { a: 1 }, and the key is gone — atomically
 * ```
 * @see docs/storage.md (the port and its contract), SPEC R4.2 (codes are consumed atomically)
 * @group Storage
 */
export interface Storage {
  /** The value at `key`, or `undefined` when absent or expired. */
  get<T extends JsonValue>(key: string): Promise<T | undefined>
  /** Stores `value` at `key`, replacing any value; `ttlSeconds` makes it expire. */
  set(key: string, value: JsonValue, ttlSeconds?: number): Promise<void>
  /**
   * Stores `value` only if `key` is absent (or expired). Resolves `true` when it stored.
   * Atomic: of many concurrent calls for one key, exactly one resolves `true`.
   */
  add(key: string, value: JsonValue, ttlSeconds?: number): Promise<boolean>
  /** Removes `key`. Removing an absent key is not an error. */
  delete(key: string): Promise<void>
  /**
   * Reads and removes `key` in one atomic step. Of many concurrent calls for one key, exactly one
   * gets the value; the others get `undefined`. This is what makes a code single-use (SPEC R4.2).
   */
  take<T extends JsonValue>(key: string): Promise<T | undefined>
}
