// PostgresStorage beyond the storage contract: its schema, its cleanup, its options, its errors,
// and the races between cleanup and the writes — over PGlite always, and over a real PostgreSQL
// server (where the races are real: a pool of connections) when RECIPROCAL_TEST_POSTGRES_URL is set.
import pg from 'pg'
import { MisuseCode } from 'reciprocal-oauth'
import { migratePostgresStorage, type PostgresClient, PostgresStorage, type PostgresStorageOptions } from 'reciprocal-oauth/postgres'
import { describe, expect, it } from 'vitest'
import { postgresClients } from './postgres-clients.js'

const { embedded, server: pool, all: backends, table: freshTable } = postgresClients()

it('a pg Pool, a pg Client and a PGlite database are PostgresClients as they are (no wrapper)', () => {
  const clients: PostgresClient[] = [new pg.Pool(), new pg.Client(), embedded]
  expect(clients.every((client) => typeof client.query === 'function')).toBe(true)
})


describe.each(backends)('PostgresStorage over %s', (_, client) => {
  /** A fresh table, a clock the test moves, and a store over both. */
  async function fresh(options: PostgresStorageOptions = {}) {
    const table = freshTable('adapter')
    await migratePostgresStorage(client, { table })
    const clock = { now: 1_700_000_000 }
    const make = (more: PostgresStorageOptions = {}) => new PostgresStorage(client, { table, now: () => clock.now, ...options, ...more })
    const rows = async () => (await client.query(`SELECT key, value, expires_at IS NOT NULL AS timed FROM ${table} ORDER BY key`, [])).rows as Array<{ key: string; value: string; timed: boolean }>
    return { table, clock, storage: make(), make, rows }
  }

  it('stores the JSON text itself (text, not jsonb), under prefix + key', async () => {
    const { make, rows } = await fresh()
    await make({ prefix: 'tenant-1:' }).set('code:x', { z: 1, a: [null, 'é'] }, 60)
    expect(await rows()).toEqual([{ key: 'tenant-1:code:x', value: '{"z":1,"a":[null,"é"]}', timed: true }])
  })

  it('migrating is idempotent, also from many instances at once; the table may be schema-qualified', async () => {
    const { table, storage } = await fresh()
    await Promise.all(Array.from({ length: 8 }, () => migratePostgresStorage(client, { table })))
    await storage.set('k', 1)
    await Promise.all(Array.from({ length: 4 }, () => migratePostgresStorage(client, { table })))
    expect(await storage.get('k')).toBe(1)

    await client.query('CREATE SCHEMA IF NOT EXISTS reciprocal_test', [])
    const qualified = freshTable('adapter', 'reciprocal_test')
    await Promise.all([migratePostgresStorage(client, { table: qualified }), migratePostgresStorage(client, { table: qualified })])
    const inSchema = new PostgresStorage(client, { table: qualified })
    await inSchema.set('k', 'in the schema', 60)
    expect([await inSchema.get('k'), await storage.get('k')]).toEqual(['in the schema', 1])
  })

  it('deleteExpired deletes the expired rows of every prefix, in batches, and nothing live', async () => {
    const { clock, make, rows } = await fresh({ sweepEvery: 0 })
    const [a, b] = [make({ prefix: 'a:' }), make({ prefix: 'b:' })]
    for (let i = 0; i < 7; i++) await (i % 2 === 0 ? a : b).set(`old-${i}`, i, 10)
    await a.set('live', 'stays', 3600)
    await b.set('untimed', 'stays')
    clock.now += 11
    expect(await a.deleteExpired(3)).toBe(7)
    expect((await rows()).map((row) => row.key)).toEqual(['a:live', 'b:untimed'])
    expect(await b.deleteExpired()).toBe(0)
  })

  it('every sweepEvery-th write first deletes up to twice as many expired rows; 0 turns the sweep off', async () => {
    const { clock, make, rows } = await fresh()
    const sweeping = make({ sweepEvery: 2 })
    const idle = make({ sweepEvery: 0 })
    for (let i = 0; i < 6; i++) await idle.set(`old-${i}`, i, 10)
    clock.now += 11
    for (let i = 0; i < 4; i++) await idle.set(`idle-${i}`, i, 60)
    expect((await rows()).length).toBe(10)
    await sweeping.set('w1', 1, 60) // write 1: no sweep
    expect((await rows()).length).toBe(11)
    await sweeping.add('w2', 2, 60) // write 2: sweeps 4 expired rows first
    expect((await rows()).length).toBe(8)
    await sweeping.set('w3', 3, 60)
    await sweeping.set('w4', 4, 60) // sweeps the last 2
    expect((await rows()).filter((row) => row.key.startsWith('old-'))).toEqual([])
  })

  it('take deletes an expired row it finds (and gives undefined)', async () => {
    const { clock, storage, rows } = await fresh()
    await storage.set('code', 'old', 10)
    clock.now += 11
    expect(await storage.take('code')).toBeUndefined()
    expect(await rows()).toEqual([])
  })

  it('an add that revives an expired row is never undone by a concurrent cleanup (200 keys, batches of 10)', async () => {
    const { clock, storage } = await fresh({ sweepEvery: 0 })
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`)
    await Promise.all(keys.map((key) => storage.set(key, 'old', 10)))
    clock.now += 11
    const [added] = await Promise.all([Promise.all(keys.map((key) => storage.add(key, 'new', 60))), storage.deleteExpired(10)])
    expect(added.every(Boolean)).toBe(true)
    expect(await Promise.all(keys.map((key) => storage.get(key)))).toEqual(keys.map(() => 'new'))
  })

  it('an add and a take racing over an expired row: the added value is either taken or stored, never lost or doubled', async () => {
    const { clock, storage } = await fresh({ sweepEvery: 0 })
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`)
    await Promise.all(keys.map((key) => storage.set(key, 'old', 10)))
    clock.now += 11
    const outcomes = await Promise.all(keys.map(async (key) => {
      const [added, taken] = await Promise.all([storage.add(key, 'new', 60), storage.take(key)])
      return { added, taken, left: await storage.get(key) }
    }))
    for (const { added, taken, left } of outcomes) {
      expect(added).toBe(true)
      expect([taken, left].filter((value) => value === 'new')).toHaveLength(1)
    }
  })

  it('errors of the driver propagate: a missing table rejects with PostgreSQL’s own error (42P01)', async () => {
    const storage = new PostgresStorage(client, { table: 'no_such_table_here' })
    await expect(storage.get('k')).rejects.toMatchObject({ code: '42P01' })
    await expect(storage.add('k', 1, 60)).rejects.toMatchObject({ code: '42P01' })
  })
})

