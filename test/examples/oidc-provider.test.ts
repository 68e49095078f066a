// The oidc-provider integration (examples/oidc-provider, docs/integrations/oidc-provider.md): a
// music service on node-oidc-provider made party B by `addReciprocalGrant`, and this SDK's party A
// completing the whole flow against it — link, consent, the reciprocal code POSTed to
// oidc-provider's token endpoint, B's redemption at A, both tokens honoured, refresh both ways,
// unlink.
import { type AuthorizationServer, createAuthorizationServer, createPartyA, type PartyA, type ReciprocalEvent, staticClients } from 'reciprocal-oauth'
import { discoverPeer } from 'reciprocal-oauth/client'
import { addReciprocalGrant } from 'reciprocal-oauth/oidc-provider'
import { GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMusicService, MUSIC_SCOPE, type MusicService } from '../../examples/oidc-provider/src/music-service.js'
import { loginAtOidcProvider } from '../helpers/oidc-provider-login.js'
import { serve, type Served } from '../helpers/serve.js'
import { closeServer } from '../helpers/close-server.js'

const SECRETS = { assistantAtMusic: 'assistant-secret-at-oidc-provider-0123456789', musicAtAssistant: 'music-secret-at-assistant-0123456789abcdef' }
// Both sides' access tokens live 30 s, inside the 60 s refresh margin: every `accessToken` call refreshes.
const SHORT_TTL = 30

let a: Served
let b: { url: string; server: Server }
let music: MusicService
let assistantAs: AuthorizationServer
let partyA: PartyA

beforeAll(async () => {
  a = await serve()
  let listener: MusicService['listener'] = (_req, res) => res.writeHead(503).end()
  const server = createServer((req, res) => listener(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  b = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }

  music = createMusicService({
    issuer: b.url,
    assistant: {
      clientId: 'assistant',
      clientSecret: SECRETS.assistantAtMusic,
      redirectUri: `${a.url}/callback`,
      as: { issuer: a.url, token_endpoint: `${a.url}/token`, revocation_endpoint: `${a.url}/revoke` },
      musicClientId: 'music',
      musicClientSecret: SECRETS.musicAtAssistant,
    },
    allowInsecureRequests: true,
    accessTokenTtlSeconds: SHORT_TTL,
  })
  listener = music.listener

  assistantAs = createAuthorizationServer({
    issuer: a.url,
    tokenEndpoint: `${a.url}/token`,
    revocationEndpoint: `${a.url}/revoke`,
    accessTokenTtlSeconds: SHORT_TTL,
    clients: staticClients([
      { clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRETS.musicAtAssistant, scope: 'assistant.announce assistant.display' },
    ]),
  })
  partyA = createPartyA({
    peers: {
      music: {
        // Party A learns B's endpoints from oidc-provider's discovery document (SPEC R6.1).
        peer: { as: await discoverPeer(b.url, { algorithm: 'oidc', allowInsecureRequests: true }), client: { client_id: 'assistant' }, clientAuth: oauth.ClientSecretBasic(SECRETS.assistantAtMusic), allowInsecureRequests: true },
        redirectUri: `${a.url}/callback`,
        scope: MUSIC_SCOPE,
        // A offers more than B asks for: what A's consent screen shows comes from B's `reciprocal`.
        reciprocal: { peerClientId: 'music', offer: 'assistant.announce assistant.display' },
      },
    },
    authorizationServer: assistantAs,
  })
  a.use(async (request) => {
    const url = new URL(request.url)
    if (url.pathname === '/token') return assistantAs.tokenEndpoint.fetch(request)
    if (url.pathname === '/revoke') return assistantAs.revocationEndpoint.fetch(request)
    if (url.pathname === '/callback') return Response.json(await partyA.handleCallback(url, 'alice-at-assistant'))
    return new Response('not found', { status: 404 })
  })
})

afterAll(async () => {
  await a.close()
  await closeServer(b.server)
})

/** Plays the user through oidc-provider's development login and consent pages, as "alice". */
async function linkAtB(url: URL): Promise<void> {
  expect((await loginAtOidcProvider(url, `${a.url}/callback`)).startsWith(`${a.url}/callback`)).toBe(true)
}

/** A reciprocal grant POST to oidc-provider's token endpoint, as party A makes it. */
const postCode = (accessToken: string, code: string): Promise<Response> =>
  fetch(`${b.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`assistant:${SECRETS.assistantAtMusic}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code, access_token: accessToken }),
  })

/** A's token request at oidc-provider: `authorization_code` or `refresh_token`. */
const tokenRequest = (params: Record<string, string>): Promise<Response> =>
  fetch(`${b.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`assistant:${SECRETS.assistantAtMusic}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  })

/** Whether oidc-provider still honours a refresh token of A's (it is rotated when it is). */
async function refreshes(refreshToken: string): Promise<boolean> {
  return (await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken })).status === 200
}

