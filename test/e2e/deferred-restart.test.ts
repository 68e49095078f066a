// SPEC R4.3 (deferred redemption) under a restart of party B (issue 9 item 6): B answers A's
// reciprocal code POST with 200, then its process dies — before the exchange at A, or after A's
// token endpoint redeemed the code but before B stored the tokens. A fresh party B over the
// same storage resumes.
import type { JsonValue, Storage } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { countCodes, snapshot, type Held, type Parties } from '../helpers/faults.js'
import { linkAndConsent, twoServicesPerTest } from './two-services.js'

const startServices = twoServicesPerTest()

const READ = 'assistant.read'
/** A dead process's lease on a link lapses after three request timeouts (5 s) + 5 s. */
const LEASE_LAPSES = 21

/** Party B's process, which dies on cue: from then on its storage refuses every call and its redemption never ends. */
class MortalB {
  dead = false
  /** Dies when its redemption at A is sent (`'before'`) or once A answered it (`'after'`). */
  constructor(private readonly when: 'before the exchange' | 'after A redeemed') {}

  readonly wrap = (storage: Storage, party: 'a' | 'b'): Storage => {
    if (party === 'a') return storage
    const alive = <T>(run: () => Promise<T>): Promise<T> => (this.dead ? Promise.reject(new Error('the process died')) : run())
    return {
      get: <T extends JsonValue>(key: string) => alive(() => storage.get<T>(key)),
      add: (key, value, ttl) => alive(() => storage.add(key, value, ttl)),
      delete: (key) => alive(() => storage.delete(key)),
      take: <T extends JsonValue>(key: string) => alive(() => storage.take<T>(key)),
      set: (key, value, ttl) => alive(() => storage.set(key, value, ttl)),
    }
  }

  /** B's fetch to A: the first redemption kills the process, at the chosen moment. */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const isRedemption = new URL(String(input instanceof Request ? input.url : input)).pathname === '/token'
    if (!isRedemption || this.dead) return fetch(input, init)
    if (this.when === 'after A redeemed') await (await fetch(input, init)).body?.cancel()
    this.dead = true
    throw new Error('the process died')
  }
}

async function deferredRunWithRestart(when: 'before the exchange' | 'after A redeemed', downFor = LEASE_LAPSES) {
  const background: Promise<unknown>[] = []
  const mortal = new MortalB(when)
  const s = await startServices({ reciprocalInTokenResponse: READ, redemption: { waitUntil: (work) => void background.push(work) }, wrapStorage: mortal.wrap, bFetch: mortal.fetch })
  const codes = countCodes(s)
  // A's POST is answered 200 before B redeems (SPEC R4.3): A's state says granted.
  const { linkId, state } = await linkAndConsent(s, READ)
  expect(state).toMatchObject({ status: 'reciprocal-granted' })
  await Promise.allSettled(background)
  expect(mortal.dead).toBe(true)

  // A new process of party B over the same storage, once the dead one's lease lapsed (or later).
  s.runtime.advance(downFor)
  const p: Parties = s.restart((storage) => storage)
  await p.partyB.resume()
  const held: Held = {}
  const settle = () => Promise.allSettled(background)
  return { p, linkId, held, settle, end: await snapshot(p, linkId, held), codes, b: await p.partyB.getLink('assistant', 'alice') }
}

describe('SPEC R4.3: deferred redemption survives a restart of party B between its 200 and the exchange', () => {
  it('B dies after answering 200, before redeeming: the new process redeems the stored code once, and both sides agree', async () => {
    const { end, codes } = await deferredRunWithRestart('before the exchange')
    expect(end).toMatchObject({ a: { status: 'reciprocal-granted', granted: [READ] }, b: { status: 'linked', scope: READ }, bLiveAtA: true })
    expect([...codes.posted.values()]).toEqual([1])
    expect([...codes.redeemed.values()]).toEqual([1])
  })

  // B persisted the code, A's token endpoint redeemed it, and B died before storing the tokens.
  // B's resume cannot tell that from a crash before the exchange, and redeems the code again.
  it('B dies after A redeemed, before B stored the tokens: B\'s resume is refused as a replay (RFC 6749 §4.1.2) and A stops claiming the revoked grant; A\'s resume offers a fresh code and both sides end linked (SPEC R4.2, R4.3)', async () => {
    const { p, linkId, held, settle, end, codes } = await deferredRunWithRestart('after A redeemed')
    // `snapshot` checked it: A claims no grant, and no token of B's works at A.
    expect(end).toMatchObject({ a: { status: 'delivering', outbox: 1 }, b: { status: 'redeem-failed', outbox: 0 }, bLiveAtA: false })
    expect(end.a).not.toHaveProperty('granted')

    // No user: A's periodic resume delivers the fresh code, which B (deferred) redeems.
    await p.partyA.resume()
    await settle()
    expect(await snapshot(p, linkId, held)).toMatchObject({
      a: { status: 'reciprocal-granted', granted: [READ], outbox: 0 },
      b: { status: 'linked', scope: READ, outbox: 0 },
      bLiveAtA: true,
    })
    // Two codes, each POSTed once and redeemed for tokens once; the replay got none.
    expect([...codes.posted.values()]).toEqual([1, 1])
    expect([...codes.redeemed.values()]).toEqual([1, 1])
  })

  // The new process comes up after the code's 60 s lifetime: the grant A's state claims (B
  // answered 200) will never exist.
  it('B dies before redeeming and comes back after the code expired: A\'s server refuses it and A stops claiming the grant; A\'s resume offers a fresh code and both sides end linked (SPEC R4.3)', async () => {
    const { p, linkId, held, settle, end, codes } = await deferredRunWithRestart('before the exchange', 90)
    expect(end).toMatchObject({ a: { status: 'delivering', outbox: 1 }, b: { status: 'redeem-failed', outbox: 0 }, bLiveAtA: false })
    await p.partyA.resume()
    await settle()
    expect(await snapshot(p, linkId, held)).toMatchObject({ a: { status: 'reciprocal-granted', granted: [READ] }, b: { status: 'linked', scope: READ }, bLiveAtA: true })
    expect([...codes.posted.values()]).toEqual([1, 1])
    expect([...codes.redeemed.values()]).toEqual([1])
  })
})
