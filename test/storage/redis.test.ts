// RedisStorage without a server: the commands it sends (each on exactly one key, so that it works
// unchanged on Redis Cluster), the TTLs it passes, the errors it lets through, and the clients it
// type-checks against. The contract suite on a real Redis is in redis-contract.test.ts.
import { MisuseCode } from 'reciprocal-oauth'
import { fromIoredis, fromNodeRedis, type IoredisClient, type NodeRedisClient, type RedisCommands, RedisStorage } from 'reciprocal-oauth/redis'
import { describe, expect, it } from 'vitest'
import { typecheckSnippets } from '../helpers/typecheck.js'
import { EVERY_OPERATION_RESULTS, everyOperation } from './redis-operations.js'

/** One call a fake client received: its method and its arguments. */
type Call = readonly [method: string, ...args: unknown[]]

/** A node-redis client that records each call and answers as Redis would, from a Map (TTLs ignored). */
function fakeNodeRedis(calls: Call[]): NodeRedisClient {
  const data = new Map<string, string>()
  return {
    get: async (key) => (calls.push(['get', key]), data.get(key) ?? null),
    getDel: async (key) => {
      calls.push(['getDel', key])
      const value = data.get(key) ?? null
      data.delete(key)
      return value
    },
    set: async (key, value, options) => {
      calls.push(['set', key, value, options])
      if (options.NX === true && data.has(key)) return null
      data.set(key, value)
      return 'OK'
    },
    del: async (key) => (calls.push(['del', key]), Number(data.delete(key))),
  }
}

/** The same for ioredis, whose SET takes its options as arguments. */
function fakeIoredis(calls: Call[]): IoredisClient {
  const redis = fakeNodeRedis([])
  const set = async (key: string, value: string, ...options: Array<string | number>): Promise<'OK' | null> => {
    calls.push(['set', key, value, ...options])
    return (await redis.set(key, value, options.includes('NX') ? { NX: true } : {})) === null ? null : 'OK'
  }
  return {
    get: async (key) => (calls.push(['get', key]), (await redis.get(key)) as string | null),
    getdel: async (key) => (calls.push(['getdel', key]), (await redis.getDel(key)) as string | null),
    set: set as IoredisClient['set'],
    del: async (key) => (calls.push(['del', key]), (await redis.del(key)) as number),
  }
}

describe('RedisStorage: the commands it sends', () => {
  it('through node-redis: GET, GETDEL, SET [PX] [NX] (each option in v5’s form and v4’s) and DEL, each on exactly one key, the prefixed one', async () => {
    const calls: Call[] = []
    const results = await everyOperation(new RedisStorage(fromNodeRedis(fakeNodeRedis(calls)), { prefix: 'music:' }))
    expect(results).toEqual(EVERY_OPERATION_RESULTS)
    expect(calls).toEqual([
      ['set', 'music:code:a', '{"grant":"g"}', { expiration: { type: 'PX', value: 60_000 }, PX: 60_000 }],
      ['set', 'music:link:b', '"untimed"', {}],
      ['set', 'music:code:a', '"refused"', { condition: 'NX', NX: true, expiration: { type: 'PX', value: 60_000 }, PX: 60_000 }],
      ['set', 'music:lease:c', '1', { condition: 'NX', NX: true }],
      ['get', 'music:link:b'],
      ['getDel', 'music:code:a'],
      ['getDel', 'music:code:a'],
      ['del', 'music:lease:c'],
      ['get', 'music:lease:c'],
    ])
  })

  it('through ioredis: the same commands, the options as arguments, each on exactly one key', async () => {
    const calls: Call[] = []
    const results = await everyOperation(new RedisStorage(fromIoredis(fakeIoredis(calls)), { prefix: 'music:' }))
    expect(results).toEqual(EVERY_OPERATION_RESULTS)
    expect(calls).toEqual([
      ['set', 'music:code:a', '{"grant":"g"}', 'PX', 60_000],
      ['set', 'music:link:b', '"untimed"'],
      ['set', 'music:code:a', '"refused"', 'PX', 60_000, 'NX'],
      ['set', 'music:lease:c', '1', 'NX'],
      ['get', 'music:link:b'],
      ['getdel', 'music:code:a'],
      ['getdel', 'music:code:a'],
      ['del', 'music:lease:c'],
      ['get', 'music:lease:c'],
    ])
  })

  it('passes the TTL in whole milliseconds, rounded up', async () => {
    const calls: Call[] = []
    const storage = new RedisStorage(fromNodeRedis(fakeNodeRedis(calls)))
    await storage.set('a', 1, 1.5)
    await storage.set('b', 1, 0.0001)
    expect(calls.map(([, key, , options]) => [key, (options as { PX: number }).PX])).toEqual([
      ['a', 1500],
      ['b', 1],
    ])
  })

  it('refuses a TTL that is not a positive finite number before sending anything (every stored record expires)', async () => {
    const calls: Call[] = []
    const storage = new RedisStorage(fromNodeRedis(fakeNodeRedis(calls)))
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(storage.set('k', 'v', ttl)).rejects.toMatchObject({ code: MisuseCode.InvalidValue })
      await expect(storage.add('k', 'v', ttl)).rejects.toMatchObject({ code: MisuseCode.InvalidValue })
    }
    expect(calls).toEqual([])
  })
})

