/**
 * How long a driver holds a link's lease (`link-guard.ts`): one operation makes at most a few
 * requests in a row (a refresh, then a delivery whose answer waits on the peer's own request), each
 * bounded by the peer timeout.
 *
 * @module
 */
import { DEFAULT_TIMEOUT_MS } from '../protocol/constants.js'

/** @internal */
export function leaseSeconds(...timeoutsMs: ReadonlyArray<number | undefined>): number {
  const longest = Math.max(...timeoutsMs.map((t) => t ?? DEFAULT_TIMEOUT_MS), 0) || DEFAULT_TIMEOUT_MS
  return Math.ceil((3 * longest) / 1000) + 5
}
