// Interoperability with an authorization server nobody here wrote: party B runs oidc-provider
// (panva's certified OpenID provider) for the initial flow and mounts only the SDK's reciprocal
// grant receiver — as an oidc-provider extension grant on its own token endpoint — verifying
// party A's access tokens by RFC 7662 introspection at oidc-provider. Party A is this SDK, and
// discovers B from its published metadata.
import { type AuthorizationServer, createAuthorizationServer, createPartyA, createPartyB, type PartyA, type PartyB, staticClients } from 'reciprocal-oauth'
import { discoverPeer, introspectionVerifier } from 'reciprocal-oauth/client'
import { GRANT_TYPE_RECIPROCAL, withReciprocalScope } from 'reciprocal-oauth/server'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as oauth from 'oauth4webapi'
import Provider, { type KoaContextWithOIDC } from 'oidc-provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loginAtOidcProvider } from '../helpers/oidc-provider-login.js'
import { serve, type Served } from '../helpers/serve.js'
import { closeServer } from '../helpers/close-server.js'

const SECRETS = {
  assistantAtMusic: 'assistant-secret-at-oidc-provider-0123456789',
  musicAtAssistant: 'music-secret-at-assistant-0123456789abcdef',
  introspection: 'music-resource-server-secret-0123456789',
}
const MUSIC_API = 'urn:example:music-api'

let a: Served
let b: { url: string; server: Server }
let provider: Provider
let assistantAs: AuthorizationServer
let partyA: PartyA
let partyB: PartyB
let callbacks: string[]

beforeAll(async () => {
  a = await serve()
  let listener: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end()
  const server = createServer((req, res) => listener(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  b = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }

  provider = new Provider(b.url, {
    clients: [
      {
        client_id: 'assistant',
        client_secret: SECRETS.assistantAtMusic,
        redirect_uris: [`${a.url}/callback`],
        grant_types: ['authorization_code', GRANT_TYPE_RECIPROCAL],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      // The music API's own registration, used to introspect the tokens it receives.
      { client_id: 'music-api', client_secret: SECRETS.introspection, redirect_uris: [], response_types: [], grant_types: [] },
    ],
    scopes: ['music.read', 'music.play'],
    pkce: { required: () => true },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    features: {
      devInteractions: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => MUSIC_API,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'music.read music.play', accessTokenFormat: 'opaque' }),
      },
    },
  })

  // Party B's side of the reciprocal leg: the SDK's receiver and redemption, nothing else.
  partyB = createPartyB({
    clients: staticClients([
      { clientId: 'assistant', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRETS.assistantAtMusic, scope: 'music.read music.play' },
    ]),
    audiences: [b.url, `${b.url}/token`],
    verifyAccessToken: introspectionVerifier({
      as: { issuer: b.url, introspection_endpoint: `${b.url}/token/introspection` },
      client: { client_id: 'music-api' },
      clientAuth: oauth.ClientSecretBasic(SECRETS.introspection),
      allowInsecureRequests: true,
    }),
    requiredScope: 'music.read',
    errorProfile: 'google',
    peers: {
      assistant: {
        as: { issuer: a.url, token_endpoint: `${a.url}/token`, revocation_endpoint: `${a.url}/revoke` },
        client: { client_id: 'music' },
        clientAuth: oauth.ClientSecretBasic(SECRETS.musicAtAssistant),
        allowInsecureRequests: true,
      },
    },
  })
  // Mounted as an oidc-provider extension grant: the reciprocal POST arrives at B's token endpoint.
  provider.registerGrantType(
    GRANT_TYPE_RECIPROCAL,
    async (ctx: KoaContextWithOIDC) => {
      const params = new Map<string, string>([['grant_type', GRANT_TYPE_RECIPROCAL], ['client_id', ctx.oidc.client?.clientId ?? '']])
      for (const name of ['code', 'access_token'] as const) {
        const value = ctx.oidc.params?.[name]
        if (typeof value === 'string') params.set(name, value)
      }
      const result = await partyB.receiver.handleParsed({ method: 'POST', headers: ctx.req.headers }, params)
      ctx.status = result.status
      ctx.set(result.headers)
      ctx.body = result.body
    },
    ['code', 'access_token'],
  )
  // Draft step D: B asks for access back in its token response.
  provider.use(async (ctx, next) => {
    await next()
    if (ctx.path === '/token' && ctx.status === 200 && typeof ctx.body === 'object' && ctx.body !== null && 'access_token' in ctx.body) {
      ctx.body = withReciprocalScope(ctx.body, 'assistant.announce')
    }
  })
  listener = provider.callback()

  assistantAs = createAuthorizationServer({
    issuer: a.url,
    tokenEndpoint: `${a.url}/token`,
    revocationEndpoint: `${a.url}/revoke`,
    clients: staticClients([
      { clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRETS.musicAtAssistant, scope: 'assistant.announce' },
    ]),
  })
  // Party A learns B's endpoints from B's published metadata (SPEC R6.1).
  const musicMetadata = await discoverPeer(b.url, { algorithm: 'oidc', allowInsecureRequests: true })
  partyA = createPartyA({
    peers: {
      music: {
        peer: { as: musicMetadata, client: { client_id: 'assistant' }, clientAuth: oauth.ClientSecretBasic(SECRETS.assistantAtMusic), allowInsecureRequests: true },
        redirectUri: `${a.url}/callback`,
        scope: 'music.read music.play',
        reciprocal: { peerClientId: 'music', offer: 'assistant.announce' },
      },
    },
    authorizationServer: assistantAs,
  })
  callbacks = []
  a.use(async (request) => {
    const url = new URL(request.url)
    if (url.pathname === '/token') return assistantAs.tokenEndpoint.fetch(request)
    if (url.pathname === '/revoke') return assistantAs.revocationEndpoint.fetch(request)
    if (url.pathname === '/callback') {
      callbacks.push(url.href)
      return Response.json(await partyA.handleCallback(url, 'alice-at-assistant'))
    }
    return new Response('not found', { status: 404 })
  })
})

