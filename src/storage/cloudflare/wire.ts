/**
 * What `DurableObjectStorage` sends the storage object and what the object answers: one storage
 * operation as JSON in the body of a POST. The key is the full one (prefix included); a value
 * travels as its JSON text, so that it comes back unchanged; a TTL travels in milliseconds and
 * the object turns it into a time on its own clock.
 *
 * @module
 */
import * as v from 'valibot'

/** The URL of every request to the storage object (a stub's `fetch` needs an absolute URL; nothing resolves it). @internal */
export const STORAGE_OBJECT_URL = 'https://reciprocal-storage.invalid/'

const key = v.string()
const ttlMs = v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1)))

/** One operation, as the object reads it. @internal */
export const StorageOperationSchema = v.variant('op', [
  v.strictObject({ op: v.picklist(['get', 'take', 'delete']), key }),
  v.strictObject({ op: v.picklist(['set', 'add']), key, json: v.string(), ttlMs }),
])

/** One operation. @internal */
export type StorageOperation = v.InferOutput<typeof StorageOperationSchema>

/** What the object answers: the JSON text read (`get`, `take`), whether it stored (`add`), nothing (`set`, `delete`). @internal */
export interface StorageAnswer {
  readonly json?: string | null
  readonly stored?: boolean
}
