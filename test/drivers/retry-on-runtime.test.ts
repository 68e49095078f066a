// Issue 9 item 6: both drivers' outbound retries wait on the injected runtime's timer
// (`Runtime.sleep`), as their lease waits do, so a test runtime controls every wait of a party;
// a peer's own `retry.sleep` still wins.
import { createPartyA, createPartyB, ErrorCode, type Runtime, staticClients } from 'reciprocal-oauth'
import type { PeerConfig } from 'reciprocal-oauth/client'
import { describe, expect, it } from 'vitest'
import { fakeFetch, json, peerConfig } from '../client/fixtures.js'
import { formPost, MUSIC } from '../server/fixtures.js'

/** The backoff of the default retry policy: two retries, 200 ms then 400 ms. */
const BACKOFF_MS = [200, 400]

function waitingRuntime(): { runtime: Runtime; waits: number[] } {
  const waits: number[] = []
  return {
    waits,
    runtime: { now: () => 1_700_000_000, randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)), sleep: async (ms) => void waits.push(ms) },
  }
}

/** A peer that answers every request 503: not processed, so even a token request is sent again. */
function unavailablePeer(retry?: PeerConfig['retry']) {
  const answers = fakeFetch(() => json({ error: 'temporarily_unavailable' }, 503))
  return { requests: answers.requests, peer: peerConfig({ fetch: answers.fetch, ...(retry === undefined ? {} : { retry }) }) }
}

function partyBRedeemingAt(peer: PeerConfig, runtime: Runtime) {
  return createPartyB({
    peers: { music: peer },
    clients: staticClients([MUSIC]),
    audiences: ['https://b.example'],
    verifyAccessToken: async () => ({ clientId: 'music', subject: 'alice', scope: 'assistant.read' }),
    runtime,
  })
}
const reciprocalPost = formPost({ grant_type: 'urn:ietf:params:oauth:grant-type:reciprocal', code: 'some-code', client_id: 'music', access_token: 'at' })

describe("the drivers' outbound retries wait on the runtime's timer", () => {
  it("party B: the redemption at A's token endpoint, answered 503, is sent three times, waiting on Runtime.sleep", async () => {
    const { runtime, waits } = waitingRuntime()
    const a = unavailablePeer()
    const partyB = partyBRedeemingAt(a.peer, runtime)
    expect((await partyB.receiver.handle(reciprocalPost)).status).toBe(500)
    expect(a.requests).toHaveLength(3)
    expect(waits).toEqual(BACKOFF_MS)
    expect(await partyB.getLink('music', 'alice')).toMatchObject({ status: 'redeem-failed', error: { code: ErrorCode.PeerUnavailable, retryable: true } })
  })

  it('party A: the code exchange at B, answered 503, is sent three times, waiting on Runtime.sleep', async () => {
    const { runtime, waits } = waitingRuntime()
    const b = unavailablePeer()
    const partyA = createPartyA({
      peers: { music: { peer: b.peer, redirectUri: 'https://a.example/cb', scope: 'music.play', reciprocal: { peerClientId: 'music', offer: 'assistant.read' } } },
      authorizationServer: { mintCode: () => Promise.reject(new Error('not reached')), revokeLink: async () => undefined },
      runtime,
    })
    const { url } = await partyA.startLink('music', 'alice')
    const failed = await partyA.handleCallback(`https://a.example/cb?code=c&state=${url.searchParams.get('state') ?? ''}`, 'alice')
    expect(failed).toMatchObject({ status: 'failed', error: { code: ErrorCode.PeerUnavailable, retryable: true } })
    expect(b.requests).toHaveLength(3)
    expect(waits).toEqual(BACKOFF_MS)
  })

  it("a peer's own retry.sleep wins over the runtime's", async () => {
    const { runtime, waits } = waitingRuntime()
    const own: number[] = []
    const a = unavailablePeer({ sleep: async (ms) => void own.push(ms) })
    await partyBRedeemingAt(a.peer, runtime).receiver.handle(reciprocalPost)
    expect(own).toEqual(BACKOFF_MS)
    expect(waits).toEqual([])
  })
})
