// The fault matrix (issue 9 item 6): every outbound call of both parties fails in each way a
// network and a peer fail, and every stored step of both parties — each write of a link record,
// each read of a party's own keys — fails as a store fails. For each (step × fault): the
// operation ends in a named, typed error (a storage failure also told to the observer, once);
// once the fault clears, carrying on (`resume`, or the operation again) ends where an
// uninterrupted run ends; no code is POSTed to B twice or redeemed twice, and after every phase
// no party's state claims a grant the other side would not honour (checked against the real
// resource-server check). The matrix is printed.
import { ErrorCode, ReciprocalError, type ReciprocalEvent } from 'reciprocal-oauth'
import { afterAll, describe, expect, it } from 'vitest'
import type { PartyAState } from '../../src/machines/party-a-state.js'
import type { PartyBState } from '../../src/machines/party-b.js'
import {
  countCodes,
  FaultyFetch,
  FETCH_FAULTS,
  OUTBOUND_STEPS,
  STORAGE_FAULTS,
  StoredSteps,
  type CodeCounts,
  type FetchFault,
  type OutboundStep,
  type Parties,
  type Snapshot,
  type StorageFault,
  type StoredStepKind,
} from '../helpers/faults.js'
import { BOTH, driveWholeFlow, type WholeFlow } from '../helpers/whole-flow.js'
import { twoServicesPerTest } from './two-services.js'

const startServices = twoServicesPerTest()

/** Short, so a peer that never answers costs little; long enough for a loaded machine's loopback. */
const TIMEOUT_MS = 1_500
/** A link's lease lapses after three request timeouts + 5 s. */
const LEASE_LAPSES = 10

interface FaultCase {
  readonly fetch?: { readonly caller: 'a' | 'b'; readonly step: OutboundStep; readonly fault: FetchFault }
  readonly storage?: { readonly kind: StoredStepKind; readonly at: number; readonly fault: StorageFault }
}

/** How the faulted operation ended: the error it threw or left in a link, or that the fault was not met. */
interface Outcome {
  readonly code?: string
  readonly retryable?: boolean
  readonly where?: 'thrown' | 'in the link'
  readonly met: boolean
  /** The error that stopped carrying on after the fault cleared, if anything did. */
  readonly recovery?: string
}

interface RunResult {
  readonly phases: Snapshot[]
  readonly steps: number
  readonly reads: number
  readonly codes: CodeCounts
  readonly outcome: Outcome
}

function errorOf(state: PartyAState | PartyBState | undefined): { code: string; retryable: boolean } | undefined {
  if (state === undefined) return undefined
  const error = 'error' in state ? state.error : 'lastError' in state ? state.lastError : undefined
  return error === undefined ? undefined : { code: error.code, retryable: error.retryable }
}

/**
 * The whole flow, with refreshes (`driveWholeFlow`), with `faultCase`'s fault on until the
 * operation that met it ends; `report` hears how that operation ended, and what stopped the
 * recovery if anything did. Resolves each phase's snapshot.
 */
