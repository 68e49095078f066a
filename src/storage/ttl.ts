/**
 * The TTL argument of the storage port, checked once for the adapters over a real store.
 *
 * @module
 */
import { invalidValue } from '../core/misuse.js'

/**
 * `ttlSeconds` in whole milliseconds (rounded up, at least 1), or `undefined` for no TTL. Refuses
 * a TTL that is not a positive finite number: a record that silently never expired (or one the
 * store refused on its own terms, as Redis refuses `PX Infinity`) would break "every stored record
 * expires". @internal
 */
export function ttlMilliseconds(ttlSeconds: number | undefined): number | undefined {
  if (ttlSeconds === undefined) return undefined
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || !(ttlSeconds > 0)) {
    throw invalidValue('ttlSeconds must be a positive finite number of seconds')
  }
  return Math.max(1, Math.ceil(ttlSeconds * 1000))
}
