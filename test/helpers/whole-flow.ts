// The whole flow of two services, each phase driven to its end whatever a fault or a crash left
// (used by crash-at-every-step and the fault matrix): links with consent to `assistant.read`,
// widens to both scopes, optionally lets both access tokens expire and refreshes each at the
// other side, unlinks at A, then at B.
import type { PartyAState } from '../../src/machines/party-a-state.js'
import type { PartyBState } from '../../src/machines/party-b.js'
import type { TwoServices } from '../e2e/two-services.js'
import { snapshot, type Held, type Parties, type Snapshot } from './faults.js'

export const READ = 'assistant.read'
export const BOTH = 'assistant.announce assistant.read'
/** Past the access tokens' lifetime (the authorization servers' default, one hour). */
const TOKENS_EXPIRE = 3_601

export interface WholeFlow {
  readonly s: TwoServices
  /** The parties now (a test that restarts them hands out the new ones). */
  readonly parties: () => Parties
  /** Runs one operation of the flow (a test catches what it expects, and restarts or clears faults). */
  readonly act: (operation: () => Promise<unknown>) => Promise<void>
  /** Refresh both parties' tokens between the widening and the unlink. */
  readonly refresh?: boolean
  /** The link A is on; set by the flow, read by `act`. */
  linkId?: string
}

/** Drives each phase with `flow.act` until nothing is left to do, and resolves each phase's snapshot. */
export async function driveWholeFlow(flow: WholeFlow): Promise<Snapshot[]> {
  const { s } = flow
  const held: Held = {}
  const p = () => flow.parties()
  const a = async () => (flow.linkId === undefined ? undefined : p().partyA.getLink(flow.linkId))
  const b = () => p().partyB.getLink('assistant', 'alice')
  /** Drives a phase: `next` says what to do now, or `undefined` once the phase is done. */
  const phase = async (next: (a: PartyAState | undefined, b: PartyBState | undefined) => (() => Promise<unknown>) | undefined) => {
    for (let round = 0; ; round++) {
      const operation = next(await a(), await b())
      if (operation === undefined) return snapshot(p(), flow.linkId, held)
      if (round > 8) throw new Error(`the phase does not end: A ${(await a())?.status}, B ${(await b())?.status}`)
      await flow.act(operation)
    }
  }
  /** What finishes a delivery or a redemption left half-way, at either party. */
  const finishing = (stateA: PartyAState | undefined, stateB: PartyBState | undefined): (() => Promise<unknown>) | undefined => {
    if (stateB?.status === 'redeeming' || (stateB?.status === 'redeem-failed' && stateB.pending !== undefined)) return () => p().partyB.resume('assistant', 'alice')
    if (stateA?.status === 'delivering' || stateA?.status === 'code-minted' || stateA?.status === 'delivery-failed') return () => p().partyA.resume(stateA.linkId)
    return undefined
  }
  const grantedScope = (state: PartyAState | undefined) => (state?.status === 'reciprocal-granted' ? state.granted.scope.join(' ') : undefined)

  const phases = [
    await phase((stateA, stateB) => {
      if (stateA === undefined || stateA.status === 'awaiting-callback' || stateA.status === 'failed') {
        // Not started, or stuck: a callback is used once, so the user links again.
        return async () => {
          const started = await p().partyA.startLink('music', 'alice-at-assistant')
          flow.linkId = started.linkId
          await p().partyA.handleCallback(await s.authorizeAtB(started.url), 'alice-at-assistant')
        }
      }
      if (stateA.status === 'awaiting-consent') return () => p().partyA.consent(stateA.linkId, { scope: READ })
      return finishing(stateA, stateB)
    }),
    await phase((stateA, stateB) => {
      if (grantedScope(stateA) === READ && stateB?.status === 'linked') return () => p().partyA.updateReciprocalScope(stateA?.linkId ?? '', BOTH)
      return finishing(stateA, stateB)
    }),
  ]
  if (flow.refresh === true) {
    // Both access tokens expire: each party refreshes at the other (SPEC R8.2).
    s.runtime.advance(TOKENS_EXPIRE)
    const refreshed = { a: false, b: false }
    phases.push(
      await phase((stateA, stateB) => {
        if (!refreshed.a && stateA !== undefined) return () => p().partyA.accessToken(stateA.linkId).then(() => (refreshed.a = true))
        if (!refreshed.b) return () => p().partyB.accessToken('assistant', 'alice').then(() => (refreshed.b = true))
        return finishing(stateA, stateB)
      }),
    )
  }
  phases.push(
    await phase((stateA, stateB) => {
      if (stateA !== undefined && (stateA.status !== 'unlinked' || stateA.outbox.length > 0)) return () => p().partyA.unlink(stateA.linkId)
      return finishing(stateA, stateB)
    }),
    await phase((_stateA, stateB) => {
      if (stateB !== undefined && (stateB.status !== 'unlinked' || stateB.outbox.length > 0)) return () => p().partyB.unlink('assistant', 'alice')
      return undefined
    }),
  )
  return phases
}
