/**
 * `PostgresStorage`: the storage port over one PostgreSQL table, through any client with a
 * `query(text, params)` method — a `pg` Pool or Client, or a PGlite database in process.
 *
 * @module
 */
import { ttlMilliseconds } from '../ttl.js'
import { invalidType, invalidValue } from '../../core/misuse.js'
import type { JsonValue, Storage } from '../../core/storage.js'
import { DEFAULT_TABLE, schemaStatements, statements, type Statements } from './sql.js'

/**
 * What the adapter needs of a PostgreSQL driver: one parameterised query at a time. A `pg` `Pool`
 * or `Client` and a PGlite database satisfy it as they are, with no wrapper.
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite'
 * import pg from 'pg'
 *
 * const server: PostgresClient = new pg.Pool({ connectionString: 'postgres://app@db.internal/app' })
 * const embedded: PostgresClient = new PGlite('./data/reciprocal')
 * ```
 * @see docs/storage.md
 * @group Storage
 */
export interface PostgresClient {
  /** Runs one SQL statement with `$1`, `$2`, … bound to `params`; rejects with the driver's error. */
  query(text: string, params: unknown[]): Promise<{ readonly rows: readonly unknown[] }>
}

/**
 * Options of {@link PostgresStorage} and {@link migratePostgresStorage}.
 *
 * @example
 * ```ts
 * const options: PostgresStorageOptions = { table: 'oauth.reciprocal_storage', prefix: 'assistant:' }
 * ```
 * @see docs/storage.md
 * @group Storage
 */
export interface PostgresStorageOptions {
  /** The table: an identifier, optionally schema-qualified (`schema.table`). Default `reciprocal_oauth_storage`. */
  readonly table?: string
  /** Put before every key, so that several parties or tenants share one table. Default `''`. */
  readonly prefix?: string
  /**
   * Seconds since the epoch. By default the database's clock, one clock for every instance: leave
   * it so in production. Tests pass their own clock to move time.
   */
  readonly now?: () => number
  /**
   * Every this many writes (`set`, `add`), the write first deletes up to twice as many expired
   * rows, so the table cannot grow with expired rows while it is written to. `0` turns this off
   * (call {@link PostgresStorage.deleteExpired} instead). Default 32.
   */
  readonly sweepEvery?: number
}

/**
 * Creates the table and its expiry index when they do not exist (`CREATE … IF NOT EXISTS`; safe to
 * run at every start, from every instance at once). The table holds `key text PRIMARY KEY`,
 * `value text` (the JSON text, so values come back exactly as stored) and `expires_at timestamptz`.
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite'
 *
 * const db = new PGlite()
 * await migratePostgresStorage(db)
 * const storage = new PostgresStorage(db)
 * ```
 * @see docs/storage.md
 * @group Storage
 */
export async function migratePostgresStorage(client: PostgresClient, options: Pick<PostgresStorageOptions, 'table'> = {}): Promise<void> {
  const [createTable, createIndex] = schemaStatements(options.table ?? DEFAULT_TABLE)
  // One DO block is one transaction: the advisory lock makes instances that start together
  // create the table one after the other (two concurrent CREATE TABLE IF NOT EXISTS can collide).
  await client.query(
    `DO $migrate$ BEGIN
PERFORM pg_advisory_xact_lock(hashtext('reciprocal-oauth:' || ${quoteLiteral(options.table ?? DEFAULT_TABLE)}));
${createTable};
${createIndex};
END $migrate$`,
    [],
  )
}

/**
 * {@link Storage} over PostgreSQL: for several instances of a party sharing one database, or, over
 * PGlite, for one process that wants its state to survive a restart. Run
 * {@link migratePostgresStorage} once first.
 *
 * Each operation is one statement, atomic on its own: `add` is an `INSERT … ON CONFLICT DO UPDATE`
 * that updates only an expired row, `take` a `DELETE … RETURNING`. Expired rows are invisible to
 * every read; they are deleted by `take`, by the writes' bounded sweep (`sweepEvery`), and by
 * {@link PostgresStorage.deleteExpired}. Errors of the driver propagate unchanged.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 *
 * const pool = new pg.Pool({ connectionString: 'postgres://app@db.internal/app' })
 * await migratePostgresStorage(pool)
 * const storage = new PostgresStorage(pool, { prefix: 'assistant:' })
 * setInterval(() => void storage.deleteExpired().catch(console.error), 60_000)
 * ```
 * @see docs/storage.md
 * @group Storage
 */