describe('RedisStorage: failures', () => {
  it('an error of the client rejects the operation with that very error, never swallowed', async () => {
    const lost = new Error('connection lost')
    const failing: RedisCommands = {
      get: () => Promise.reject(lost),
      getDel: () => Promise.reject(lost),
      set: () => Promise.reject(lost),
      del: () => Promise.reject(lost),
    }
    const storage = new RedisStorage(failing)
    for (const operation of [storage.get('k'), storage.set('k', 1, 60), storage.add('k', 1, 60), storage.delete('k'), storage.take('k')]) {
      await expect(operation).rejects.toBe(lost)
    }
  })

  it('a reply that is not a string (a client set to answer with buffers) is refused, not parsed', async () => {
    const buffers: NodeRedisClient = { ...fakeNodeRedis([]), get: async () => new Uint8Array([34, 120, 34]), getDel: async () => 42 }
    const storage = new RedisStorage(fromNodeRedis(buffers))
    await expect(storage.get('k')).rejects.toMatchObject({ code: MisuseCode.InvalidType, message: expect.stringMatching(/Uint8Array, not a string/) })
    await expect(storage.take('k')).rejects.toMatchObject({ code: MisuseCode.InvalidType, message: expect.stringMatching(/number, not a string/) })
  })

  it('a prefix that is not a string is refused', () => {
    expect(() => new RedisStorage(fromNodeRedis(fakeNodeRedis([])), { prefix: 1 as unknown as string })).toThrow(expect.objectContaining({ code: MisuseCode.InvalidType }))
  })
})

describe('RedisStorage: the clients it takes', () => {
  it('fromNodeRedis takes node-redis v4, v5 and v6 clients and clusters; fromIoredis takes ioredis v5 and v6 clients and clusters; neither takes the other', { timeout: 60_000 }, () => {
    const code = `
      import { createClient, createCluster } from 'redis'
      import { createClient as createClientV5, createCluster as createClusterV5 } from 'node-redis-v5'
      import { createClient as createClientV4, createCluster as createClusterV4 } from 'node-redis-v4'
      import { Cluster, Redis } from 'ioredis'
      import { Cluster as ClusterV5, Redis as RedisV5 } from 'ioredis-v5'
      import { fromIoredis, fromNodeRedis } from 'reciprocal-oauth/redis'

      export const nodeRedis = [
        fromNodeRedis(createClient()),
        fromNodeRedis(createCluster({ rootNodes: [] })),
        fromNodeRedis(createClientV5()),
        fromNodeRedis(createClusterV5({ rootNodes: [] })),
        fromNodeRedis(createClientV4()),
        fromNodeRedis(createClusterV4({ rootNodes: [] })),
      ]
      export const ioredis = [fromIoredis(new Redis()), fromIoredis(new Cluster([])), fromIoredis(new RedisV5()), fromIoredis(new ClusterV5([]))]
      export const swapped = [fromNodeRedis(new Redis()), fromIoredis(createClient())]
    `
    const errors = typecheckSnippets([{ file: 'clients.ts', line: 1, code }])
    expect(errors).toHaveLength(2)
    expect(errors[0]).toMatch(/^clients\.ts:\d+: Argument of type 'Redis<"legacy">' is not assignable to parameter of type 'NodeRedisClient'[\s\S]*getDel/)
    expect(errors[1]).toMatch(/^clients\.ts:\d+: Argument of type .* is not assignable to parameter of type 'IoredisClient'[\s\S]*getdel/)
  })
})