describe('PostgresStorage: errors and options', () => {
  it('rejects with the driver’s error object itself, for every operation', async () => {
    const failure = Object.assign(new Error('connection terminated'), { code: '57P01' })
    const broken: PostgresClient = { query: () => Promise.reject(failure) }
    const storage = new PostgresStorage(broken)
    for (const operation of [storage.get('k'), storage.set('k', 1), storage.add('k', 1), storage.delete('k'), storage.take('k'), storage.deleteExpired()]) {
      await expect(operation).rejects.toBe(failure)
    }
    await expect(migratePostgresStorage(broken)).rejects.toBe(failure)
  })

  it('a failed sweep fails the write before it is attempted (the caller never sees a stored add as failed)', async () => {
    const sent: string[] = []
    const failure = new Error('sweep failed')
    const client: PostgresClient = {
      query: async (text) => {
        sent.push(text.trimStart().slice(0, 6))
        if (text.startsWith('WITH deleted')) throw failure
        return { rows: [{ stored: 1 }] }
      },
    }
    const storage = new PostgresStorage(client, { sweepEvery: 1 })
    await expect(storage.add('k', 1, 60)).rejects.toBe(failure)
    expect(sent).toEqual(['WITH d'])
  })

  it('refuses a table name that is not an identifier, before any SQL is sent (the name is written into the SQL)', async () => {
    const client: PostgresClient = { query: () => Promise.reject(new Error('no SQL may be sent')) }
    for (const table of ['', 'a.b.c', 'x"; DROP TABLE users; --', '1table', 'has space', 'a'.repeat(49), 'schema.', 'é']) {
      expect(() => new PostgresStorage(client, { table }), table).toThrow(expect.objectContaining({ code: MisuseCode.InvalidValue }))
      await expect(migratePostgresStorage(client, { table }), table).rejects.toMatchObject({ code: MisuseCode.InvalidValue })
    }
    expect(() => new PostgresStorage(client, { table: 42 as unknown as string })).toThrow(expect.objectContaining({ code: MisuseCode.InvalidType }))
    expect(() => new PostgresStorage(client, { table: 'Public_1.Reciprocal_Store' })).not.toThrow()
  })

  it('refuses other options that cannot work, with coded TypeErrors', async () => {
    const client: PostgresClient = { query: async () => ({ rows: [] }) }
    const misuse = (code: string) => expect.objectContaining({ name: 'TypeError', code })
    expect(() => new PostgresStorage({} as PostgresClient)).toThrow(misuse(MisuseCode.InvalidType))
    expect(() => new PostgresStorage(client, { prefix: 1 as unknown as string })).toThrow(misuse(MisuseCode.InvalidType))
    expect(() => new PostgresStorage(client, { now: 1 as unknown as () => number })).toThrow(misuse(MisuseCode.InvalidType))
    for (const sweepEvery of [-1, 1.5, Number.NaN]) expect(() => new PostgresStorage(client, { sweepEvery })).toThrow(misuse(MisuseCode.InvalidValue))
    const storage = new PostgresStorage(client)
    for (const ttl of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) await expect(storage.set('k', 1, ttl)).rejects.toMatchObject({ code: MisuseCode.InvalidValue })
    for (const batch of [0, 2.5]) await expect(storage.deleteExpired(batch)).rejects.toMatchObject({ code: MisuseCode.InvalidValue })
  })
})

describe.skipIf(pool === undefined)('PostgresStorage over a PostgreSQL server: cleanup against a write in flight', () => {
  it('cleanup never waits for a row a write holds, and never deletes the row that write revives', async () => {
    const server = pool as pg.Pool
    const table = freshTable('inflight')
    await migratePostgresStorage(server, { table })
    let now = 1_700_000_000
    const storage = new PostgresStorage(server, { table, now: () => now, sweepEvery: 0 })
    await storage.set('k', 'old', 10)
    now += 11
    // A second instance's add, inside a transaction held open: it has revived the row, not committed.
    const writer = await server.connect()
    await writer.query('BEGIN')
    expect(await new PostgresStorage(writer, { table, now: () => now }).add('k', 'new', 60)).toBe(true)
    const cleanup = storage.deleteExpired()
    // Either the cleanup finishes without waiting, or it waits on the writer's row lock: find out which.
    const waiting = async (): Promise<boolean> => {
      for (;;) {
        const { rows } = await server.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH deleted%'")
        if ((rows[0] as { n: number }).n > 0) return true
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    const waited = await Promise.race([cleanup.then(() => false), waiting()])
    await writer.query('COMMIT')
    writer.release()
    expect({ waited, deleted: await cleanup, value: await storage.get('k') }).toEqual({ waited: false, deleted: 0, value: 'new' })
  })
})
