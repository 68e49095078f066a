/**
 * How party B keeps its links in storage, and for how long: one {@link LinkRecords} record per
 * link (its state and, while it has work left, its pending-log slot). Nothing lives forever: a
 * link that holds no tokens expires after a retention period, and the pending-log entry goes as
 * soon as the work is done.
 *
 * @module
 */
import type { PartyBState } from '../machines/party-b.js'
import type { Runtime } from '../core/runtime.js'
import type { Storage } from '../core/storage.js'
import { LinkRecords, type LinkRecord } from './link-records.js'
import { invalidValue } from '../core/misuse.js'

/** Default of `PartyBOptions.endedLinkRetentionSeconds`: 7 days. @internal */
export const DEFAULT_ENDED_LINK_RETENTION_SECONDS = 7 * 24 * 3600

/**
 * How long the pending log keeps a code to redeem: well past the longest code lifetime (600 s,
 * SPEC R3.1). An unfinished unlink is kept in it for the retention period: its tokens may live
 * at A that long, and resume keeps trying meanwhile.
 */
const REDEMPTION_LOG_TTL_SECONDS = 3600

/** What party B stores per link. @internal */
export type PartyBLinkRecord = LinkRecord<PartyBState>

/** Whether a link has work that a restarted process must finish: anything in its outbox (a code to redeem, revocations). @internal */
export function hasWorkLeft(state: PartyBState): boolean {
  return state.outbox.length > 0
}

/** The id of the link of one user of B with one party A: also its lease and its pending-log entry. @internal */
export function partyBLinkId(peerClientId: string, userId: string): string {
  return `party-b:link:${encodeURIComponent(peerClientId)}:${encodeURIComponent(userId)}`
}

/**
 * Party B's link records. A live link — holding A's tokens — is kept until it changes. Any other
 * state is kept for the retention period after its last change, then expires: an ended link
 * (unlinked, needs-reconsent, a final failure), one waiting for its first code's redemption
 * (which cannot take longer than the code lives), and one still owing A a revocation — every
 * attempt (resume, retry, unlink) saves it again and so renews it, but a peer that never
 * confirms (decommissioned, or removed from `peers`) cannot keep it forever.
 *
 * @internal
 */
export function partyBLinks(storage: Storage, runtime: Runtime, retentionSeconds: number, shared: boolean): LinkRecords<PartyBState> {
  if (!(retentionSeconds > 0)) throw invalidValue('endedLinkRetentionSeconds must be positive')
  return new LinkRecords<PartyBState>(storage, runtime, {
    shared,
    // The link id is the whole key (partyBLinkId), as it always was.
    recordPrefix: '',
    logPrefix: 'party-b:pending',
    longestLogTtl: Math.max(REDEMPTION_LOG_TTL_SECONDS, retentionSeconds),
    logTtl: (state) => (!hasWorkLeft(state) ? undefined : state.status === 'redeeming' ? REDEMPTION_LOG_TTL_SECONDS : retentionSeconds),
    recordTtl: (state) => ('tokens' in state && state.tokens !== undefined ? undefined : retentionSeconds),
  })
}
