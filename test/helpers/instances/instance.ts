// The entry of one child process of the many-instances test: one instance of party A or B
// (services.ts) on its own HTTP server on loopback, over the store its party shares — PostgreSQL
// through `pg`, or Redis through node-redis or ioredis — driven by the test over IPC (fleet.ts).
// Bundled with esbuild before it is forked: Node runs no TypeScript.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import pg from 'pg'
import { createClient } from 'redis'
import type { Storage } from 'reciprocal-oauth'
import { toNodeListener } from 'reciprocal-oauth/node'
import { migratePostgresStorage, PostgresStorage } from 'reciprocal-oauth/postgres'
import { fromIoredis, fromNodeRedis, RedisStorage } from 'reciprocal-oauth/redis'
import { type Origins, partyAInstance, partyBInstance } from './services.js'
import { closeServer } from '../close-server.js'

/** The store an instance keeps its party's state in. */
export type StoreConfig =
  | { readonly kind: 'postgres'; readonly url: string; readonly table: string; readonly prefix: string }
  | { readonly kind: 'redis'; readonly client: 'node-redis' | 'ioredis'; readonly url: string; readonly prefix: string }

/** What the test passes a child (as JSON, its one argument). */
export interface InstanceConfig {
  readonly party: 'a' | 'b'
  readonly origins: Origins
  readonly store: StoreConfig
}

/** The test's message: run operation `op` with `args`. */
export interface Call {
  readonly id: number
  readonly op: string
  readonly args: readonly unknown[]
}

/** The child's answer to a call: the value, or the error the operation threw (name, message, `code`). */
export type Reply = { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: { readonly name: string; readonly message: string; readonly code?: string } }

/** The first message: the instance listens at `url`. */
export interface Ready {
  readonly ready: true
  readonly url: string
}

const config = JSON.parse(process.argv[2] ?? '') as InstanceConfig
// One clock for the whole deployment: the test moves every instance's clock at once (`advance`).
let offset = 0
const runtime = { now: () => Math.floor(Date.now() / 1000) + offset, randomBytes: (n: number) => crypto.getRandomValues(new Uint8Array(n)) }

/** The store, and how to close its connection. */
async function openStore(store: StoreConfig): Promise<{ storage: Storage; close: () => Promise<unknown> }> {
  if (store.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: store.url, max: 10 })
    // Each instance migrates at start, as a deployment's would: both at once, on one table.
    await migratePostgresStorage(pool, { table: store.table })
    return { storage: new PostgresStorage(pool, { table: store.table, prefix: store.prefix, now: runtime.now }), close: () => pool.end() }
  }
  if (store.client === 'node-redis') {
    const client = await createClient({ url: store.url }).connect()
    return { storage: new RedisStorage(fromNodeRedis(client), { prefix: store.prefix }), close: () => client.close() }
  }
  const client = new Redis(store.url)
  return { storage: new RedisStorage(fromIoredis(client), { prefix: store.prefix }), close: () => client.quit() }
}

const store = await openStore(config.store)
/** What the instance's components observed since the test last asked: each event's type (and credential, for a replay). */
const events: string[] = []
const instance = (config.party === 'a' ? partyAInstance : partyBInstance)({
  origins: config.origins,
  runtime,
  storage: store.storage,
  onEvent: (event) => void events.push(event.type === 'replay-detected' ? `${event.type}:${event.credential}` : event.type),
})
const server = createServer(toNodeListener(instance.handler))
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

async function stop(): Promise<void> {
  await closeServer(server)
  await store.close()
}

const operations: Record<string, (...args: never[]) => Promise<unknown>> = {
  ...instance.operations,
  advance: async (seconds: number) => void (offset += seconds),
  events: async () => events.splice(0),
  stop,
}

process.on('message', async ({ id, op, args }: Call) => {
  let reply: Reply
  try {
    const operation = Object.hasOwn(operations, op) ? operations[op] : undefined
    if (operation === undefined) throw new Error(`no operation ${op}`)
    reply = { id, value: (await operation(...(args as never[]))) ?? null }
  } catch (caught) {
    const error = caught as Error & { code?: unknown }
    reply = { id, error: { name: error.name, message: error.message, ...(typeof error.code === 'string' ? { code: error.code } : {}) } }
  }
  process.send?.(reply, () => {
    if (op === 'stop') process.exit(0)
  })
})
// The test is gone (it ended, or died): so is this instance.
process.on('disconnect', () => process.exit(0))
process.send?.({ ready: true, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } satisfies Ready)
