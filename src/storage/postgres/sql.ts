/**
 * The SQL of `PostgresStorage`: one statement per operation, each atomic on its own, so the
 * adapter needs no transaction and works through a pool, a single client or PGlite alike.
 *
 * In every statement but `delete`, `$1` is the time: the caller's clock as seconds since the
 * epoch, or `NULL` for the database's clock (`statement_timestamp()`: one clock for every
 * instance, and not frozen inside a caller's transaction as `now()` would be).
 *
 * @module
 */
import { invalidType, invalidValue } from '../../core/misuse.js'

const NOW = 'coalesce(to_timestamp($1::float8), statement_timestamp())'
/** The expiry of a write whose TTL in seconds is `$ttl`; `NULL` (no TTL) stays `NULL`. */
const expiry = (ttl: string): string => `${NOW} + ${ttl}::float8 * interval '1 second'`
const LIVE = `(expires_at IS NULL OR expires_at > ${NOW})`

/** The default table name. @internal */
export const DEFAULT_TABLE = 'reciprocal_oauth_storage'

/** An unquoted SQL identifier; 48 characters leave room for the index name's suffix within PostgreSQL's 63. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/

/**
 * `table` as a quoted SQL name (`"schema"."table"`), after checking each part is a plain
 * identifier: the name is written into the SQL text, so nothing else may pass.
 * @internal
 */
export function quotedTable(table: unknown): { readonly sql: string; readonly name: string } {
  if (typeof table !== 'string') throw invalidType('table must be a string')
  const parts = table.split('.')
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw invalidValue('table must be an identifier (letters, digits, _; at most 48 characters), optionally schema-qualified (schema.table)')
  }
  return { sql: parts.map((part) => `"${part}"`).join('.'), name: parts[parts.length - 1] as string }
}

/**
 * The statements that create the table and its expiry index, `IF NOT EXISTS`. The value is `text`,
 * not `jsonb`: `jsonb` sorts object keys, drops duplicate ones and refuses `\u0000`, and the
 * storage contract gives every value back as the same JSON text.
 * @internal
 */
export function schemaStatements(table: string): readonly string[] {
  const { sql, name } = quotedTable(table)
  return [
    `CREATE TABLE IF NOT EXISTS ${sql} (
  key text PRIMARY KEY,
  value text NOT NULL,
  expires_at timestamptz
)`,
    `CREATE INDEX IF NOT EXISTS "${name}_expires_at" ON ${sql} (expires_at) WHERE expires_at IS NOT NULL`,
  ]
}

/** The statements of one table. @internal */
export interface Statements {
  /** `$2` key → `value` of the live row. */
  readonly get: string
  /** `$2` key, `$3` JSON text, `$4` TTL or null: insert or replace. */
  readonly set: string
  /** As `set`, but stores only over an absent or expired row; returns a row when it stored. */
  readonly add: string
  /** `$1` key (no time: the only statement without it). */
  readonly delete: string
  /** `$2` key → `value`, `live`: deletes the row, expired or not; the value counts only when live. */
  readonly take: string
  /**
   * `$2` batch size → `deleted`: deletes up to that many expired rows. It never waits: rows another
   * statement holds are skipped (so it cannot deadlock with a write), and the expiry is checked
   * again on each row, so a row that a concurrent `add` revived is never deleted.
   */
  readonly deleteExpired: string
}

/** @internal */
export function statements(table: string): Statements {
  const { sql } = quotedTable(table)
  const upsert = `INSERT INTO ${sql} AS stored (key, value, expires_at) VALUES ($2, $3, ${expiry('$4')})
ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`
  return {
    get: `SELECT value FROM ${sql} WHERE key = $2 AND ${LIVE}`,
    set: upsert,
    // Of concurrent adds, PostgreSQL serialises the conflicting ones on the row: each later one
    // reads the row as the winner left it (live), so its WHERE fails and it returns no row.
    add: `${upsert} WHERE stored.expires_at IS NOT NULL AND stored.expires_at <= ${NOW} RETURNING 1 AS stored`,
    delete: `DELETE FROM ${sql} WHERE key = $1`,
    // Concurrent takes wait on the row; once the first has deleted it, the others find nothing.
    take: `DELETE FROM ${sql} WHERE key = $2 RETURNING value, ${LIVE} AS live`,
    deleteExpired: `WITH deleted AS (DELETE FROM ${sql} WHERE key IN (SELECT key FROM ${sql} WHERE expires_at <= ${NOW} LIMIT $2 FOR UPDATE SKIP LOCKED) AND expires_at <= ${NOW} RETURNING 1)
SELECT count(*)::int AS deleted FROM deleted`,
  }
}
