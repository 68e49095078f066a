/**
 * `Storage` in Durable Objects: each key's operations go to the object named after the key.
 *
 * @module
 */
import type { JsonValue, Storage } from '../../core/storage.js'
import { invalidType } from '../../core/misuse.js'
import { ttlMilliseconds } from '../ttl.js'
import { STORAGE_OBJECT_URL, type StorageAnswer, type StorageOperation } from './wire.js'

/**
 * The part of a Durable Object stub that {@link DurableObjectStorage} uses: `fetch`. Cloudflare's
 * `DurableObjectStub` has it.
 *
 * @example
 * ```ts
 * const stub: DurableObjectStubApi = { fetch: async () => Response.json({}) }
 * ```
 * @see docs/storage.md
 * @group Cloudflare
 */
export interface DurableObjectStubApi {
  /** Sends a request to the object. */
  fetch(url: string, init: { method: 'POST'; body: string }): Promise<{ readonly ok: boolean; readonly status: number; json(): Promise<unknown> }>
}

/**
 * The part of a Durable Object namespace binding (`env.RECIPROCAL_STORAGE`) that
 * {@link DurableObjectStorage} uses. Cloudflare's `DurableObjectNamespace` has it; no Cloudflare
 * package is needed at run time.
 *
 * @example
 * ```ts
 * interface Env {
 *   readonly RECIPROCAL_STORAGE: DurableObjectNamespaceApi
 * }
 * ```
 * @see docs/storage.md
 * @group Cloudflare
 */
export interface DurableObjectNamespaceApi {
  /** The id of the object named `name`: the same name, the same object, from anywhere. */
  idFromName(name: string): unknown
  /**
   * A stub of the object with `id`, an id `idFromName` made. (A method: its parameter is compared
   * both ways, so a namespace whose `get` takes its own id type fits.)
   */
  get(id: unknown): DurableObjectStubApi
}

/**
 * Options of {@link DurableObjectStorage}.
 *
 * @example
 * ```ts
 * const storageOf = (namespace: DurableObjectNamespaceApi) => new DurableObjectStorage(namespace, { prefix: 'music:' } satisfies DurableObjectStorageOptions)
 * ```
 * @see docs/storage.md
 * @group Cloudflare
 */
export interface DurableObjectStorageOptions {
  /**
   * Put before every key (default: none), so that several parties or tenants share one
   * namespace: give each its own, e.g. `'music:'`.
   */
  readonly prefix?: string
}

/**
 * {@link Storage} in Cloudflare Durable Objects, for workers: Workers KV cannot take a value
 * atomically, a Durable Object can. Each operation goes to the {@link ReciprocalStorageObject}
 * named after its key (`prefix + key`): every operation on one key reaches the same object, which
 * is all that `add` and `take` need to be atomic, and the keys spread over as many objects as
 * there are keys, so no object becomes a bottleneck. Every operation of the port names one key,
 * so none ever needs two objects.
 *
 * Expiry runs on the object's clock; an expired entry is absent at once and removed by the
 * object's alarm. Errors of the object (or of reaching it) reject the operation.
 *
 * @example
 * ```ts
 * // The worker, with the binding of docs/storage.md:
 * const worker = {
 *   async fetch(request: Request, env: { RECIPROCAL_STORAGE: DurableObjectNamespaceApi }): Promise<Response> {
 *     const storage = new DurableObjectStorage(env.RECIPROCAL_STORAGE, { prefix: 'music:' })
 *     return Response.json({ stored: await storage.add('hello', 'world', 60) })
 *   },
 * }
 * ```
 * @see docs/storage.md
 * @group Cloudflare
 */
export class DurableObjectStorage implements Storage {
  /** The class's name in any build, minified or not (stack traces, `util.inspect`). */
  static readonly name = 'DurableObjectStorage'
  readonly #namespace: DurableObjectNamespaceApi
  readonly #prefix: string

  constructor(namespace: DurableObjectNamespaceApi, options: DurableObjectStorageOptions = {}) {
    const { prefix = '' } = options
    if (typeof prefix !== 'string') throw invalidType('prefix must be a string')
    this.#namespace = namespace
    this.#prefix = prefix
  }

  async get<T extends JsonValue>(key: string): Promise<T | undefined> {
    return parse<T>(await this.#send({ op: 'get', key }))
  }

  async set(key: string, value: JsonValue, ttlSeconds?: number): Promise<void> {
    await this.#send(write('set', key, value, ttlSeconds))
  }

  async add(key: string, value: JsonValue, ttlSeconds?: number): Promise<boolean> {
    const { stored } = await this.#send(write('add', key, value, ttlSeconds))
    if (typeof stored !== 'boolean') throw new Error('The storage object answered an add without `stored`')
    return stored
  }

  async delete(key: string): Promise<void> {
    await this.#send({ op: 'delete', key })
  }

  async take<T extends JsonValue>(key: string): Promise<T | undefined> {
    return parse<T>(await this.#send({ op: 'take', key }))
  }

  /** Sends `operation` (its key prefixed) to the object of that key. */
  async #send(operation: StorageOperation): Promise<StorageAnswer> {
    const key = this.#prefix + operation.key
    const stub = this.#namespace.get(this.#namespace.idFromName(key))
    const response = await stub.fetch(STORAGE_OBJECT_URL, { method: 'POST', body: JSON.stringify({ ...operation, key }) })
    if (!response.ok) throw new Error(`The storage object answered ${response.status}: is the binding's class ReciprocalStorageObject?`)
    return (await response.json()) as StorageAnswer
  }
}

function write(op: 'set' | 'add', key: string, value: JsonValue, ttlSeconds: number | undefined): StorageOperation {
  const ttlMs = ttlMilliseconds(ttlSeconds)
  return ttlMs === undefined ? { op, key, json: JSON.stringify(value) } : { op, key, json: JSON.stringify(value), ttlMs }
}

function parse<T extends JsonValue>({ json }: StorageAnswer): T | undefined {
  if (json === null) return undefined
  if (typeof json !== 'string') throw new Error('The storage object answered a read without `json`')
  return JSON.parse(json) as T
}