/** The refresh token party A holds at B for a link. */
async function refreshTokenAtB(id: string): Promise<string> {
  const link = await partyA.getLink(id)
  const refreshToken = link !== undefined && 'peerTokens' in link ? link.peerTokens?.refreshToken : undefined
  if (refreshToken === undefined) throw new Error('party A holds no refresh token at B for this link')
  return refreshToken
}

/**
 * Another oidc-provider grant of alice's to A, outside party A: a fresh browser session at
 * oidc-provider (so a new Grant), its code exchanged for an access and a refresh token.
 */
async function anotherGrant(): Promise<{ accessToken: string; refreshToken: string }> {
  const verifier = oauth.generateRandomCodeVerifier()
  const authorize = new URL(`${b.url}/auth`)
  const query = { client_id: 'assistant', response_type: 'code', redirect_uri: `${a.url}/callback`, scope: MUSIC_SCOPE, state: 'another-grant' }
  for (const [name, value] of Object.entries(query)) authorize.searchParams.set(name, value)
  authorize.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier))
  authorize.searchParams.set('code_challenge_method', 'S256')
  const code = new URL(await loginAtOidcProvider(authorize, `${a.url}/callback`)).searchParams.get('code') ?? ''
  const response = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: `${a.url}/callback`, code_verifier: verifier })
  const tokens = (await response.json()) as { access_token: string; refresh_token: string }
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token }
}

async function nowPlaying(token: string): Promise<number> {
  return (await fetch(`${b.url}/api/now-playing`, { headers: { authorization: `Bearer ${token}` } })).status
}

