// The storage contract suite (reciprocal-oauth/testing) on PostgresStorage: over PGlite in process
// (always), with an injected clock and on the database's clock, and over a real PostgreSQL server
// when RECIPROCAL_TEST_POSTGRES_URL names one (test/storage/backends.ts: skipped with a notice on a
// developer machine without it, a failure under CI=true).
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { migratePostgresStorage, type PostgresClient, PostgresStorage } from 'reciprocal-oauth/postgres'
import { describeStorageContract, type StorageUnderTest } from 'reciprocal-oauth/testing'
import { afterAll, describe } from 'vitest'
import { realBackend } from './backends.js'

/** Stores over one table of `client`, made once the table is; `close` drops the table. */
function overOneTable(client: PostgresClient, table: string, now?: () => number): StorageUnderTest {
  let migrated: Promise<void> | undefined
  return {
    async create(prefix) {
      await (migrated ??= migratePostgresStorage(client, { table }))
      return new PostgresStorage(client, { table, prefix, ...(now === undefined ? {} : { now }) })
    },
    async close() {
      await client.query(`DROP TABLE IF EXISTS ${table}`, [])
    },
  }
}

// One embedded engine for both runs: starting one costs seconds.
const embedded = new PGlite()
afterAll(() => embedded.close())

let now = 1_700_000_000
describeStorageContract('PostgresStorage over PGlite', {
  ...overOneTable(embedded, 'contract_injected_clock', () => now),
  clock: { advance: (seconds) => (now += seconds) },
})

describeStorageContract('PostgresStorage over PGlite on the database clock', overOneTable(embedded, 'contract_database_clock'))

const server = realBackend('postgres')
describe.skipIf(server.url === undefined)(`PostgresStorage over a PostgreSQL server${server.skipped === undefined ? '' : ` (${server.skipped})`}`, () => {
  const pool = new pg.Pool({ connectionString: server.url, max: 20 })
  afterAll(() => pool.end())
  // A table of its own per run, so a shared development database keeps nothing of it.
  const table = `contract_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  describeStorageContract('PostgresStorage over PostgreSQL', overOneTable(pool, table))
})
