/**
 * `Storage` over Redis: one command per operation, each on one key.
 *
 * @module
 */
import type { JsonValue, Storage } from '../../core/storage.js'
import { invalidType } from '../../core/misuse.js'
import { ttlMilliseconds } from '../ttl.js'
import type { RedisCommands } from './commands.js'

/**
 * Options of {@link RedisStorage}.
 *
 * @example
 * ```ts
 * const redisOptions: RedisStorageOptions = { prefix: 'music:' }
 * const storageOf = (commands: RedisCommands) => new RedisStorage(commands, redisOptions)
 * ```
 * @see docs/storage.md
 * @group Redis
 */
export interface RedisStorageOptions {
  /**
   * Put before every key (default: none), so that several parties or tenants share one Redis:
   * give each its own, e.g. `'music:'`. Avoid a hash tag (`{…}`) in it on Redis Cluster: it
   * would put every key of the store in one slot, on one node.
   */
  readonly prefix?: string
}

/**
 * {@link Storage} in Redis (≥ 6.2), through node-redis or ioredis ({@link fromNodeRedis},
 * {@link fromIoredis}) or any client you give {@link RedisCommands}. Each value is stored as its
 * JSON text under `prefix + key`:
 *
 * - `get` is `GET`; `set` is `SET` with `PX` when there is a TTL (a `set` without one clears it);
 * - `add` is `SET … NX`: atomic in Redis, and an expired key is already gone;
 * - `take` is `GETDEL`: of many concurrent takes exactly one gets the value (SPEC R4.2);
 * - `delete` is `DEL`.
 *
 * Expiry is Redis' own (`PX`, in milliseconds); nothing to sweep. Every command names exactly one
 * key, so the store works unchanged on Redis Cluster. The client's errors reject the promise.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect()
 * const storage = new RedisStorage(fromNodeRedis(client), { prefix: 'music:' })
 * ```
 * @group Redis
 */
export class RedisStorage implements Storage {
  /** The class's name in any build, minified or not (stack traces, `util.inspect`). */
  static readonly name = 'RedisStorage'
  readonly #redis: RedisCommands
  readonly #prefix: string

  constructor(commands: RedisCommands, options: RedisStorageOptions = {}) {
    const { prefix = '' } = options
    if (typeof prefix !== 'string') throw invalidType('prefix must be a string')
    this.#redis = commands
    this.#prefix = prefix
  }

  async get<T extends JsonValue>(key: string): Promise<T | undefined> {
    return parse<T>(await this.#redis.get(this.#prefix + key))
  }

  async set(key: string, value: JsonValue, ttlSeconds?: number): Promise<void> {
    await this.#set(key, value, ttlSeconds, false)
  }

  async add(key: string, value: JsonValue, ttlSeconds?: number): Promise<boolean> {
    return this.#set(key, value, ttlSeconds, true)
  }

  async delete(key: string): Promise<void> {
    await this.#redis.del(this.#prefix + key)
  }

  async take<T extends JsonValue>(key: string): Promise<T | undefined> {
    return parse<T>(await this.#redis.getDel(this.#prefix + key))
  }

  async #set(key: string, value: JsonValue, ttlSeconds: number | undefined, onlyIfAbsent: boolean): Promise<boolean> {
    const milliseconds = ttlMilliseconds(ttlSeconds)
    const options = milliseconds === undefined ? { onlyIfAbsent } : { onlyIfAbsent, milliseconds }
    return this.#redis.set(this.#prefix + key, JSON.stringify(value), options)
  }
}

function parse<T extends JsonValue>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T)
}