async function run(faultCase: FaultCase, report: (outcome: Outcome) => void = () => undefined): Promise<RunResult> {
  const stored = new StoredSteps(faultCase.storage?.at, faultCase.storage?.fault, faultCase.storage?.kind)
  const fetchFault = faultCase.fetch
  const atA = new FaultyFetch('a', fetchFault?.caller === 'a' ? fetchFault.step : undefined, fetchFault?.fault)
  const atB = new FaultyFetch('b', fetchFault?.caller === 'b' ? fetchFault.step : undefined, fetchFault?.fault)
  const events: ReciprocalEvent[] = []
  const s = await startServices({
    onEvent: (event) => void events.push(event),
    reciprocalInTokenResponse: BOTH,
    wrapStorage: stored.wrap,
    aFetch: atA.fetch,
    bFetch: atB.fetch,
    timeoutMs: TIMEOUT_MS,
    retry: { sleep: async () => undefined },
  })
  const codes = countCodes(s)
  const p: Parties = { assistantAs: s.assistantAs, musicAs: s.musicAs, partyA: s.partyA, partyAOptions: s.partyAOptions, partyB: s.partyB, partyBOptions: s.partyBOptions, partyBWorkerOptions: s.partyBWorkerOptions }
  let outcome: Outcome | undefined
  const flow: WholeFlow = { s, parties: () => p, act: (operation) => act(operation), refresh: true }
  const a = async () => (flow.linkId === undefined ? undefined : p.partyA.getLink(flow.linkId))
  const b = () => p.partyB.getLink('assistant', 'alice')
  /** Runs one operation; the first one that meets the fault records how it ended, and the fault clears. */
  const act = async (operation: () => Promise<unknown>): Promise<void> => {
    let thrown: unknown
    try {
      await stored.during(operation)
    } catch (error) {
      thrown = error
    }
    const met = atA.met + atB.met > 0 || stored.failed !== undefined
    if (outcome === undefined && met) {
      atA.on = atB.on = false
      if (thrown !== undefined) {
        // Every fault, a store's too, ends in a typed error (SPEC R8.1).
        expect(thrown).toBeInstanceOf(ReciprocalError)
        const typed = thrown as ReciprocalError
        outcome = { code: typed.code, retryable: typed.retryable, where: 'thrown', met }
      } else {
        const left = errorOf(await a()) ?? errorOf(await b())
        outcome = left === undefined ? { met } : { ...left, where: 'in the link', met }
      }
      report(outcome)
    } else if (thrown !== undefined) {
      // After the fault: only a busy link (the failed operation's lease) may refuse, until it lapses.
      if (!(thrown instanceof ReciprocalError && thrown.code === 'ERR_LINK_BUSY')) {
        if (outcome !== undefined && thrown instanceof ReciprocalError) report({ ...outcome, recovery: thrown.code })
        throw thrown
      }
    }
    // A lease the failed operation could not release lapses.
    s.runtime.advance(LEASE_LAPSES)
  }
  const phases = await driveWholeFlow(flow)
  // No storage failure is silent: the party whose store failed told its observer, once (SPEC R8.1).
  // (B's receiver also reports the failure it answered A's POST with a 500 for.)
  const storageFailures = events.filter((event) => event.type === 'unexpected-failure' && event.source !== 'reciprocal-receiver' && event.error.code === ErrorCode.StorageFailed)
  expect(storageFailures).toHaveLength(stored.failed === undefined ? 0 : 1)
  return { phases, steps: stored.steps, reads: stored.reads, codes, outcome: outcome ?? { met: false } }
}

/** The stored steps of an uninterrupted run, both parties together: crash-at-every-step's 18, and 2 per refresh. */
const STEPS = 22

/** The reads of both parties' own records (links, pending log, `state` index, leases) in an uninterrupted run's operations. */
const READS = 51

/** The matrix: row (step) → column (fault) → outcome. */
const matrix = new Map<string, Map<string, string>>()
function record(row: string, column: string, outcome: Outcome): void {
  const cell = !outcome.met
    ? 'not reached'
    : outcome.code === undefined
      ? 'absorbed (no error)'
      : `${outcome.code}, ${outcome.retryable === true ? 'retryable' : 'NOT retryable'}${outcome.where === 'in the link' ? ' (in the link)' : ''}`
  const recovered = outcome.recovery === undefined ? cell : `${cell}; then ${outcome.recovery}: GRANT LOST`
  if (!matrix.has(row)) matrix.set(row, new Map())
  matrix.get(row)?.set(column, recovered)
}

afterAll(() => {
  const columns = [...FETCH_FAULTS, ...STORAGE_FAULTS].filter((column) => [...matrix.values()].some((row) => row.has(column)))
  const lines = [`| Step | ${columns.join(' | ')} |`, `| --- |${columns.map(() => ' --- |').join('')}`]
  // Outbound calls, then the stored steps' writes, then their reads.
  const order = (row: string) => (OUTBOUND_STEPS.includes(row as OutboundStep) ? String(OUTBOUND_STEPS.indexOf(row as OutboundStep)) : row.startsWith('read') ? `z${row}` : row)
  for (const [row, cells] of [...matrix].sort(([x], [y]) => order(x).localeCompare(order(y)))) lines.push(`| ${row} | ${columns.map((column) => cells.get(column) ?? '').join(' | ')} |`)
  const counts = new Map<string, number>()
  for (const cells of matrix.values()) for (const cell of cells.values()) counts.set(cell, (counts.get(cell) ?? 0) + 1)
  console.log(`[fault matrix] ${[...matrix.values()].reduce((n, row) => n + row.size, 0)} cases\n${lines.join('\n')}\n${[...counts].map(([cell, n]) => `${n} × ${cell}`).join('\n')}`)
})

