/**
 * A party's link records: one record per link, holding the machine's state and, while the link
 * has work left that a restarted process must finish, its slot in a {@link PendingLog}. The
 * entry goes as soon as the work is done; the record expires as its policy says.
 *
 * @module
 */
import type { Runtime } from '../core/runtime.js'
import type { JsonValue, Storage } from '../core/storage.js'
import { LocalPendingLog } from './local-pending-log.js'
import { PendingLog, type PendingEntry, type WorkLog } from './pending-log.js'
import { tidy } from './typed-storage.js'

/**
 * What is stored per link. The log slot lives with the state, written in the same `set`, so a
 * crash can never leave a link whose entry nobody can find to remove (a crash between the two
 * writes leaves at most an entry pointing at a link with nothing to do, which a resume removes).
 *
 * @internal
 */
export interface LinkRecord<S> {
  readonly state: S
  /** The link's pending-log entry while it has work left: its slot, and when it expires. */
  readonly log?: { readonly slot: number; readonly until: number }
}

/** How long a party keeps what, per state. @internal */
export interface LinkRecordPolicy<S> {
  /** Prefix of the records' storage keys; the link id follows it. */
  readonly recordPrefix: string
  /** Prefix of the pending log's keys. */
  readonly logPrefix: string
  /** The longest lifetime {@link LinkRecordPolicy.logTtl} gives. */
  readonly longestLogTtl: number
  /** How long the pending log keeps a link in this state, seconds; `undefined`: no work left. */
  logTtl(state: S): number | undefined
  /** How long the record is kept after this change, seconds; `undefined`: until it changes. */
  recordTtl(state: S): number | undefined
  /**
   * Whether other workers may use the storage (any storage given to a driver may be shared):
   * the pending log then lives in it. `false` only for a storage the driver made itself: the
   * log then lives in memory (`local-pending-log.ts`).
   */
  readonly shared: boolean
}

/** @internal */
export class LinkRecords<S> {
  readonly #log: WorkLog

  constructor(
    private readonly storage: Storage,
    private readonly runtime: Runtime,
    private readonly policy: LinkRecordPolicy<S>,
  ) {
    this.#log = policy.shared ? new PendingLog(storage, policy.logPrefix, policy.longestLogTtl) : new LocalPendingLog(runtime, policy.longestLogTtl)
  }

  load(id: string): Promise<LinkRecord<S> | undefined> {
    return this.storage.get<LinkRecord<S> & JsonValue>(this.#key(id))
  }

  /** Persists `state` as the link's new record (call under the link's lease). */
  async save(id: string, previous: LinkRecord<S> | undefined, state: S): Promise<LinkRecord<S>> {
    const now = this.runtime.now()
    const logTtl = this.policy.logTtl(state)
    let log = logTtl === undefined ? undefined : previous?.log
    // Logged again once its entry has less than half the life this state needs: work that goes
    // on (an unlink whose peer stays down, tried again by resume) stays findable while it lasts.
    if (logTtl !== undefined && (log === undefined || log.until - now < logTtl / 2)) {
      // The entry goes in before the state that needs it, and out after the state that no
      // longer does: a crash in between leaves an entry with nothing to do, never work unlogged.
      log = { slot: await this.#log.append(id, logTtl), until: now + logTtl }
    }
    const record: LinkRecord<S> = { state, ...(log === undefined ? {} : { log }) }
    await this.storage.set(this.#key(id), record as LinkRecord<S> & JsonValue, this.policy.recordTtl(state))
    // An entry that outlives its work, when its removal fails, is dropped by a resume (`dropIfStale`).
    const stale = previous?.log !== undefined && previous.log.slot !== log?.slot ? previous.log.slot : undefined
    if (stale !== undefined) await tidy(() => this.#log.remove(stale))
    return record
  }

  /** The pending-log entries: links that may have work left (`link` is the link id). */
  pending(): Promise<PendingEntry[]> {
    return this.#log.entries()
  }

  /** Removes an entry that no longer names its link's work (call under the link's lease). */
  async dropIfStale(entry: PendingEntry, record: LinkRecord<S> | undefined): Promise<boolean> {
    if (record?.log?.slot === entry.slot) return false
    await this.#log.remove(entry.slot)
    return true
  }

  #key(id: string): string {
    return `${this.policy.recordPrefix}${id}`
  }
}
