/**
 * The drivers' storage: what the store throws on a read or a write of a party's own records
 * (links, leases, the pending log, party A's `state` index) reaches the application as one typed,
 * retryable {@link ReciprocalError} (`ERR_STORAGE_FAILED`, SPEC R8.1), and the observer hears of
 * it once (`unexpected-failure`), so that no storage failure is silent or untyped.
 *
 * The store's own error is not kept: its message or properties may quote the key or the value it
 * failed on — PostgreSQL's `detail` quotes a failing row, a link record holding tokens (SPEC
 * R8.4). `cause` keeps its redacted form (name and Node-style `code`, as events carry errors).
 *
 * @module
 */
import { ErrorCode, ReciprocalError } from '../core/errors.js'
import { observedError } from '../core/events.js'
import type { JsonValue, Storage } from '../core/storage.js'

type Operation = keyof Storage

/** The typed error for `error`, thrown by the store's `operation`. */
function storageFailed(operation: Operation, error: unknown): ReciprocalError {
  const cause = observedError(error)
  const what = 'code' in cause && cause.code !== undefined ? `${cause.name} ${cause.code}` : cause.name
  return new ReciprocalError(`The storage failed (${operation}: ${what})`, {
    code: ErrorCode.StorageFailed,
    step: 'configuration',
    hint: 'Check the storage, then retry or resume().',
    retryable: true,
    cause,
  })
}

/**
 * `storage`, with every failure typed (see the module) and told to `report` once. A
 * {@link ReciprocalError} the store throws passes as it is.
 *
 * @internal
 */
export function typedStorage(storage: Storage, report: (error: ReciprocalError) => void): Storage {
  const typed = async <T>(operation: Operation, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (error) {
      if (error instanceof ReciprocalError) throw error
      const failed = storageFailed(operation, error)
      report(failed)
      throw failed
    }
  }
  return {
    get: <T extends JsonValue>(key: string) => typed('get', () => storage.get<T>(key)),
    set: (key, value, ttlSeconds) => typed('set', () => storage.set(key, value, ttlSeconds)),
    add: (key, value, ttlSeconds) => typed('add', () => storage.add(key, value, ttlSeconds)),
    delete: (key) => typed('delete', () => storage.delete(key)),
    take: <T extends JsonValue>(key: string) => typed('take', () => storage.take<T>(key)),
  }
}

/**
 * Runs the tidying after an operation did its work — releasing its lease, which lapses on its
 * own otherwise; removing a pending-log entry that no longer names work, which a resume drops
 * otherwise — without letting a storage failure there undo the operation's outcome: the caller
 * would take a done operation for a failed one. The failure was told to the observer by the
 * {@link typedStorage} the drivers tidy through.
 *
 * @internal
 */
export async function tidy(task: () => Promise<void>): Promise<void> {
  try {
    await task()
  } catch {
    // expected: a storage failure, already reported by typedStorage; what it left lapses or is dropped on its own
  }
}
