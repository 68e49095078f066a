// The storage of the fuzz tests: it says what each case changed, and puts it back before the next
// (issue 9 item 7: no change in storage for a malformed request).
import { MemoryStorage, type JsonValue, type Storage } from 'reciprocal-oauth'

interface Entry {
  readonly json: string
  readonly expiresAt: number | undefined
}

/**
 * A MemoryStorage that logs every operation that changed something (a write, an `add` that added,
 * a `delete` or `take` of a live key) and puts back what a case changed. The fuzz tests mark the
 * baseline once the fixture is set up, then start each case from it: the change log of a case is
 * exactly what that request changed.
 */
export class FuzzStorage implements Storage {
  readonly #inner: MemoryStorage
  /** What the store holds, as the log saw it (a MemoryStorage cannot be listed). */
  readonly #entries = new Map<string, Entry>()
  /** Each key changed since the last reset, with its entry before (undefined: it was absent). */
  readonly #before = new Map<string, Entry | undefined>()
  #changes: string[] = []
  readonly #now: () => number

  constructor(now: () => number) {
    this.#now = now
    this.#inner = new MemoryStorage({ now })
  }

  get<T extends JsonValue>(key: string): Promise<T | undefined> {
    return this.#inner.get<T>(key)
  }

  async set(key: string, value: JsonValue, ttlSeconds?: number): Promise<void> {
    await this.#inner.set(key, value, ttlSeconds)
    this.#wrote('set', key, value, ttlSeconds)
  }

  async add(key: string, value: JsonValue, ttlSeconds?: number): Promise<boolean> {
    const added = await this.#inner.add(key, value, ttlSeconds)
    if (added) this.#wrote('add', key, value, ttlSeconds)
    return added
  }

  async delete(key: string): Promise<void> {
    const live = (await this.#inner.get(key)) !== undefined
    await this.#inner.delete(key)
    if (live) this.#removed('delete', key)
  }

  async take<T extends JsonValue>(key: string): Promise<T | undefined> {
    const value = await this.#inner.take<T>(key)
    if (value !== undefined) this.#removed('take', key)
    return value
  }

  /** Makes the current content the baseline every case starts from. */
  markBaseline(): void {
    this.#before.clear()
    this.#changes = []
  }

  /** Puts back what the last case changed, and clears the change log. */
  async reset(): Promise<void> {
    for (const [key, entry] of this.#before) {
      const ttl = entry?.expiresAt === undefined ? undefined : entry.expiresAt - this.#now()
      if (entry === undefined || (ttl !== undefined && ttl <= 0)) {
        await this.#inner.delete(key)
        this.#entries.delete(key)
      } else {
        await this.#inner.set(key, JSON.parse(entry.json) as JsonValue, ttl)
        this.#entries.set(key, entry)
      }
    }
    this.#before.clear()
    this.#changes = []
  }

  /** What changed since the last reset, one line per operation. */
  get changes(): readonly string[] {
    return this.#changes
  }

  /** Every string stored under a field that holds a secret (a verifier, `state`, a token or secret). */
  secrets(): string[] {
    const found: string[] = []
    for (const entry of this.#entries.values()) collectSecretFields(JSON.parse(entry.json), found)
    return found
  }

  #remember(key: string): void {
    if (!this.#before.has(key)) this.#before.set(key, this.#entries.get(key))
  }

  #wrote(operation: string, key: string, value: JsonValue, ttlSeconds: number | undefined): void {
    this.#remember(key)
    this.#entries.set(key, { json: JSON.stringify(value), expiresAt: ttlSeconds === undefined ? undefined : this.#now() + ttlSeconds })
    this.#changes.push(`${operation} ${key}`)
  }

  #removed(operation: string, key: string): void {
    this.#remember(key)
    this.#entries.delete(key)
    this.#changes.push(`${operation} ${key}`)
  }
}

const SECRET_FIELD = /^(code|codeVerifier|code_verifier|state|accessToken|access_token|refreshToken|refresh_token|clientSecret|client_secret)$/

function collectSecretFields(value: unknown, found: string[], field = ''): void {
  if (typeof value === 'string') {
    if (SECRET_FIELD.test(field) && value.length >= 8) found.push(value)
  } else if (Array.isArray(value)) {
    for (const item of value) collectSecretFields(item, found, field)
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) collectSecretFields(item, found, key)
  }
}
