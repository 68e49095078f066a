// The storage contract suite (reciprocal-oauth/testing) on a real Redis, through the clients
// RedisStorage supports: node-redis (`redis`, and the oldest API it reads, v4's) and ioredis.
// Each suite's stores share one client, so the suite's prefixes are what keeps them apart.
// Redis expires keys on its own clock: the suite waits for real 2-second TTLs.
import { fromIoredis, fromNodeRedis, type NodeRedisClient, RedisStorage } from 'reciprocal-oauth/redis'
import { describeStorageContract } from 'reciprocal-oauth/testing'
import { Redis } from 'ioredis'
import { createClient as createClientV4 } from 'node-redis-v4'
import { createClient } from 'redis'
import { describe } from 'vitest'
import { realBackend } from './backends.js'

const { url = '', skipped } = realBackend('redis')

/** A node-redis client of any version: connected on first use, once (the expiry tests create their stores concurrently). */
function nodeRedisSuite(name: string, client: () => NodeRedisClient & { connect(): Promise<unknown>; quit(): Promise<unknown> }): void {
  let connected: Promise<NodeRedisClient> | undefined
  describeStorageContract(`RedisStorage through ${name}`, {
    create: async (prefix) => {
      connected ??= (async () => {
        const made = client()
        await made.connect()
        return made
      })()
      return new RedisStorage(fromNodeRedis(await connected), { prefix })
    },
    close: async () => {
      if (connected !== undefined) await ((await connected) as ReturnType<typeof client>).quit()
    },
  })
}

describe.skipIf(skipped !== undefined)(`Redis (${skipped ?? url})`, () => {
  nodeRedisSuite('node-redis', () => createClient({ url }))
  // v4 reads only the SET options RedisStorage sends ({ NX: true, PX }); v5 and later read them too.
  nodeRedisSuite('node-redis v4', () => createClientV4({ url }))

  let ioredis: Redis | undefined
  describeStorageContract('RedisStorage through ioredis', {
    create: (prefix) => new RedisStorage(fromIoredis((ioredis ??= new Redis(url))), { prefix }),
    close: async () => {
      await ioredis?.quit()
    },
  })
})
