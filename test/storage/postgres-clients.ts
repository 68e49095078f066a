// The PostgreSQL clients a test file runs over: PGlite in process always, and a pool on a real
// server when RECIPROCAL_TEST_POSTGRES_URL names one (test/storage/backends.ts: skipped with a
// notice without it, a failure under CI=true). Opened for the file, closed after it.
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import type { PostgresClient } from 'reciprocal-oauth/postgres'
import { afterAll, beforeAll } from 'vitest'
import { realBackend } from './backends.js'

export interface PostgresClients {
  readonly embedded: PGlite
  /** The real server's pool, when one is configured. */
  readonly server: pg.Pool | undefined
  /** Why there is no server, when there is none. */
  readonly skipped: string | undefined
  /** Each client with its name, for `describe.each`. */
  readonly all: ReadonlyArray<readonly [string, PostgresClient]>
  /**
   * A table name no other test or run uses (`kind_<time>_<n>`, in `schema` when given); the table,
   * if made, is dropped after the file, so a shared development database keeps nothing.
   */
  table(kind: string, schema?: string): string
}

/** Call once at the top level of a test file. */
export function postgresClients(): PostgresClients {
  const embedded = new PGlite()
  const backend = realBackend('postgres')
  const server = backend.url === undefined ? undefined : new pg.Pool({ connectionString: backend.url, max: 20 })
  // Starting the embedded engine takes seconds: not part of any test's time.
  beforeAll(() => embedded.waitReady, 120_000)
  const all: Array<readonly [string, PostgresClient]> = [['PGlite', embedded]]
  if (server !== undefined) all.push(['PostgreSQL', server])
  const tables: string[] = []
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
  afterAll(async () => {
    for (const [, client] of all) for (const table of tables) await client.query(`DROP TABLE IF EXISTS ${table}`, [])
    await Promise.all([embedded.close(), server?.end()])
  })
  const table = (kind: string, schema?: string): string => {
    const name = `${schema === undefined ? '' : `${schema}.`}${kind}_${run}_${tables.length}`
    tables.push(name)
    return name
  }
  return { embedded, server, skipped: backend.skipped, all, table }
}
