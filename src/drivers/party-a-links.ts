/**
 * How party A keeps its links in storage, and for how long. Each link's record holds its state
 * and, while it has work left — commands in its outbox: a delivery under way, an unlink's
 * revocations — its entry in the pending log, so that a restarted process finds it
 * ({@link PartyA.resume} with no argument).
 *
 * @module
 */
import type { PartyAState } from '../machines/party-a-state.js'
import type { Runtime } from '../core/runtime.js'
import type { Storage } from '../core/storage.js'
import { LinkRecords } from './link-records.js'

/** How long a started link waits for its callback, seconds. @internal */
export const CALLBACK_TTL_SECONDS = 600

/** Default of `PartyAOptions.endedLinkRetentionSeconds`: 7 days. @internal */
export const ENDED_LINK_RETENTION_SECONDS = 7 * 24 * 3600

/** Whether a link has work that a restarted process must finish: anything in its outbox. @internal */
export function hasWorkLeft(state: PartyAState): boolean {
  return state.outbox.length > 0
}

/**
 * Party A's link records. Nothing lives forever: a link waits for its callback 10 minutes; a
 * failed or unlinked one, or one whose refresh token died with no grant of B's behind it, is kept
 * for the retention period after its last change. A link that holds working tokens or backs a
 * grant of B's at A is live: it stays until it changes. That includes
 * an unlink whose revocations are not done: each attempt (another `unlink`, a resume) changes it
 * and so renews its lifetime, but a peer that refuses forever (decommissioned) or is no longer
 * configured cannot keep it alive. Work left stays in the pending log as long, renewed likewise.
 *
 * @internal
 */
export function partyALinks(storage: Storage, runtime: Runtime, retentionSeconds: number, shared: boolean): LinkRecords<PartyAState> {
  return new LinkRecords<PartyAState>(storage, runtime, {
    shared,
    recordPrefix: 'party-a:link:',
    logPrefix: 'party-a:pending',
    longestLogTtl: retentionSeconds,
    logTtl: (state) => (hasWorkLeft(state) ? retentionSeconds : undefined),
    recordTtl(state) {
      if (state.status === 'awaiting-callback') return CALLBACK_TTL_SECONDS
      if (state.status === 'failed' || state.status === 'unlinked') return retentionSeconds
      // A dead refresh token with no grant of B's behind it: nothing is left to use or to revoke.
      // One that may still back a grant stays, so that the user can still unlink it.
      if (state.status === 'needs-reconsent' && state.granted === undefined && state.undelivered === undefined) return retentionSeconds
      return undefined
    },
  })
}
