// The SDK's internal dispatch builds no Web Request or Response (issue 8): through the lower door,
// B's token endpoint hands the reciprocal grant to the receiver and A's token endpoint redeems the
// code with plain objects. The only Responses are those of the fetch port (a peer's answer, which
// oauth4webapi reads as a Response) and the transport's bounded copy of each. Counted by spying on
// the global constructors; no time is measured.
import { ClientSecretBasic, createAuthorizationServer, createPartyB, MemoryStorage, staticClients, type PartyBOptions } from 'reciprocal-oauth'
import { createReciprocalReceiver, GRANT_TYPE_RECIPROCAL, type RawHttpRequest } from 'reciprocal-oauth/server'
import { afterEach, describe, expect, it } from 'vitest'
import { basic, TestClock, testRuntime } from '../server/fixtures.js'

const A_SECRET = 'assistant-secret'
const B_SECRET = 'music-secret'

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

function form(fields: Record<string, string>, authorization: string): RawHttpRequest {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization }, body: new URLSearchParams(fields).toString() }
}

function parties() {
  const clock = new TestClock()
  const runtime = testRuntime(clock)
  const server = (origin: string, clientId: string, secret: string, scope: string) =>
    createAuthorizationServer({
      issuer: origin,
      tokenEndpoint: `${origin}/token`,
      clients: staticClients([{ clientId, tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: secret, scope }]),
      storage: new MemoryStorage({ now: clock.now }),
      runtime,
    })
  const assistantAs = server('https://assistant.example', 'music', B_SECRET, 'assistant.announce')
  const musicAs = server('https://music.example', 'assistant', A_SECRET, 'music.play')
  const tokenAtB = async (subject: string): Promise<string> => {
    const { code } = await musicAs.mintCode({ clientId: 'assistant', subject, scope: 'music.play' })
    const result = await musicAs.tokenEndpoint.handle(form({ grant_type: 'authorization_code', code }, basic('assistant', A_SECRET)))
    return (JSON.parse(result.body) as { access_token: string }).access_token
  }
  const reciprocalCode = async (subject: string): Promise<string> =>
    (await assistantAs.mintCode({ clientId: 'music', subject, scope: 'assistant.announce', supersede: true })).code
  const reciprocalPost = (code: string, accessToken: string): RawHttpRequest =>
    form({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code, access_token: accessToken }, basic('assistant', A_SECRET))
  return { runtime, assistantAs, musicAs, tokenAtB, reciprocalCode, reciprocalPost }
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
