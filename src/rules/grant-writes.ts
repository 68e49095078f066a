/**
 * When a grant record may be written, and when a write stands (SPEC R4.2, R5.1). A grant is
 * live while its record exists; revoking it writes a tombstone, then deletes the record. A
 * writer — creation after a code's take, the sliding lifetime of a refresh — writes first and
 * reads the tombstone after, so whatever the interleaving a revoked grant cannot come back:
 *
 * ```
 * revoker: tombstone ──→ read grant ──→ delete grant (and what it names)
 * writer:  (deadline?) ──→ write grant ──→ read tombstone ──→ (deadline?) ──→ stands | undo
 * ```
 *
 * The tombstone only stops writers it outlives (an hour), so the write deadline makes that
 * hour enforced rather than assumed: a request stalled past half of it writes nothing.
 *
 * @module
 */
import { LIFETIME_MARGIN_SECONDS } from './lifetimes.js'
import type { RefreshReuseMarker } from './records.js'

/**
 * How long after it won its code or refresh token (its `take`) a request may still write the
 * grant: half the life of a revocation's tombstone. A request stalled longer (a suspended
 * process, a storage call that hung) writes nothing — its tokens are dead — rather than bring
 * back a grant revoked an hour ago.
 *
 * @example
 * ```ts
 * GRANT_WRITE_DEADLINE_SECONDS // 1800
 * ```
 * @see SPEC R4.2, R5.1 (a revoked grant stays revoked)
 * @group Rules
 */
export const GRANT_WRITE_DEADLINE_SECONDS = LIFETIME_MARGIN_SECONDS / 2

/**
 * Whether a request that took its code or refresh token at `takenAt` may still write its grant
 * at `now` (seconds).
 *
 * @example
 * ```ts
 * mayWriteGrant(1000, 1001) // true
 * mayWriteGrant(1000, 1000 + GRANT_WRITE_DEADLINE_SECONDS) // false
 * ```
 * @see SPEC R4.2, R5.1 (a revoked grant stays revoked)
 * @group Rules
 */
export function mayWriteGrant(takenAt: number, now: number): boolean {
  return now - takenAt < GRANT_WRITE_DEADLINE_SECONDS
}

/**
 * Whether a grant just written stands: no tombstone was found after the write, and the
 * request is still within its deadline (checked after the tombstone read: a revocation after
 * that read sees the record). Otherwise the writer deletes its record again, and its tokens
 * are not stored.
 *
 * @example
 * ```ts
 * grantWriteStands({ revoked: false, takenAt: 1000, now: 1001 }) // true
 * grantWriteStands({ revoked: true, takenAt: 1000, now: 1001 }) // false: a replay revoked it meanwhile
 * ```
 * @see SPEC R4.2, R5.1 (a revoked grant stays revoked)
 * @group Rules
 */
export function grantWriteStands(facts: { readonly revoked: boolean; readonly takenAt: number; readonly now: number }): boolean {
  return !facts.revoked && mayWriteGrant(facts.takenAt, facts.now)
}

/**
 * Revoking a grant deletes its refresh token and the reuse markers along the chain of tokens
 * it replaced: with the grant gone, a reuse has nothing left to revoke. Given the marker of the
 * token just deleted, the hash of the next one to delete; `undefined` ends the chain (the
 * marker is missing — older tokens expired — or names another grant).
 *
 * @example
 * ```ts
 * nextInRefreshChain({ grantId: 'g1', replaces: 'h0' }, 'g1') // 'h0'
 * nextInRefreshChain({ grantId: 'g2', replaces: 'h0' }, 'g1') // undefined
 * ```
 * @group Rules
 */
export function nextInRefreshChain(marker: RefreshReuseMarker | undefined, grantId: string): string | undefined {
  return marker?.grantId === grantId ? marker.replaces : undefined
}
