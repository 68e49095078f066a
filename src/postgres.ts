/**
 * `reciprocal-oauth/postgres`: `Storage` over PostgreSQL, through `pg` against a server or
 * PGlite (`@electric-sql/pglite`) in process. Neither driver is a dependency: pass your own client.
 *
 * @module reciprocal-oauth/postgres
 */
export { migratePostgresStorage, PostgresStorage, type PostgresClient, type PostgresStorageOptions } from './storage/postgres/storage.js'
