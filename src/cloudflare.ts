/**
 * `reciprocal-oauth/cloudflare`: `Storage` in Cloudflare Durable Objects, for workers
 * ({@link DurableObjectStorage}), and the Durable Object class that holds it
 * ({@link ReciprocalStorageObject}). No Cloudflare package is needed at run time.
 *
 * @module reciprocal-oauth/cloudflare
 */
export { ReciprocalStorageObject, type DurableObjectStateApi, type DurableObjectStorageApi } from './storage/cloudflare/object.js'
export { DurableObjectStorage, type DurableObjectNamespaceApi, type DurableObjectStorageOptions, type DurableObjectStubApi } from './storage/cloudflare/storage.js'
