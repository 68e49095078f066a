// The storage contract suite (reciprocal-oauth/testing) on PostgresStorage: over PGlite in process
// (always), with an injected clock and on the database's clock, and over a real PostgreSQL server
// when RECIPROCAL_TEST_POSTGRES_URL names one (test/storage/backends.ts: skipped with a notice on a
// developer machine without it, a failure under CI=true).
import { migratePostgresStorage, type PostgresClient, PostgresStorage } from 'reciprocal-oauth/postgres'
import { describeStorageContract, type StorageUnderTest } from 'reciprocal-oauth/testing'
import { describe } from 'vitest'
import { postgresClients } from './postgres-clients.js'

/** Stores over one table of `client`, made once the table is. */
function overOneTable(client: PostgresClient, table: string, now?: () => number): StorageUnderTest {
  let migrated: Promise<void> | undefined
  return {
    async create(prefix) {
      await (migrated ??= migratePostgresStorage(client, { table }))
      return new PostgresStorage(client, { table, prefix, ...(now === undefined ? {} : { now }) })
    },
  }
}

// One embedded engine for both runs: starting one costs seconds.
const { embedded, server, skipped, table } = postgresClients()

let now = 1_700_000_000
describeStorageContract('PostgresStorage over PGlite', {
  ...overOneTable(embedded, table('contract_injected_clock'), () => now),
  clock: { advance: (seconds) => (now += seconds) },
})

describeStorageContract('PostgresStorage over PGlite on the database clock', overOneTable(embedded, table('contract_database_clock')))

describe.skipIf(server === undefined)(`PostgresStorage over a PostgreSQL server${skipped === undefined ? '' : ` (${skipped})`}`, () => {
  describeStorageContract('PostgresStorage over PostgreSQL', overOneTable(server as PostgresClient, table('contract')))
})
