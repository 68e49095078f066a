// Every side effect is a command stored with the state before it runs (the outbox), so a process
// that dies between any two stored steps loses nothing: a fresh process over the same storage
// resumes the link and ends where an uninterrupted run ends (SPEC R3.2, R4.2, R4.3, R5.1–R5.3).
// The flow covers both parties: the initial flow, consent, mint, POST, receipt, redemption, an
// update, and an unlink at each side. For every N, the N-th stored step of either party "crashes":
// the write throws, and that party's process is dead (every later call of its storage throws).
import { describe, expect, it } from 'vitest'
import type { JsonValue, Storage } from '../../src/core/storage.js'
import { countCodes, type CodeCounts, type Parties, type Snapshot } from '../helpers/faults.js'
import { BOTH, driveWholeFlow, READ, type WholeFlow } from '../helpers/whole-flow.js'
import { twoServicesPerTest } from './two-services.js'

const startServices = twoServicesPerTest()

/** A dead process's lease on a link lapses after three request timeouts (5 s) + 5 s. */
const LEASE_LAPSES = 21

/** Counts the stored steps — link records written — of both parties, and makes the `crashAt`-th one crash. */
class Crashes {
  steps = 0
  crashed: 'a' | 'b' | undefined

  constructor(private readonly crashAt: number | undefined) {}

  /** A storage whose process dies at the `crashAt`-th stored step: that write and every later call throw. */
  readonly wrap = (storage: Storage, party: 'a' | 'b'): Storage => {
    let dead = false
    const alive = <T>(run: () => Promise<T>): Promise<T> => (dead ? Promise.reject(new Error('the process crashed')) : run())
    return {
      get: <T extends JsonValue>(key: string) => alive(() => storage.get<T>(key)),
      add: (key, value, ttl) => alive(() => storage.add(key, value, ttl)),
      delete: (key) => alive(() => storage.delete(key)),
      take: <T extends JsonValue>(key: string) => alive(() => storage.take<T>(key)),
      set: (key, value, ttl) =>
        alive(async () => {
          if (key.startsWith(`party-${party}:link:`) && ++this.steps === this.crashAt) {
            dead = true
            this.crashed = party
            throw new Error('the process crashed')
          }
          return storage.set(key, value, ttl)
        }),
    }
  }
}

/**
 * The whole flow, each phase driven to its end whatever a crash left: links with consent to
 * `assistant.read`, widens to both scopes, unlinks at A, then at B. After the crash, fresh
 * parties over the same storage `resume` and carry on. Resolves each phase's snapshot.
 */
async function run(crashAt: number | undefined): Promise<{ phases: Snapshot[]; steps: number; crashed: 'a' | 'b' | undefined; codes: CodeCounts }> {
  const crashes = new Crashes(crashAt)
  const s = await startServices({ reciprocalInTokenResponse: BOTH, wrapStorage: crashes.wrap })
  const codes = countCodes(s)
  let p: Parties = { assistantAs: s.assistantAs, musicAs: s.musicAs, partyA: s.partyA, partyAOptions: s.partyAOptions, partyB: s.partyB, partyBOptions: s.partyBOptions, partyBWorkerOptions: s.partyBWorkerOptions }
  let restarted = false
  const flow: WholeFlow = {
    s,
    parties: () => p,
    /** Runs one operation; if a process crashed meanwhile, restarts both over the same storage and resumes. */
    act: async (operation) => {
      try {
        await operation()
      } catch (error) {
        if (crashes.crashed === undefined || restarted) throw error
      }
      if (crashes.crashed === undefined || restarted) return
      restarted = true
      s.runtime.advance(LEASE_LAPSES)
      p = s.restart()
      expect(await p.partyB.resume()).toBeGreaterThanOrEqual(0)
      if (flow.linkId !== undefined && (await p.partyA.getLink(flow.linkId)) !== undefined) await p.partyA.resume(flow.linkId)
    },
  }
  const phases = await driveWholeFlow(flow)
  return { phases, steps: crashes.steps, crashed: crashes.crashed, codes }
}

/** The stored steps of an uninterrupted run, both parties together. */
const STEPS = 18

describe('SPEC R3.2, R4.2, R4.3, R5.1–R5.3: a crash between any two stored steps of either party, then resume, ends as an uninterrupted run', () => {
  it(`an uninterrupted run: ${STEPS} stored steps, linked, widened, then unlinked on both sides`, async () => {
    const { phases, steps, codes } = await run(undefined)
    expect(steps).toBe(STEPS)
    expect(phases).toEqual([
      { a: { status: 'reciprocal-granted', granted: [READ], outbox: 0 }, b: { status: 'linked', scope: READ, outbox: 0 }, bLiveAtA: true, aLiveAtB: true },
      { a: { status: 'reciprocal-granted', granted: BOTH.split(' '), outbox: 0 }, b: { status: 'linked', scope: BOTH, outbox: 0 }, bLiveAtA: true, aLiveAtB: true },
      { a: { status: 'unlinked', outbox: 0 }, b: { status: 'linked', scope: BOTH, outbox: 0 }, bLiveAtA: false, aLiveAtB: false },
      { a: { status: 'unlinked', outbox: 0 }, b: { status: 'unlinked', outbox: 0 }, bLiveAtA: false, aLiveAtB: false },
    ])
    expect([...codes.posted.values()]).toEqual([1, 1])
    expect([...codes.redeemed.values()]).toEqual([1, 1])
  })

  let uninterrupted: Promise<Snapshot[]> | undefined
  it.each(Array.from({ length: STEPS }, (_, i) => i + 1))('crash at stored step %i: the same links and grants; no code sent twice, none redeemed twice', async (crashAt) => {
    const expected = await (uninterrupted ??= run(undefined).then((result) => result.phases))
    const interrupted = await run(crashAt)
    expect(interrupted.crashed).toBeDefined()
    expect(interrupted.phases).toEqual(expected)
    // A never POSTs a minted code again (B would redeem it twice: a replay, SPEC R4.2), and no code
    // ever yields tokens twice.
    for (const count of [...interrupted.codes.posted.values(), ...interrupted.codes.redeemed.values()]) expect(count).toBe(1)
  })
})
