/**
 * How party B keeps its links in storage: one record per link, holding the machine's state and,
 * while the link has work left, its slot in the pending log. Nothing lives forever: a link that
 * holds no tokens and owes no revocation expires after a retention period, and the pending-log
 * entry goes as soon as the work is done.
 *
 * @module
 */
import type { PartyBState } from '../machines/party-b.js'
import type { Runtime } from '../runtime.js'
import type { JsonValue, Storage } from '../storage/storage.js'
import { PendingLog, type PendingEntry } from './pending-log.js'

/** Default {@link PartyBLinks} retention of a link that ended: 7 days. @internal */
export const DEFAULT_ENDED_LINK_RETENTION_SECONDS = 7 * 24 * 3600

/**
 * How long the pending log keeps a code to redeem: well past the longest code lifetime (600 s,
 * SPEC R3.1). An unfinished unlink is kept in it for the retention period: its tokens may live
 * at A that long, and resume keeps trying meanwhile.
 */
const REDEMPTION_LOG_TTL_SECONDS = 3600

/**
 * What B stores per link. The log slot lives with the state, written in the same `set`, so a
 * crash can never leave a link whose entry nobody can find to remove (a crash between the two
 * writes leaves at most an entry pointing at a link with nothing to do, which resume removes).
 *
 * @internal
 */
export interface LinkRecord {
  readonly state: PartyBState
  /** The link's pending-log entry while it has work left: its slot, and when it expires. */
  readonly log?: { readonly slot: number; readonly until: number }
}

/** Whether a link has work that a restarted process must finish: a code to redeem, or revocations. @internal */
export function hasWorkLeft(state: PartyBState): boolean {
  return state.status === 'redeeming' || (state.status === 'unlinked' && state.revoking !== undefined)
}

/** @internal */
export class PartyBLinks {
  readonly #log: PendingLog

  constructor(
    private readonly storage: Storage,
    private readonly runtime: Runtime,
    private readonly retentionSeconds: number,
  ) {
    if (!(retentionSeconds > 0)) throw new TypeError('endedLinkRetentionSeconds must be positive')
    this.#log = new PendingLog(storage, 'party-b:pending', Math.max(REDEMPTION_LOG_TTL_SECONDS, retentionSeconds))
  }

  key(peerClientId: string, userId: string): string {
    return `party-b:link:${encodeURIComponent(peerClientId)}:${encodeURIComponent(userId)}`
  }

  load(key: string): Promise<LinkRecord | undefined> {
    return this.storage.get<LinkRecord & JsonValue>(key)
  }

  /** Persists `state` as the link's new record (call under the link's lease). */
  async save(key: string, previous: LinkRecord | undefined, state: PartyBState): Promise<LinkRecord> {
    const now = this.runtime.now()
    const logTtl = state.status === 'redeeming' ? REDEMPTION_LOG_TTL_SECONDS : this.retentionSeconds
    let log = hasWorkLeft(state) ? previous?.log : undefined
    // Logged again once its entry has less than half the life this state needs: work that goes
    // on (an unlink whose peer stays down, tried again by resume) stays findable while it lasts.
    if (hasWorkLeft(state) && (log === undefined || log.until - now < logTtl / 2)) {
      // The entry goes in before the state that needs it, and out after the state that no
      // longer does: a crash in between leaves an entry with nothing to do, never work unlogged.
      log = { slot: await this.#log.append(key, logTtl), until: now + logTtl }
    }
    const record: LinkRecord = { state, ...(log === undefined ? {} : { log }) }
    await this.storage.set(key, record as LinkRecord & JsonValue, this.#ttl(state))
    if (previous?.log !== undefined && previous.log.slot !== log?.slot) await this.#log.remove(previous.log.slot)
    return record
  }

  /** The pending-log entries: links that may have work left. */
  pending(): Promise<PendingEntry[]> {
    return this.#log.entries()
  }

  /** Removes an entry that no longer names its link's work (call under the link's lease). */
  async dropIfStale(entry: PendingEntry, record: LinkRecord | undefined): Promise<boolean> {
    if (record?.log?.slot === entry.slot) return false
    await this.#log.remove(entry.slot)
    return true
  }

  /**
   * How long a record is kept. A live link — holding A's tokens — is kept until it changes. Any
   * other state is kept for the retention period after its last change, then expires: an ended
   * link (unlinked, needs-reconsent, a final failure), one waiting for its first code's
   * redemption (which cannot take longer than the code lives), and one still owing A a
   * revocation — every attempt (resume, retry, unlink) saves it again and so renews it, but a
   * peer that never confirms (decommissioned, or removed from `peers`) cannot keep it forever.
   */
  #ttl(state: PartyBState): number | undefined {
    return 'tokens' in state && state.tokens !== undefined ? undefined : this.retentionSeconds
  }
}