export class PostgresStorage implements Storage {
  /** The class's name in any build (test/docs/public-api.test.ts). */
  static readonly name = 'PostgresStorage'
  readonly #client: PostgresClient
  readonly #sql: Statements
  readonly #prefix: string
  readonly #now: (() => number) | undefined
  readonly #sweepEvery: number
  #writes = 0

  constructor(client: PostgresClient, options: PostgresStorageOptions = {}) {
    if (typeof client?.query !== 'function') throw invalidType('client must have a query(text, params) method (a pg Pool or Client, or PGlite)')
    const { prefix = '', now, sweepEvery = 32 } = options
    if (typeof prefix !== 'string') throw invalidType('prefix must be a string')
    if (now !== undefined && typeof now !== 'function') throw invalidType('now must be a function')
    if (!(Number.isSafeInteger(sweepEvery) && sweepEvery >= 0)) throw invalidValue('sweepEvery must be a non-negative integer')
    this.#client = client
    this.#sql = statements(options.table ?? DEFAULT_TABLE)
    this.#prefix = prefix
    this.#now = now
    this.#sweepEvery = sweepEvery
  }

  async get<T extends JsonValue>(key: string): Promise<T | undefined> {
    const [row] = await this.#query<{ value: string }>(this.#sql.get, [this.#prefix + key])
    return row === undefined ? undefined : (JSON.parse(row.value) as T)
  }

  async set(key: string, value: JsonValue, ttlSeconds?: number): Promise<void> {
    await this.#write(this.#sql.set, key, value, ttlSeconds)
  }

  async add(key: string, value: JsonValue, ttlSeconds?: number): Promise<boolean> {
    return (await this.#write(this.#sql.add, key, value, ttlSeconds)).length === 1
  }

  async delete(key: string): Promise<void> {
    await this.#client.query(this.#sql.delete, [this.#prefix + key])
  }

  async take<T extends JsonValue>(key: string): Promise<T | undefined> {
    const [row] = await this.#query<{ value: string; live: boolean }>(this.#sql.take, [this.#prefix + key])
    return row?.live === true ? (JSON.parse(row.value) as T) : undefined
  }

  /**
   * Deletes the expired rows of the whole table (every prefix), `batchSize` rows per statement so
   * that no statement holds many locks; resolves with how many it deleted. Call it periodically
   * (every minute, say), or from a scheduled job; it never waits for a row another statement holds.
   */
  async deleteExpired(batchSize = 1000): Promise<number> {
    if (!(Number.isSafeInteger(batchSize) && batchSize > 0)) throw invalidValue('batchSize must be a positive integer')
    let total = 0
    for (;;) {
      const deleted = await this.#deleteExpiredBatch(batchSize)
      total += deleted
      if (deleted < batchSize) return total
    }
  }

  async #deleteExpiredBatch(limit: number): Promise<number> {
    const [row] = await this.#query<{ deleted: number }>(this.#sql.deleteExpired, [limit])
    return row?.deleted ?? 0
  }

  async #write(statement: string, key: string, value: JsonValue, ttlSeconds: number | undefined): Promise<readonly unknown[]> {
    const ttl = ttlMilliseconds(ttlSeconds) // refuses a TTL that is not a positive finite number
    const json = JSON.stringify(value)
    // The sweep runs before the write, as its own statement: a failed sweep then fails a write
    // that did not happen, and the write never holds a lock while it sweeps (no deadlock).
    if (this.#sweepEvery > 0 && ++this.#writes % this.#sweepEvery === 0) await this.#deleteExpiredBatch(2 * this.#sweepEvery)
    return this.#query(statement, [this.#prefix + key, json, ttl === undefined ? null : ttl / 1000])
  }

  /** Runs a statement whose `$1` is the time (the injected clock's, or `NULL` for the database's). */
  async #query<Row>(statement: string, params: readonly unknown[]): Promise<readonly Row[]> {
    const result = await this.#client.query(statement, [this.#now?.() ?? null, ...params])
    return result.rows as readonly Row[]
  }
}

/** `text` as an SQL string literal (the table name, already checked to be an identifier). */
function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}