let uninterrupted: Promise<RunResult> | undefined
const expected = () => (uninterrupted ??= run({}))

async function expectSameEnd(result: RunResult): Promise<void> {
  expect(result.phases).toEqual((await expected()).phases)
  // No code reaches B twice (a second POST is a replay at B, SPEC R4.2), none yields tokens twice.
  for (const count of [...result.codes.posted.values(), ...result.codes.redeemed.values()]) expect(count).toBe(1)
}

describe('issue 9: the fault matrix — every outbound call of both parties × each fetch fault', () => {
  it(`an uninterrupted run: ${STEPS} stored steps, linked, widened, then unlinked on both sides`, async () => {
    const result = await expected()
    expect(result.steps).toBe(STEPS)
    expect(result.phases.map((phase) => [phase.a?.status, phase.b?.status])).toEqual([
      ['reciprocal-granted', 'linked'],
      ['reciprocal-granted', 'linked'],
      ['reciprocal-granted', 'linked'],
      ['unlinked', 'linked'],
      ['unlinked', 'unlinked'],
    ])
  })

  const fetchCases = OUTBOUND_STEPS.flatMap((step) => FETCH_FAULTS.map((fault) => [step, fault] as const))
  const fetchCase = async (step: OutboundStep, fault: FetchFault) => {
    const result = await run({ fetch: { caller: step.startsWith('A') ? 'a' : 'b', step, fault } }, (outcome) => record(step, fault, outcome))
    expect(result.outcome.met).toBe(true)
    await expectSameEnd(result)
  }
  const name = '%s × %s: a typed error, then the same end; no code POSTed or redeemed twice'
  // A lost refresh answer (timed out, stalled or malformed after the peer rotated the token) is
  // retried with the old token within the peer's grace period (RFC 6749 §6, RFC 9700 §4.14.2).
  it.each(fetchCases)(name, fetchCase)
})

describe('issue 9: the fault matrix — every stored step of both parties × each storage fault', () => {
  const storageCases = Array.from({ length: STEPS }, (_, i) => i + 1).flatMap((at) => STORAGE_FAULTS.map((fault) => [at, fault] as const))
  const storageCase = async (at: number, fault: StorageFault) => {
    const result = await run({ storage: { kind: 'write', at, fault } }, (outcome) => record(`stored step ${String(at).padStart(2, '0')}`, fault, outcome))
    expect(result.outcome.met).toBe(true)
    await expectSameEnd(result)
  }
  const name = 'stored step %i × %s: a typed error, then the same end; no code POSTed or redeemed twice'
  // Steps 14 and 16 (a party's refreshed tokens not stored) recover like a lost refresh answer.
  it.each(storageCases)(name, storageCase)
})

describe('issue 9: the fault matrix — every read of both parties\' own records × each storage fault', () => {
  it(`an uninterrupted run reads its own records ${READS} times while its operations run`, async () => {
    expect((await expected()).reads).toBe(READS)
  })

  const readCases = Array.from({ length: READS }, (_, i) => i + 1).flatMap((at) => STORAGE_FAULTS.map((fault) => [at, fault] as const))
  it.each(readCases)('read step %i × %s: a typed error (or none, when only the tidying after the work failed), then the same end; no code POSTed or redeemed twice', async (at, fault) => {
    const result = await run({ storage: { kind: 'read', at, fault } }, (outcome) => record(`read step ${String(at).padStart(2, '0')}`, fault, outcome))
    expect(result.outcome.met).toBe(true)
    await expectSameEnd(result)
  })
})