describe('integration: party B on oidc-provider with addReciprocalGrant, party A this SDK', () => {
  let linkId = ''

  it('SPEC R6.1: oidc-provider advertises the reciprocal grant type once it is registered', async () => {
    const metadata = await (await fetch(`${b.url}/.well-known/openid-configuration`)).json()
    expect(metadata.grant_types_supported).toContain(GRANT_TYPE_RECIPROCAL)
  })

  it('SPEC R1.1, R1.2, R2.1: the initial flow at oidc-provider, whose token response asks for `reciprocal`', async () => {
    const started = await partyA.startLink('music', 'alice-at-assistant')
    linkId = started.linkId
    await linkAtB(started.url)
    expect(await partyA.getLink(linkId)).toMatchObject({ status: 'awaiting-consent', requested: ['assistant.announce'] })
  })

  it('SPEC R3.2–R4.2, R7.9: the code POSTed to oidc-provider is checked and redeemed at A, for the user of the token', async () => {
    expect(await partyA.consent(linkId, { scope: 'assistant.announce' })).toMatchObject({ status: 'reciprocal-granted' })
    const link = await music.reciprocal.getLink('assistant', 'alice')
    expect(link).toMatchObject({ status: 'linked', tokens: { scope: 'assistant.announce' } })
  })

  it('SPEC R4.4, R8.2: both tokens are honoured, and both refresh (each lives inside the refresh margin)', async () => {
    const tokenAtA = await music.reciprocal.accessToken('assistant', 'alice')
    expect(await assistantAs.verifyAccessToken(tokenAtA)).toMatchObject({ clientId: 'music', subject: 'alice-at-assistant', scope: 'assistant.announce' })
    const refreshedAtA = await music.reciprocal.accessToken('assistant', 'alice')
    expect(refreshedAtA).not.toBe(tokenAtA)
    expect(await assistantAs.verifyAccessToken(refreshedAtA)).toMatchObject({ subject: 'alice-at-assistant' })

    const tokenAtB = await partyA.accessToken(linkId)
    expect(await nowPlaying(tokenAtB)).toBe(200)
    const refreshedAtB = await partyA.accessToken(linkId) // a refresh_token grant at oidc-provider
    expect(refreshedAtB).not.toBe(tokenAtB)
    expect(await nowPlaying(refreshedAtB)).toBe(200)
  })

  it('SPEC R7.10, R3.3: a code presented again, or with a token oidc-provider does not know, is refused', async () => {
    const unknown = await postCode('not-a-token', 'some-code')
    expect(unknown.status).toBe(400)
    expect(await unknown.json()).toMatchObject({ error: 'invalid_token' })
    expect(unknown.headers.get('cache-control')).toBe('no-store')
    // B remembers each code it received (hashed): a code A never minted goes to A once (and fails
    // there); the same code again is refused before any redemption.
    const token = await partyA.accessToken(linkId)
    const first = await postCode(token, 'a-code-a-never-minted')
    const again = await postCode(token, 'a-code-a-never-minted')
    expect(await first.json()).toMatchObject({ error: 'invalid_grant', error_description: 'The reciprocal code could not be redeemed' })
    expect(await again.json()).toMatchObject({ error: 'invalid_grant', error_description: 'This code was already received' })
  })

  it('SPEC R3.3: oidc-provider authenticates A itself: a wrong secret never reaches the receiver', async () => {
    const response = await fetch(`${b.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa('assistant:wrong-secret')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code: 'c', access_token: await partyA.accessToken(linkId) }),
    })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_client' })
  })

  it('SPEC R5.2: unlinking at B revokes the grant whose code it accepted (G1), though another grant\'s POST (G2) came later and was refused, and A\'s tokens at A', async () => {
    const tokenAtB = await partyA.accessToken(linkId)
    const tokenAtA = await music.reciprocal.accessToken('assistant', 'alice')
    // Adversarial: A's access token from another grant (G2) of alice's delivers a code B refuses
    // (a duplicate) after checking the token; that grant does not displace the link's own (G1).
    const other = await anotherGrant()
    expect(await (await postCode(other.accessToken, 'a-code-a-never-minted')).json()).toMatchObject({ error: 'invalid_grant' })
    const linkRefreshToken = await refreshTokenAtB(linkId)
    // A confidential client's refresh token is not rotated here: checking it leaves it valid.
    expect(await refreshes(linkRefreshToken)).toBe(true)
    expect(await music.reciprocal.unlink('assistant', 'alice')).toMatchObject({ status: 'unlinked', outbox: [] })
    expect(await nowPlaying(tokenAtB)).toBe(401)
    expect(await refreshes(linkRefreshToken)).toBe(false) // G1 revoked, refresh token and all
    expect(await assistantAs.verifyAccessToken(tokenAtA)).toBeUndefined()
  })

  it('SPEC R5.2: when codes from two grants of the same client and user were both accepted, unlinking at B revokes both', async () => {
    // The user links again at A (grant G3 at oidc-provider), then A delivers a second code with an
    // access token of another grant (G4): B accepts both, and unlinking revokes both.
    const started = await partyA.startLink('music', 'alice-at-assistant')
    await linkAtB(started.url)
    expect(await partyA.consent(started.linkId, { scope: 'assistant.announce' })).toMatchObject({ status: 'reciprocal-granted' })
    const other = await anotherGrant()
    const { code } = await assistantAs.mintCode({ clientId: 'music', subject: 'alice-at-assistant', scope: 'assistant.announce', supersede: true })
    expect((await postCode(other.accessToken, code)).status).toBe(200)
    const linkRefreshToken = await refreshTokenAtB(started.linkId)
    expect(await refreshes(linkRefreshToken)).toBe(true)
    expect(await refreshes(other.refreshToken)).toBe(true)

    expect(await music.reciprocal.unlink('assistant', 'alice')).toMatchObject({ status: 'unlinked', outbox: [] })
    expect(await refreshes(linkRefreshToken)).toBe(false) // G3
    expect(await refreshes(other.refreshToken)).toBe(false) // G4
  })
})

describe('addReciprocalGrant options', () => {
  it('throws a TypeError for a reciprocalScope that is not a scope, before anything is registered', () => {
    const registered: string[] = []
    const provider = { issuer: 'https://b.example', registerGrantType: (name: string) => void registered.push(name), use: () => undefined } as unknown as Parameters<typeof addReciprocalGrant>[0]
    expect(() => addReciprocalGrant(provider, { peers: {}, reciprocalScope: 'bad"scope' })).toThrow(TypeError)
    expect(registered).toEqual([])
  })

  it('SPEC R5.2: an unlink that finds no oidc-provider grant to revoke tells the observer, and revokes nothing', async () => {
    const revoked: string[] = []
    const models = { revokeByGrantId: async (grantId: string) => void revoked.push(grantId) }
    const provider = {
      issuer: 'https://b.example',
      registerGrantType: () => undefined,
      use: () => undefined,
      AccessToken: { ...models, find: async () => undefined },
      RefreshToken: models,
      AuthorizationCode: models,
      Grant: { find: async () => undefined },
    } as unknown as Parameters<typeof addReciprocalGrant>[0]
    const events: ReciprocalEvent[] = []
    const partyB = addReciprocalGrant(provider, { peers: {}, onEvent: (event) => void events.push(event) })
    expect(await partyB.unlink('assistant', 'alice')).toMatchObject({ status: 'unlinked', outbox: [] })
    expect(revoked).toEqual([])
    expect(events).toContainEqual(expect.objectContaining({ type: 'link-grants-not-found', source: 'party-b', clientId: 'assistant', subject: 'alice' }))
  })

  it('throws a TypeError for a grantRecordMaxSeconds that is not a positive finite number (every grant record expires)', () => {
    const provider = { issuer: 'https://b.example', registerGrantType: () => undefined, use: () => undefined } as unknown as Parameters<typeof addReciprocalGrant>[0]
    for (const grantRecordMaxSeconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => addReciprocalGrant(provider, { peers: {}, grantRecordMaxSeconds })).toThrow(TypeError)
    }
  })

  it('throws a TypeError when the grant is already registered at the provider (one handler per grant type)', () => {
    expect(() => addReciprocalGrant(music.provider, { peers: {} })).toThrow(/already called/)
  })
})
