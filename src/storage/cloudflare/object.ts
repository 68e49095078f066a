/**
 * The Durable Object that holds the entries of `DurableObjectStorage`.
 *
 * @module
 */
import * as v from 'valibot'
import { type StorageAnswer, type StorageOperation, StorageOperationSchema } from './wire.js'

/**
 * The part of a Durable Object's storage (`state.storage`) that {@link ReciprocalStorageObject}
 * uses: its key-value API, which both SQLite-backed and key-value-backed objects have, and its
 * alarm. Cloudflare's `DurableObjectStorage` type has it.
 *
 * @example
 * ```ts
 * const storage: DurableObjectStorageApi = { get: async () => undefined, put: async () => {}, delete: async () => true, list: async () => new Map(), getAlarm: async () => null, setAlarm: async () => {} }
 * ```
 * @see docs/storage.md
 * @group Cloudflare
 */
export interface DurableObjectStorageApi {
  /** The value at `key`, or `undefined`. */
  get<T>(key: string): Promise<T | undefined>
  /** Stores `value` at `key`. */
  put<T>(key: string, value: T): Promise<void>
  /** Removes `key`; whether it was there. */
  delete(key: string): Promise<boolean>
  /** Every entry of the object (it holds one key's, a few at most). */
  list<T>(): Promise<Map<string, T>>
  /** When the alarm is set for (ms since the epoch), or `null`. */
  getAlarm(): Promise<number | null>
  /** Sets the alarm for `scheduledTime` (ms since the epoch), replacing any other. */
  setAlarm(scheduledTime: number): Promise<void>
}

/**
 * The part of a Durable Object's `state` (`ctx`) that {@link ReciprocalStorageObject} uses.
 *
 * @example
 * ```ts
 * // A test's object over a Map (Cloudflare's DurableObjectState fits the same type).
 * const entries = new Map<string, unknown>()
 * const objectState: DurableObjectStateApi = {
 *   storage: {
 *     get: async (key) => entries.get(key) as never,
 *     put: async (key, value) => void entries.set(key, value),
 *     delete: async (key) => entries.delete(key),
 *     list: async () => new Map(entries) as never,
 *     getAlarm: async () => null,
 *     setAlarm: async () => {},
 *   },
 * }
 * const object = new ReciprocalStorageObject(objectState)
 * ```
 * @see docs/storage.md
 * @group Cloudflare
 */
export interface DurableObjectStateApi {
  readonly storage: DurableObjectStorageApi
}

/** What the object stores per key: the value's JSON text, and when it expires (ms since the epoch), if it does. */
interface Entry {
  readonly json: string
  readonly expiresAt?: number
}

/**
 * The Durable Object class behind {@link DurableObjectStorage}: export it from your worker and
 * bind it (see docs/storage.md for the wrangler configuration). Each object holds the entries
 * sent to it and answers one storage operation per request.
 *
 * Atomic without a transaction: a Durable Object runs one request at a time up to each await,
 * and while it waits for its own storage no other request is delivered to it (its input gate),
 * so the read and the write of an `add` or a `take` see no one in between. Expiry: each entry
 * keeps its expiry time, checked on every read (an expired entry is absent, and removed); an
 * alarm set for the earliest expiry removes the expired entries that nobody reads again, so
 * nothing stays stored after it expired.
 *
 * @example
 * ```ts
 * // The worker's main module re-exports the class, for the binding to name it:
 * //   export { ReciprocalStorageObject } from 'reciprocal-oauth/cloudflare'
 * // wrangler.jsonc binds it as RECIPROCAL_STORAGE ("class_name": "ReciprocalStorageObject"),
 * // and the worker's code stores through the binding:
 * const storageOf = (env: { RECIPROCAL_STORAGE: DurableObjectNamespaceApi }) => new DurableObjectStorage(env.RECIPROCAL_STORAGE)
 * ```
 * @see docs/storage.md
 * @group Cloudflare
 */
export class ReciprocalStorageObject {
  /** The class's name in any build, minified or not (stack traces, `util.inspect`). */
  static readonly name = 'ReciprocalStorageObject'
  readonly #storage: DurableObjectStorageApi

  /** Called by the Workers runtime with the object's state (and the worker's `env`, unused). */
  constructor(state: DurableObjectStateApi, _env?: unknown) {
    this.#storage = state.storage
  }

  /** Runs one storage operation, sent by {@link DurableObjectStorage}; 400 for anything else. */
  async fetch(request: Request): Promise<Response> {
    if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST' } })
    const body = await request.json().catch(() => undefined /* expected: a body that is not JSON, answered 400 below */)
    const operation = v.safeParse(StorageOperationSchema, body)
    if (!operation.success) return new Response('not a storage operation', { status: 400 })
    return Response.json(await this.#run(operation.output))
  }

  /** The alarm: removes the entries that have expired, then sets the alarm for the next expiry. */
  async alarm(): Promise<void> {
    const now = Date.now()
    let next: number | undefined
    for (const [key, entry] of await this.#storage.list<Entry>()) {
      if (entry.expiresAt === undefined) continue
      if (entry.expiresAt <= now) await this.#storage.delete(key)
      else next = Math.min(next ?? entry.expiresAt, entry.expiresAt)
    }
    if (next !== undefined) await this.#wakeBy(next)
  }

  async #run(operation: StorageOperation): Promise<StorageAnswer> {
    const { key } = operation
    switch (operation.op) {
      case 'get':
        return { json: (await this.#live(key))?.json ?? null }
      case 'take': {
        const entry = await this.#live(key)
        if (entry !== undefined) await this.#storage.delete(key)
        return { json: entry?.json ?? null }
      }
      case 'delete':
        await this.#storage.delete(key)
        return {}
      case 'set':
        await this.#write(key, operation.json, operation.ttlMs)
        return {}
      case 'add': {
        if ((await this.#live(key)) !== undefined) return { stored: false }
        await this.#write(key, operation.json, operation.ttlMs)
        return { stored: true }
      }
    }
  }

  /** The entry at `key` unless it has expired (then it is removed). */
  async #live(key: string): Promise<Entry | undefined> {
    const entry = await this.#storage.get<Entry>(key)
    if (entry?.expiresAt === undefined || entry.expiresAt > Date.now()) return entry
    await this.#storage.delete(key)
    return undefined
  }

  async #write(key: string, json: string, ttlMs: number | undefined): Promise<void> {
    if (ttlMs === undefined) return this.#storage.put<Entry>(key, { json })
    const expiresAt = Date.now() + ttlMs
    await this.#storage.put<Entry>(key, { json, expiresAt })
    await this.#wakeBy(expiresAt)
  }

  /** Sets the alarm for `time` unless it is set for earlier (a write during the alarm may have set it). */
  async #wakeBy(time: number): Promise<void> {
    const alarm = await this.#storage.getAlarm()
    if (alarm === null || alarm > time) await this.#storage.setAlarm(time)
  }
}
