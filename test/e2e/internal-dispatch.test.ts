// The SDK's internal dispatch builds no Web Request or Response (issue 8): through the lower door,
// B's token endpoint hands the reciprocal grant to the receiver and A's token endpoint redeems the
// code with plain objects. The only Responses are those of the fetch port (a peer's answer, which
// oauth4webapi reads as a Response) and the transport's bounded copy of each. Counted by spying on
// the global constructors; no time is measured.
import { ClientSecretBasic, createPartyB, MemoryStorage, type PartyBOptions } from 'reciprocal-oauth'
import { createReciprocalReceiver, GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import { afterEach, describe, expect, it } from 'vitest'
import { basic, TestClock } from '../server/fixtures.js'
import { B_SECRET, form, inProcessParties } from './in-process-parties.js'

const original = { Request: globalThis.Request, Response: globalThis.Response }
afterEach(() => Object.assign(globalThis, original))

/** Counts every `new Request` and `new Response` until the test ends. */
function countConstructions(): { Request: number; Response: number } {
  const counts = { Request: 0, Response: 0 }
  for (const name of ['Request', 'Response'] as const) {
    globalThis[name] = new Proxy(original[name], {
      construct(target, args, newTarget) {
        counts[name]++
        return Reflect.construct(target, args, newTarget) as object
      },
    }) as never
  }
  return counts
}

function parties() {
  const clock = new TestClock()
  return inProcessParties(clock, { a: new MemoryStorage({ now: clock.now }), b: new MemoryStorage({ now: clock.now }) })
}

describe('internal dispatch builds no Web Request or Response (issue 8)', () => {
  it("SPEC R8.3: B's token endpoint hands the reciprocal grant to the receiver with plain objects", async () => {
    const p = parties()
    const receiver = createReciprocalReceiver({
      clients: p.musicAs.clients,
      audiences: ['https://music.example'],
      verifyAccessToken: (token) => p.musicAs.verifyAccessToken(token),
      runtime: p.runtime,
      onCode: async () => ({ ok: true }),
    })
    p.musicAs.registerExtensionGrant(GRANT_TYPE_RECIPROCAL, receiver.handleParsed)
    const post = p.reciprocalPost(await p.reciprocalCode('alice'), await p.tokenAtB('alice'))
    const counts = countConstructions()
    expect(await p.musicAs.tokenEndpoint.handle(post)).toMatchObject({ status: 200 })
    expect(counts).toEqual({ Request: 0, Response: 0 })
  })

  it("SPEC R4.1: A's token endpoint redeems a reciprocal code with plain objects", async () => {
    const p = parties()
    const code = await p.reciprocalCode('alice')
    const counts = countConstructions()
    expect(await p.assistantAs.tokenEndpoint.handle(form({ grant_type: 'authorization_code', code }, basic('music', B_SECRET)))).toMatchObject({ status: 200 })
    expect(counts).toEqual({ Request: 0, Response: 0 })
  })

  for (const redemption of ['immediate', 'deferred'] as const) {
    it(`SPEC R4.3: createPartyB (${redemption}) receives and redeems with no Request, and no Response but the peer's answer and its bounded copy`, async () => {
      const p = parties()
      let calls = 0
      const pending: Promise<unknown>[] = []
      // A's token endpoint in process, as the fetch port: the one place a Response is made for oauth4webapi.
      const toA = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
        calls++
        const result = await p.assistantAs.tokenEndpoint.handle({ method: 'POST', headers: Object.fromEntries(new Headers(init?.headers)), body: String(init?.body) })
        return new Response(result.body, { status: result.status, headers: result.headers })
      }
      const mode: PartyBOptions['redemption'] = redemption === 'immediate' ? 'immediate' : { waitUntil: (work) => void pending.push(work) }
      const partyB = createPartyB({
        authorizationServer: p.musicAs,
        runtime: p.runtime,
        redemption: mode,
        peers: {
          assistant: {
            as: { issuer: 'https://assistant.example', token_endpoint: 'https://assistant.example/token' },
            client: { client_id: 'music' },
            clientAuth: ClientSecretBasic(B_SECRET),
            fetch: toA as typeof fetch,
          },
        },
      })
      const post = p.reciprocalPost(await p.reciprocalCode('alice'), await p.tokenAtB('alice'))
      const counts = countConstructions()
      expect(await p.musicAs.tokenEndpoint.handle(post)).toMatchObject({ status: 200 })
      await Promise.all(pending)
      expect(await partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'linked' })
      expect(calls).toBe(1)
      expect(counts).toEqual({ Request: 0, Response: 2 * calls })
    })
  }
})
