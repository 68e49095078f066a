// The many-instances deployment: party A as two processes over one PostgreSQL table, party B as
// two processes over one Redis (one through node-redis, one through ioredis), each party behind
// its front door. Names are unique per run (the table, the Redis key prefix), so parallel test
// files and earlier runs never meet; `stop` removes everything the run made, even after a setup
// that failed half-way.
import { Redis } from 'ioredis'
import pg from 'pg'
import { bundleInstance, type InstanceHandle, startInstance, stopAllInstances } from './fleet.js'
import { type Front, startFront } from './front.js'
import type { StoreConfig } from './instance.js'

export interface Deployment {
  /** Party A's instances, A1 and A2. */
  readonly a: readonly [InstanceHandle, InstanceHandle]
  /** Party B's instances, B1 (node-redis) and B2 (ioredis). */
  readonly b: readonly [InstanceHandle, InstanceHandle]
  readonly fronts: { readonly a: Front; readonly b: Front }
  /** Every instance, A's then B's. */
  readonly all: readonly InstanceHandle[]
}

/**
 * Starts the deployment over the servers at `postgresUrl` and `redisUrl`. `cleanup` collects
 * what undoes each step, for the caller to run (in reverse) after the tests — also when a step
 * threw.
 */
export async function startDeployment(postgresUrl: string, redisUrl: string, cleanup: Array<() => Promise<unknown>>): Promise<Deployment> {
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
  const table = `many_instances_${run}`
  const redisPrefix = `many-instances-${run}:`

  const bundle = await bundleInstance()
  cleanup.push(async () => bundle.remove())
  const fronts = { a: await startFront(), b: await startFront() }
  cleanup.push(() => Promise.all([fronts.a.close(), fronts.b.close()]))
  const admin = { postgres: new pg.Pool({ connectionString: postgresUrl, max: 1 }), redis: new Redis(redisUrl, { lazyConnect: true }) }
  cleanup.push(async () => {
    await admin.postgres.query(`DROP TABLE IF EXISTS ${table}`)
    await admin.postgres.end()
    for await (const keys of admin.redis.scanStream({ match: `${redisPrefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await admin.redis.del(...keys)
    }
    await admin.redis.quit()
  })
  cleanup.push(() => stopAllInstances())

  const origins = { a: fronts.a.url, b: fronts.b.url }
  const start = (name: string, party: 'a' | 'b', store: StoreConfig) => startInstance(bundle.file, name, { party, origins, store })
  const postgres: StoreConfig = { kind: 'postgres', url: postgresUrl, table, prefix: 'assistant:' }
  const redis = { kind: 'redis', url: redisUrl, prefix: `${redisPrefix}music:` } as const
  const [a1, a2, b1, b2] = await Promise.all([
    start('A1', 'a', postgres),
    start('A2', 'a', postgres),
    start('B1', 'b', { ...redis, client: 'node-redis' }),
    start('B2', 'b', { ...redis, client: 'ioredis' }),
  ])
  // Every child has loaded it: nothing is left behind even if the test process is killed.
  bundle.remove()
  fronts.a.instances = [a1.url, a2.url]
  fronts.b.instances = [b1.url, b2.url]
  return { a: [a1, a2], b: [b1, b2], fronts, all: [a1, a2, b1, b2] }
}