afterAll(async () => {
  await a.close()
  await closeServer(b.server)
})

/** Plays the user through oidc-provider's development login and consent screens. */
async function linkAtB(url: URL): Promise<void> {
  expect((await loginAtOidcProvider(url, `${a.url}/callback`)).startsWith(`${a.url}/callback`)).toBe(true)
}

describe('interoperability: party B on oidc-provider (an authorization server not written here)', () => {
  it('SPEC R1–R4: initial flow against oidc-provider, reciprocal POST to its token endpoint, redemption at A', async () => {
    const { linkId, url } = await partyA.startLink('music', 'alice-at-assistant')
    expect(url.origin).toBe(b.url)
    await linkAtB(url)
    // RFC 9207: oidc-provider sends `iss`, and oauth4webapi checked it.
    expect(new URL(callbacks.at(-1) ?? '').searchParams.get('iss')).toBe(b.url)

    const consent = await partyA.getLink(linkId)
    expect(consent).toMatchObject({ status: 'awaiting-consent', requested: ['assistant.announce'] })
    expect(await partyA.consent(linkId, { scope: 'assistant.announce' })).toMatchObject({ status: 'reciprocal-granted' })

    // B attached the grant to the user its introspected access token is about (SPEC R7.9).
    const link = await partyB.getLink('assistant', 'alice')
    expect(link).toMatchObject({ status: 'linked', tokens: { scope: 'assistant.announce' } })
    const tokenAtA = link?.status === 'linked' ? link.tokens.accessToken : ''
    expect(await assistantAs.verifyAccessToken(tokenAtA)).toMatchObject({ clientId: 'music', subject: 'alice-at-assistant' })
  })

  it('SPEC R3.3: oidc-provider authenticates A, and the receiver still refuses a token that introspection calls inactive', async () => {
    const response = await fetch(`${b.url}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${btoa(`assistant:${SECRETS.assistantAtMusic}`)}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code: 'some-code', access_token: 'not-a-token' }),
    })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_token' })
    expect(response.headers.get('cache-control')).toBe('no-store')
  })
})
