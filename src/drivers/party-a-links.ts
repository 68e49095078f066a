/**
 * How party A keeps its links in storage, and for how long. Each link's record holds its state
 * and, while it has work left — a delivery under way (`delivering`), an unlink with revocations
 * to do (`remaining`) — its entry in the pending log, so that a restarted process finds it
 * ({@link PartyA.resume} with no argument).
 *
 * @module
 */
import type { PartyAState } from '../machines/party-a.js'
import type { Runtime } from '../runtime.js'
import type { Storage } from '../storage/storage.js'
import { LinkRecords } from './link-records.js'

/** How long a started link waits for its callback, seconds. @internal */
export const CALLBACK_TTL_SECONDS = 600

/** Default of `PartyAOptions.endedLinkRetentionSeconds`: 7 days. @internal */
export const ENDED_LINK_RETENTION_SECONDS = 7 * 24 * 3600

/** Whether a link has work that a restarted process must finish: a delivery, or an unlink's revocations. @internal */
export function hasWorkLeft(state: PartyAState): boolean {
  return state.status === 'delivering' || (state.status === 'unlinked' && state.remaining !== undefined)
}

/**
 * Party A's link records. Nothing lives forever: a link waits for its callback 10 minutes, an
 * ended one (failed, or unlinked with nothing left to do) is kept for the retention period.
 * Work left stays in the pending log for the retention period, renewed by each attempt.
 *
 * @internal
 */
export function partyALinks(storage: Storage, runtime: Runtime, retentionSeconds: number): LinkRecords<PartyAState> {
  return new LinkRecords<PartyAState>(storage, runtime, {
    recordPrefix: 'party-a:link:',
    logPrefix: 'party-a:pending',
    longestLogTtl: retentionSeconds,
    logTtl: (state) => (hasWorkLeft(state) ? retentionSeconds : undefined),
    recordTtl(state) {
      if (state.status === 'awaiting-callback') return CALLBACK_TTL_SECONDS
      if (state.status === 'failed' || (state.status === 'unlinked' && state.remaining === undefined)) return retentionSeconds
      return undefined
    },
  })
}
