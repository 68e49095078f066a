/**
 * The four Redis commands `RedisStorage` sends, and the two functions that get them from the
 * clients people use: node-redis (`redis`) and `ioredis`. Their APIs differ (node-redis takes
 * `set(key, value, { condition: 'NX', expiration: { type: 'PX', value: ms } })` and names `getDel` in camel case; ioredis takes
 * `set(key, value, 'PX', ms, 'NX')` and `getdel`), so each gets a three-line translation
 * instead of one interface that neither satisfies. Neither package is a dependency: the types
 * below are the shapes the SDK calls, which both clients (and their cluster clients) have.
 *
 * @module
 */
import { invalidType } from '../../core/misuse.js'

/**
 * How {@link RedisCommands.set} stores: with a TTL or without, and unconditionally or only when
 * the key is absent.
 *
 * @example
 * ```ts
 * const options: RedisSetOptions = { onlyIfAbsent: true, milliseconds: 60_000 } // SET … PX 60000 NX
 * ```
 * @see docs/storage.md
 * @group Redis
 */
export interface RedisSetOptions {
  /** `NX`: store only when the key is absent. */
  readonly onlyIfAbsent: boolean
  /** `PX`: the TTL in whole milliseconds; absent, the key does not expire (and loses any TTL it had). */
  readonly milliseconds?: number
}

/**
 * What {@link RedisStorage} needs of a Redis client: four commands, each on exactly one key (so
 * that they work unchanged on Redis Cluster). {@link fromNodeRedis} and {@link fromIoredis} make
 * one from those clients; implement it yourself for another client. Let the client's errors
 * reject the promises.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * // node-redis' commands, with each take counted.
 * const redis = fromNodeRedis(await createClient({ url: 'redis://127.0.0.1:6379' }).connect())
 * let takes = 0
 * const counted: RedisCommands = { ...redis, getDel: (key) => (takes++, redis.getDel(key)) }
 * const storage = new RedisStorage(counted, { prefix: 'music:' })
 * ```
 * @see docs/storage.md
 * @group Redis
 */
export interface RedisCommands {
  /** `GET key`: the string stored at `key`, or `null` when there is none. */
  get(key: string): Promise<string | null>
  /** `GETDEL key` (Redis ≥ 6.2): the string, removed in the same command; `null` when there is none. */
  getDel(key: string): Promise<string | null>
  /** `SET key value [PX ms] [NX]`: `true` when it stored, `false` when `NX` found the key present. */
  set(key: string, value: string, options: RedisSetOptions): Promise<boolean>
  /** `DEL key`, one key. */
  del(key: string): Promise<void>
}

/**
 * The options {@link fromNodeRedis} passes to node-redis' `set`, in its new form and its old.
 *
 * @example
 * ```ts
 * const options: NodeRedisSetOptions = { condition: 'NX', NX: true, expiration: { type: 'PX', value: 60_000 }, PX: 60_000 }
 * ```
 * @see docs/storage.md
 * @group Redis
 */
export interface NodeRedisSetOptions {
  readonly condition?: 'NX'
  readonly NX?: true
  readonly expiration?: { readonly type: 'PX'; readonly value: number }
  readonly PX?: number
}

/**
 * The part of a node-redis client that {@link fromNodeRedis} calls: `createClient()` and
 * `createCluster()` of the `redis` package (v4 and later) both have it.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * const client: NodeRedisClient = await createClient({ url: 'redis://127.0.0.1:6379' }).connect()
 * ```
 * @see docs/storage.md
 * @group Redis
 */
export interface NodeRedisClient {
  /** node-redis' `GET`. */
  get(key: string): Promise<unknown>
  /** node-redis' `GETDEL`. */
  getDel(key: string): Promise<unknown>
  /**
   * node-redis' `SET`. The SDK passes each option in both of node-redis' forms: `condition` and
   * `expiration`, which v5 and later read first, and `NX` and `PX`, which v4 reads (and v5 and
   * v6 still read, deprecated). So no version reads a plain `SET` where the SDK meant `NX`.
   */
  readonly set: (key: string, value: string, options: NodeRedisSetOptions) => Promise<unknown>
  /** node-redis' `DEL`. */
  del(key: string): Promise<unknown>
}

/**
 * The part of an `ioredis` client that {@link fromIoredis} calls: `new Redis()` and
 * `new Cluster()` both have it.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * const client: IoredisClient = new Redis('redis://127.0.0.1:6379')
 * ```
 * @see docs/storage.md
 * @group Redis
 */
export interface IoredisClient {
  /** ioredis' `GET`. */
  get(key: string): Promise<string | null>
  /** ioredis' `GETDEL`. */
  getdel(key: string): Promise<string | null>
  /** ioredis' `SET key value PX ms NX`. */
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>
  /** ioredis' `SET key value NX`. */
  set(key: string, value: string, nx: 'NX'): Promise<'OK' | null>
  /** ioredis' `SET key value PX ms`. */
  set(key: string, value: string, px: 'PX', milliseconds: number): Promise<'OK'>
  /** ioredis' `SET key value`. */
  set(key: string, value: string): Promise<'OK'>
  /** ioredis' `DEL`. */
  del(key: string): Promise<number>
}

/**
 * The {@link RedisCommands} of a node-redis client (`redis` v4 or later; a client or a cluster).
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect()
 * const storage = new RedisStorage(fromNodeRedis(client), { prefix: 'music:' })
 * ```
 * @see docs/storage.md
 * @group Redis
 */
export function fromNodeRedis(client: NodeRedisClient): RedisCommands {
  return {
    get: async (key) => stringReply(await client.get(key)),
    getDel: async (key) => stringReply(await client.getDel(key)),
    set: async (key, value, { onlyIfAbsent, milliseconds }) => {
      const options: NodeRedisSetOptions = {
        ...(onlyIfAbsent ? { condition: 'NX', NX: true } : {}),
        ...(milliseconds === undefined ? {} : { expiration: { type: 'PX', value: milliseconds }, PX: milliseconds }),
      }
      return (await client.set(key, value, options)) !== null
    },
    del: async (key) => void (await client.del(key)),
  }
}

/**
 * The {@link RedisCommands} of an `ioredis` client (a `Redis` or a `Cluster`).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * const client = new Redis('redis://127.0.0.1:6379')
 * const storage = new RedisStorage(fromIoredis(client), { prefix: 'music:' })
 * ```
 * @see docs/storage.md
 * @group Redis
 */
export function fromIoredis(client: IoredisClient): RedisCommands {
  return {
    get: async (key) => stringReply(await client.get(key)),
    getDel: async (key) => stringReply(await client.getdel(key)),
    set: async (key, value, { onlyIfAbsent, milliseconds }) => {
      if (milliseconds === undefined) return (await (onlyIfAbsent ? client.set(key, value, 'NX') : client.set(key, value))) !== null
      return (await (onlyIfAbsent ? client.set(key, value, 'PX', milliseconds, 'NX') : client.set(key, value, 'PX', milliseconds))) !== null
    },
    del: async (key) => void (await client.del(key)),
  }
}

/**
 * A reply that must be a string or `null`. A client set to answer with buffers (node-redis'
 * `typeMapping`, ioredis' `…Buffer` commands) would otherwise hand `JSON.parse` a `Buffer`.
 */
function stringReply(reply: unknown): string | null {
  if (reply === null || typeof reply === 'string') return reply
  throw invalidType(`Redis answered with ${typeof reply === 'object' ? (reply.constructor?.name ?? 'an object') : typeof reply}, not a string: RedisStorage needs a client that answers with strings (no Buffer type mapping)`)
}
