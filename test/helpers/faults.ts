// Fault injection for the end-to-end tests (issue 9 item 6): a fetch that fails at one outbound
// step of a party, a storage that fails at one stored step, and what a run is checked against —
// each phase's links, which tokens each authorization server honours, and per code how often it
// was POSTed and redeemed.
import { expect } from 'vitest'
import { GRANT_TYPE_RECIPROCAL } from '../../src/protocol/constants.js'
import type { PartyAState } from '../../src/machines/party-a-state.js'
import type { PartyBState } from '../../src/machines/party-b.js'
import type { JsonValue, Storage } from '../../src/core/storage.js'
import type { TwoServices } from '../e2e/two-services.js'

export type Parties = ReturnType<TwoServices['restart']>

/** The outbound calls of both parties, each named by who calls what where. */
export const OUTBOUND_STEPS = [
  'A: code exchange at B',
  'A: reciprocal code POST to B',
  "B: redemption at A's token endpoint",
  'A: refresh at B',
  'B: refresh at A',
  'A: revocation at B',
  'B: revocation at A',
] as const
export type OutboundStep = (typeof OUTBOUND_STEPS)[number]

/** What goes wrong with a request, and whether the peer processed it first. */
export const FETCH_FAULTS = ['connection refused', 'timeout (processed, never answered)', '500 (not processed)', '503 Retry-After: 1', 'malformed JSON (processed, 200)', 'slow body (processed, stalls)'] as const
export type FetchFault = (typeof FETCH_FAULTS)[number]

/** Which outbound step of party `caller` a request is, if any. */
export async function outboundStep(caller: 'a' | 'b', request: Request): Promise<OutboundStep | undefined> {
  const path = new URL(request.url).pathname
  if (path === '/revoke') return caller === 'a' ? 'A: revocation at B' : 'B: revocation at A'
  if (path !== '/token') return undefined
  const grant = new URLSearchParams(await request.clone().text()).get('grant_type')
  if (grant === 'refresh_token') return caller === 'a' ? 'A: refresh at B' : 'B: refresh at A'
  if (caller === 'b') return grant === 'authorization_code' ? "B: redemption at A's token endpoint" : undefined
  return grant === 'authorization_code' ? 'A: code exchange at B' : grant === GRANT_TYPE_RECIPROCAL ? 'A: reciprocal code POST to B' : undefined
}

/** Rejects when `signal` aborts, with its reason, as a real fetch does; never resolves otherwise. */
function untilAborted(signal: AbortSignal | null | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal?.aborted) reject(signal.reason)
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
}

/**
 * A fetch for party `caller` that answers every request of `step` with `fault` while the fault
 * is on (the real fetch otherwise), and counts the requests the fault met.
 */
export class FaultyFetch {
  on = true
  met = 0
  constructor(
    private readonly caller: 'a' | 'b',
    private readonly step: OutboundStep | undefined,
    private readonly fault: FetchFault | undefined,
  ) {}

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    if (!this.on || this.fault === undefined || (await outboundStep(this.caller, request)) !== this.step) return fetch(input, init)
    this.met++
    const signal = init?.signal
    switch (this.fault) {
      case 'connection refused':
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1'), { code: 'ECONNREFUSED' }) })
      case '500 (not processed)':
        return Response.json({ error: 'server_error' }, { status: 500 })
      case '503 Retry-After: 1':
        return Response.json({ error: 'temporarily_unavailable' }, { status: 503, headers: { 'Retry-After': '1' } })
      case 'timeout (processed, never answered)': {
        const answer = await fetch(input, init)
        await answer.body?.cancel()
        return untilAborted(signal)
      }
      case 'malformed JSON (processed, 200)': {
        const answer = await fetch(input, init)
        await answer.body?.cancel()
        return new Response('<html>upstream proxy</html>', { status: 200, headers: { 'content-type': 'application/json' } })
      }
      case 'slow body (processed, stalls)': {
        const answer = await fetch(input, init)
        const text = await answer.text()
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(text.slice(0, 5)))
            untilAborted(signal).catch((reason: unknown) => controller.error(reason))
          },
        })
        return new Response(body, { status: answer.status, headers: answer.headers })
      }
    }
  }
}

export const STORAGE_FAULTS = ['throw', 'timeout (rejects after a delay)'] as const
export type StorageFault = (typeof STORAGE_FAULTS)[number]

/** Which stored steps a storage fault meets: the writes of link records, or the reads of a party's own records. */
export type StoredStepKind = 'write' | 'read'

/** The keys a party's driver owns: its link records, its pending log and `state` index, and its leases. */
const driverKey = (party: 'a' | 'b', key: string): boolean => key.startsWith(`party-${party}:`) || key.startsWith(`lease:party-${party}:`)

/**
 * Counts the stored steps of both parties, and makes the `failAt`-th one of kind `kind` fail with
 * `fault` (once: the process lives on, and the store works again after). The write steps are the
 * link records written; the read steps every `get` and `take` of a driver's own keys (link
 * records, the pending log, party A's `state` index, leases) while an operation of the flow runs
 * (`during`) — not the test's own reads between operations.
 */
