/**
 * `reciprocal-oauth/testing`: the storage contract suite, for anyone writing a `Storage`
 * adapter. Needs `vitest` (an optional peer dependency) and ESM, as vitest does.
 *
 * @module reciprocal-oauth/testing
 */
export { describeStorageContract, type StorageContractClock, type StorageUnderTest } from './testing/storage-contract.js'
