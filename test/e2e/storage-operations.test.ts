// Storage round trips per request, pinned (issue 8): each request makes only the storage
// operations the protocol needs. Operations are counted with a storage wrapper; no time is
// measured. A change that adds one makes this test fail: say in the commit why it is needed.
import { ClientSecretBasic, createPartyB, type PartyBOptions, type Storage } from 'reciprocal-oauth'
import { createReciprocalReceiver } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { LinkGuard } from '../../src/drivers/link-guard.js'
import { basic, TestClock, countingStorage, testRuntime } from '../server/fixtures.js'
import { B_SECRET, form, inProcessParties } from './in-process-parties.js'

type Counts = ReturnType<typeof countingStorage>['counts']

/** The storage operations `action` makes, by kind. */
async function operationsOf(counts: Counts, action: () => Promise<unknown>): Promise<Counts> {
  const before = { ...counts }
  await action()
  return { gets: counts.gets - before.gets, writes: counts.writes - before.writes, deletes: counts.deletes - before.deletes, takes: counts.takes - before.takes }
}

/** Party A's authorization server (B is its client) and party B's (A is its client), each over a counted storage. */
function parties() {
  const clock = new TestClock()
  const a = countingStorage(clock)
  const b = countingStorage(clock)
  return { a, b, ...inProcessParties(clock, { a: a.storage, b: b.storage }) }
}

/** Party B on `musicAs`, over B's counted storage, redeeming at A's token endpoint in process. */
function partyBOf(p: ReturnType<typeof parties>, redemption: PartyBOptions['redemption']) {
  const toA = (url: string | URL | Request, init?: RequestInit): Promise<Response> => p.assistantAs.tokenEndpoint.fetch(new Request(url, init))
  return createPartyB({
    authorizationServer: p.musicAs,
    storage: p.b.storage,
    runtime: p.runtime,
    ...(redemption === undefined ? {} : { redemption }),
    peers: {
      assistant: {
        as: { issuer: 'https://assistant.example', token_endpoint: 'https://assistant.example/token' },
        client: { client_id: 'music' },
        clientAuth: ClientSecretBasic(B_SECRET),
        fetch: toA,
      },
    },
  })
}

describe('storage operations per request (issue 8: each one the protocol needs, and no more)', () => {
  it("SPEC R3.3, R7.10: B's receiver, a valid POST: the token, its grant, and the code's received-once marker", async () => {
    const p = parties()
    const receiver = createReciprocalReceiver({
      clients: p.musicAs.clients,
      audiences: ['https://music.example'],
      verifyAccessToken: (token) => p.musicAs.verifyAccessToken(token),
      storage: p.b.storage,
      runtime: p.runtime,
      onCode: async () => ({ ok: true }),
    })
    const accessToken = await p.tokenAtB('alice')
    const ops = await operationsOf(p.b.counts, async () => expect(await receiver.handle(p.reciprocalPost('code-1', accessToken))).toMatchObject({ status: 200 }))
    expect(ops).toEqual({ gets: 2, writes: 1, deletes: 0, takes: 0 })
  })

  it("SPEC R4.1, R5.1: A's token endpoint redeeming a reciprocal code: the code taken once, the link's version checked and cut, the grant indexed, its tokens stored", async () => {
    const p = parties()
    const code = await p.reciprocalCode('alice')
    const ops = await operationsOf(p.a.counts, async () =>
      expect(await p.assistantAs.tokenEndpoint.handle(form({ grant_type: 'authorization_code', code }, basic('music', B_SECRET)))).toMatchObject({ status: 200 }),
    )
    expect(ops).toEqual({ gets: 9, writes: 7, deletes: 0, takes: 1 })
  })

  it('SPEC R4.3: createPartyB, deferred: the code stored and logged under one lease, redeemed after the answer under the same lease', async () => {
    const p = parties()
    const pending: Promise<unknown>[] = []
    const partyB = partyBOf(p, { waitUntil: (work) => void pending.push(work) })
    const [accessToken, code] = [await p.tokenAtB('alice'), await p.reciprocalCode('alice')]
    const ops = await operationsOf(p.b.counts, async () => {
      expect(await p.musicAs.tokenEndpoint.handle(p.reciprocalPost(code, accessToken))).toMatchObject({ status: 200 })
      await Promise.all(pending)
    })
    // Receiver: 2 gets, 1 add. Lease: 1 add, then 1 get and 1 delete (released only if still its
    // own: whether it lapsed is the storage's call). Link: 1 get, 2 sets (the code with its
    // redemption in the outbox, then the tokens). Pending log: 4 gets, 1 add, 1 set, 1 delete.
    expect(ops).toEqual({ gets: 8, writes: 6, deletes: 2, takes: 0 })
    expect(await partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'linked', outbox: [] })
  })

  it('SPEC R4.3: createPartyB, immediate: the same, redeemed before the answer', async () => {
    const p = parties()
    const partyB = partyBOf(p, 'immediate')
    const [accessToken, code] = [await p.tokenAtB('alice'), await p.reciprocalCode('alice')]
    const ops = await operationsOf(p.b.counts, async () => expect(await p.musicAs.tokenEndpoint.handle(p.reciprocalPost(code, accessToken))).toMatchObject({ status: 200 }))
    expect(ops).toEqual({ gets: 8, writes: 6, deletes: 2, takes: 0 })
    expect(await partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'linked', outbox: [] })
  })

  it('SPEC R8.2: a guard over a storage the driver made itself takes no lease: in-process exclusion costs no storage operation', async () => {
    const clock = new TestClock()
    const { storage, counts } = countingStorage(clock)
    const own = new LinkGuard(storage as Storage, testRuntime(clock), 30, false)
    const order: string[] = []
    const ops = await operationsOf(counts, () =>
      Promise.all([
        own.run('link', async () => {
          order.push('first starts')
          await clock.sleep(1)
          order.push('first ends')
        }),
        own.run('link', async () => void order.push('second')),
      ]),
    )
    expect(ops).toEqual({ gets: 0, writes: 0, deletes: 0, takes: 0 })
    expect(order).toEqual(['first starts', 'first ends', 'second'])
  })
})
