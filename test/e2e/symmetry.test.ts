// Issue item 6 / SPEC R0: either service may start. Each service here runs ONE authorization
// server, ONE party-A driver and ONE party-B driver over ONE storage; alice starts at the
// assistant (assistant = A), bob starts at the music service (music = A). Both links complete.
import { createAuthorizationServer, createPartyA, createPartyB, MemoryStorage, staticClients } from 'reciprocal-oauth'
import { readRawRequest, toResponse } from 'reciprocal-oauth/server'
import * as oauth from 'oauth4webapi'
import { afterEach, describe, expect, it } from 'vitest'
import { serve, type Served } from '../helpers/serve.js'
import { testRuntime } from './two-services.js'

interface ServiceSpec {
  readonly name: string
  readonly scopes: string // what this service protects
  readonly secretAtPeer: string
}

const SPECS = {
  assistant: { name: 'assistant', scopes: 'assistant.announce', secretAtPeer: 'assistant-secret-at-music-0000000001' },
  music: { name: 'music', scopes: 'music.play', secretAtPeer: 'music-secret-at-assistant-000000002' },
} as const

const closers: Served[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((s) => s.close()))
})

function buildService(self: ServiceSpec, peer: ServiceSpec, selfServer: Served, peerServer: Served, runtime: ReturnType<typeof testRuntime>) {
  const storage = new MemoryStorage({ now: runtime.now })
  const clients = staticClients([
    {
      clientId: peer.name,
      tokenEndpointAuthMethod: 'client_secret_basic',
      clientSecret: peer.secretAtPeer,
      redirectUris: [`${peerServer.url}/callback`],
      scope: self.scopes,
    },
  ])
  const peerAs = {
    issuer: peerServer.url,
    authorization_endpoint: `${peerServer.url}/authorize`,
    token_endpoint: `${peerServer.url}/token`,
    revocation_endpoint: `${peerServer.url}/revoke`,
  }
  const peerConfig = {
    as: peerAs,
    client: { client_id: self.name },
    clientAuth: oauth.ClientSecretBasic(self.secretAtPeer),
    allowInsecureRequests: true,
  }
  const as = createAuthorizationServer({
    issuer: selfServer.url,
    tokenEndpoint: `${selfServer.url}/token`,
    clients,
    storage,
    runtime,
    // As party B of a link, ask for the peer's resources in return.
    reciprocalScope: () => peer.scopes,
  })
  // One authorization server serves both roles: party B registers the reciprocal grant at it.
  const partyB = createPartyB({ authorizationServer: as, peers: { [peer.name]: peerConfig }, storage, runtime })
  const partyA = createPartyA({
    peers: {
      [peer.name]: { peer: peerConfig, redirectUri: `${selfServer.url}/callback`, scope: peer.scopes, reciprocal: { peerClientId: peer.name, offer: self.scopes } },
    },
    authorizationServer: as,
    storage,
    runtime,
  })
  selfServer.use(async (request) => {
    const url = new URL(request.url)
    if (url.pathname === '/token') return as.tokenEndpoint.fetch(request)
    if (url.pathname === '/authorize') {
      const check = await as.authorization.validate(url)
      if (!check.ok) return Response.json(check.error, { status: 400 })
      // The user at this service: the test names them in the login hint it adds.
      return Response.redirect(await as.authorization.approve(check.request, { subject: url.searchParams.get('test_user') ?? 'nobody' }), 302)
    }
    if (url.pathname === '/api') {
      const raw = await readRawRequest(request)
      if (raw === 'too-large') return new Response(null, { status: 413 })
      const check = await as.authenticateRequest(raw, self.scopes)
      return check.ok ? Response.json({ service: self.name, user: check.token.subject }) : toResponse(check.result)
    }
    return new Response('not found', { status: 404 })
  })
  return { as, partyA, partyB, storage }
}

describe('either service may start (SPEC R0, issue item 6)', () => {
  it('one process is party A for one link and party B for another, over one storage and one authorization server', async () => {
    const runtime = testRuntime()
    const [assistantServer, musicServer] = await Promise.all([serve(), serve()])
    closers.push(assistantServer, musicServer)
    const assistant = buildService(SPECS.assistant, SPECS.music, assistantServer, musicServer, runtime)
    const music = buildService(SPECS.music, SPECS.assistant, musicServer, assistantServer, runtime)

    async function link(from: typeof assistant, peerId: string, localUser: string, peerUser: string) {
      const { linkId, url } = await from.partyA.startLink(peerId, localUser)
      url.searchParams.set('test_user', peerUser)
      const redirect = await fetch(url, { redirect: 'manual' })
      const state = await from.partyA.handleCallback(redirect.headers.get('location') ?? '', localUser)
      expect(state.status).toBe('awaiting-consent')
      return { linkId, final: await from.partyA.consent(linkId, { scope: state.status === 'awaiting-consent' ? state.offered.join(' ') : '' }) }
    }

    // alice starts at the assistant: assistant = A, music = B.
    const alice = await link(assistant, 'music', 'alice@assistant', 'alice@music')
    expect(alice.final.status).toBe('reciprocal-granted')
    // bob starts at the music service: music = A, assistant = B.
    const bob = await link(music, 'assistant', 'bob@music', 'bob@assistant')
    expect(bob.final.status).toBe('reciprocal-granted')

    const call = async (server: Served, token: string) => (await fetch(`${server.url}/api`, { headers: { authorization: `Bearer ${token}` } })).json()
    // alice's link: the assistant calls music as A; music calls the assistant as B.
    expect(await call(musicServer, await assistant.partyA.accessToken(alice.linkId))).toEqual({ service: 'music', user: 'alice@music' })
    expect(await call(assistantServer, await music.partyB.accessToken('assistant', 'alice@music'))).toEqual({ service: 'assistant', user: 'alice@assistant' })
    // bob's link, the other way round.
    expect(await call(assistantServer, await music.partyA.accessToken(bob.linkId))).toEqual({ service: 'assistant', user: 'bob@assistant' })
    expect(await call(musicServer, await assistant.partyB.accessToken('music', 'bob@assistant'))).toEqual({ service: 'music', user: 'bob@music' })
  })
})