export class StoredSteps {
  steps = 0
  reads = 0
  failed: 'a' | 'b' | undefined
  #operating = false
  constructor(
    private readonly failAt?: number,
    private readonly fault?: StorageFault,
    private readonly kind: StoredStepKind = 'write',
  ) {}

  /** Runs an operation of the flow: its reads are stored steps. */
  async during<T>(operation: () => Promise<T>): Promise<T> {
    this.#operating = true
    try {
      return await operation()
    } finally {
      this.#operating = false
    }
  }

  async #meet(party: 'a' | 'b', kind: StoredStepKind): Promise<void> {
    const step = kind === 'write' ? ++this.steps : ++this.reads
    if (this.kind !== kind || step !== this.failAt) return
    this.failed = party
    if (this.fault === 'timeout (rejects after a delay)') await new Promise((resolve) => setTimeout(resolve, 20))
    throw new Error(this.fault === 'throw' ? `the store refused the ${kind}` : 'the store timed out')
  }

  readonly wrap = (storage: Storage, party: 'a' | 'b'): Storage => ({
    get: async <T extends JsonValue>(key: string) => {
      if (this.#operating && driverKey(party, key)) await this.#meet(party, 'read')
      return storage.get<T>(key)
    },
    add: (key, value, ttl) => storage.add(key, value, ttl),
    delete: (key) => storage.delete(key),
    take: async <T extends JsonValue>(key: string) => {
      if (this.#operating && driverKey(party, key)) await this.#meet(party, 'read')
      return storage.take<T>(key)
    },
    set: async (key, value, ttl) => {
      if (key.startsWith(`party-${party}:link:`)) await this.#meet(party, 'write')
      return storage.set(key, value, ttl)
    },
  })
}

/** What a run ends each phase with: both links, and which tokens each authorization server honours. */
export interface Snapshot {
  readonly a: { status: PartyAState['status']; granted?: readonly string[]; outbox: number } | undefined
  readonly b: { status: PartyBState['status']; scope?: string | undefined; outbox: number } | undefined
  /** B's tokens (its newest) work at A. */
  readonly bLiveAtA: boolean
  /** A's tokens at B (its newest) work at B. */
  readonly aLiveAtB: boolean
}

/** The tokens each party last held, so that an unlink can be checked to have revoked them. */
export interface Held {
  bAtA?: string
  aAtB?: string
}

/** Both links and the resource-server check of each party's tokens; fails if A's state claims a grant A's server would not honour, or the reverse. */
export async function snapshot(p: Parties, linkId: string | undefined, held: Held): Promise<Snapshot> {
  const a = linkId === undefined ? undefined : await p.partyA.getLink(linkId)
  const b = await p.partyB.getLink('assistant', 'alice')
  const bTokens = b !== undefined && 'tokens' in b ? b.tokens : undefined
  if (bTokens !== undefined) held.bAtA = bTokens.accessToken
  if (a !== undefined && 'peerTokens' in a) held.aAtB = a.peerTokens.accessToken
  const bLiveAtA = held.bAtA !== undefined && (await p.assistantAs.verifyAccessToken(held.bAtA)) !== undefined
  const aLiveAtB = held.aAtB !== undefined && (await p.musicAs.verifyAccessToken(held.aAtB)) !== undefined
  const granted = a !== undefined && 'granted' in a ? a.granted?.scope : undefined
  // A state never claims more than A's authorization server honours, nor less (SPEC R5.1, R7.6).
  expect({ bLiveAtA, claimed: granted !== undefined }).toEqual({ bLiveAtA, claimed: bLiveAtA })
  return {
    a: a && { status: a.status, ...(granted === undefined ? {} : { granted }), outbox: a.outbox.length },
    b: b && { status: b.status, scope: bTokens?.scope, outbox: b.outbox.length },
    bLiveAtA,
    aLiveAtB,
  }
}

/** Per code: how often A POSTed it to B (and B received it), and how often A's token endpoint redeemed it for tokens. */
export interface CodeCounts {
  readonly posted: Map<string, number>
  readonly redeemed: Map<string, number>
}

/** Counts, at each service's door, the reciprocal codes B received and the codes A redeemed. */
export function countCodes(s: TwoServices): CodeCounts {
  const counts: CodeCounts = { posted: new Map(), redeemed: new Map() }
  const add = (map: Map<string, number>, code: string) => map.set(code, (map.get(code) ?? 0) + 1)
  const tokenRequest = async (request: Request) => new URLSearchParams(new URL(request.url).pathname === '/token' ? await request.clone().text() : '')
  s.a.use(async (request) => {
    const form = await tokenRequest(request)
    const response = await s.assistantHandler(request)
    const code = form.get('code')
    if (form.get('grant_type') === 'authorization_code' && code !== null && response.status === 200) add(counts.redeemed, code)
    return response
  })
  s.b.use(async (request) => {
    const form = await tokenRequest(request)
    const code = form.get('code')
    if (form.get('grant_type') === GRANT_TYPE_RECIPROCAL && code !== null) add(counts.posted, code)
    return s.musicHandler(request)
  })
  return counts
}
