// Test fixture: party A (a voice assistant) and party B (a music service) as two real HTTP
// servers on 127.0.0.1, built only from the SDK's public functions.
import { createAuthorizationServer, createPartyA, createPartyB, type EventObserver, MemoryStorage, type PartyAOptions, type PartyBOptions, type RedemptionMode, type RegisteredClient, type Runtime, staticClients, type Storage } from 'reciprocal-oauth'
import type { RetryOptions } from 'reciprocal-oauth/client'
import { type ErrorProfile, readRawRequest, toResponse, withReciprocalParameter } from 'reciprocal-oauth/server'
import { exportJWK, generateKeyPair } from 'jose'
import * as oauth from 'oauth4webapi'
import { afterEach } from 'vitest'
import { serve, type Served } from '../helpers/serve.js'

export const SECRETS = {
  assistantAtMusic: 'assistant-secret-at-music-0123456789',
  musicAtAssistant: 'music-secret-at-assistant-9876543210',
  radioAtMusic: 'radio-secret-at-music-5555555555',
}

export const ASSISTANT_OFFER = 'assistant.announce assistant.read'
export const MUSIC_SCOPE = 'music.play music.read'

export interface TwoServicesOptions {
  /** What B's token response asks for in `reciprocal`; `undefined`: nothing. */
  readonly reciprocalInTokenResponse?: string | undefined
  /** What B's authorization response carries in `reciprocal`. */
  readonly reciprocalInCallback?: string | undefined
  /** The scope agreed beforehand (party A's configuration). */
  readonly configuredReciprocal?: string
  readonly errorProfile?: ErrorProfile
  readonly redemption?: RedemptionMode
  readonly requiredScope?: string
  /** How B authenticates at A's token endpoint (default `client_secret_basic`). */
  readonly musicAuthAtAssistant?: 'client_secret_basic' | 'private_key_jwt'
  /** How A authenticates at B's token endpoint (default `client_secret_basic`). */
  readonly assistantAuthAtMusic?: 'client_secret_basic' | 'client_secret_post'
  /** The fetch party B uses to reach party A (default: the real one). */
  readonly bFetch?: typeof fetch
  /** The fetch party A uses to reach party B (default: the real one). */
  readonly aFetch?: typeof fetch
  /** How both parties retry outbound requests (default: the SDK's, with real waits). */
  readonly retry?: RetryOptions
  /** Outbound request timeout of both parties, ms. */
  readonly timeoutMs?: number
  /** Wraps each party's storage (the authorization server's and the driver's), e.g. to make a write fail. */
  readonly wrapStorage?: (storage: Storage, party: 'a' | 'b') => Storage
  /** More clients of A's authorization server (other peers of party A). */
  readonly extraClientsAtAssistant?: readonly RegisteredClient[]
  /** One observer for every component of both services. */
  readonly onEvent?: EventObserver
}

/** A clock the tests move; starts at the real time because the servers talk through real fetch. */
export function testRuntime(): Runtime & { advance(seconds: number): void } {
  let offset = 0
  return {
    now: () => Math.floor(Date.now() / 1000) + offset,
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
    advance: (seconds) => {
      offset += seconds
    },
  }
}

export async function startTwoServices(options: TwoServicesOptions = {}) {
  const runtime = testRuntime()
  const [a, b]: [Served, Served] = await Promise.all([serve(), serve()])
  const storageA = new MemoryStorage({ now: runtime.now })
  const storageB = new MemoryStorage({ now: runtime.now })
  const observed = options.onEvent === undefined ? {} : { onEvent: options.onEvent }

  // How each party authenticates at the other.
  const musicKeys = options.musicAuthAtAssistant === 'private_key_jwt' ? await generateKeyPair('ES256', { extractable: true }) : undefined
  const musicRegistration: RegisteredClient = musicKeys
    ? { clientId: 'music', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ ...(await exportJWK(musicKeys.publicKey)), alg: 'ES256' }] }, scope: ASSISTANT_OFFER }
    : { clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRETS.musicAtAssistant, scope: ASSISTANT_OFFER }
  const musicAuth = musicKeys ? oauth.PrivateKeyJwt(musicKeys.privateKey) : oauth.ClientSecretBasic(SECRETS.musicAtAssistant)
  const assistantPost = options.assistantAuthAtMusic === 'client_secret_post'
  const assistantAuth = assistantPost ? oauth.ClientSecretPost(SECRETS.assistantAtMusic) : oauth.ClientSecretBasic(SECRETS.assistantAtMusic)

  /**
   * Both authorization servers and both parties, over the storages `wrap` gives: the first ones,
   * and the fresh ones of a process restarted over the same storage.
   */
  const build = (wrap: TwoServicesOptions['wrapStorage'] = (storage) => storage) => {
    const storeA = wrap(storageA, 'a')
    const storeB = wrap(storageB, 'b')
    // Party A's authorization server: B is its client in the reciprocal leg.
    const assistantAs = createAuthorizationServer({
      issuer: a.url,
      tokenEndpoint: `${a.url}/token`,
      revocationEndpoint: `${a.url}/revoke`,
      clients: staticClients([musicRegistration, ...(options.extraClientsAtAssistant ?? [])]),
      storage: storeA,
      runtime,
      ...observed,
    })

    // Party B: its receiver, then its own authorization server for the initial flow.
    const musicClients = staticClients([
      {
        clientId: 'assistant',
        tokenEndpointAuthMethod: assistantPost ? 'client_secret_post' : 'client_secret_basic',
        clientSecret: SECRETS.assistantAtMusic,
        redirectUris: [`${a.url}/callback`],
        scope: MUSIC_SCOPE,
      },
      // Another client of the music service, to try cross-client attacks with valid credentials.
      { clientId: 'radio', tokenEndpointAuthMethod: 'client_secret_post', clientSecret: SECRETS.radioAtMusic, scope: 'music.read' },
    ])
    const peerTransport = { allowInsecureRequests: true, timeoutMs: options.timeoutMs ?? 5_000, ...(options.retry === undefined ? {} : { retry: options.retry }) }
    // Party B's authorization server first: party B derives its token check from it and
    // registers the reciprocal grant at its token endpoint (no forward reference).
    const musicAs = createAuthorizationServer({
      issuer: b.url,
      tokenEndpoint: `${b.url}/token`,
      authorizationEndpoint: `${b.url}/authorize`,
      revocationEndpoint: `${b.url}/revoke`,
      clients: musicClients,
      storage: storeB,
      runtime,
      ...observed,
      reciprocalScope: () => options.reciprocalInTokenResponse,
    })
    const partyBOptions: PartyBOptions = {
      authorizationServer: musicAs,
      ...(options.requiredScope === undefined ? {} : { requiredScope: options.requiredScope }),
      ...(options.errorProfile === undefined ? {} : { errorProfile: options.errorProfile }),
      ...(options.redemption === undefined ? {} : { redemption: options.redemption }),
      peers: {
        assistant: {
          as: { issuer: a.url, token_endpoint: `${a.url}/token`, revocation_endpoint: `${a.url}/revoke` },
          client: { client_id: 'music' },
          clientAuth: musicAuth,
          ...peerTransport,
          ...(options.bFetch === undefined ? {} : { fetch: options.bFetch }),
        },
      },
      storage: storeB,
      runtime,
      ...observed,
    }
    const partyB = createPartyB(partyBOptions)
    // Another worker of party B over the same storage: it reaches B's authorization server, whose
    // reciprocal grant the first party B registered, through the pieces it would have derived.
    const { authorizationServer: _registered, ...shared } = partyBOptions
    const partyBWorkerOptions: PartyBOptions = {
      ...shared,
      clients: musicClients,
      audiences: [b.url, `${b.url}/token`],
      verifyAccessToken: (token) => musicAs.verifyAccessToken(token),
      revokeLink: (clientId, subject) => musicAs.revokeLink(clientId, subject),
    }

    const partyAOptions: PartyAOptions = {
      peers: {
        music: {
          peer: {
            as: {
              issuer: b.url,
              authorization_endpoint: `${b.url}/authorize`,
              token_endpoint: `${b.url}/token`,
              revocation_endpoint: `${b.url}/revoke`,
              authorization_response_iss_parameter_supported: true,
            },
            client: { client_id: 'assistant' },
            clientAuth: assistantAuth,
            ...peerTransport,
            ...(options.aFetch === undefined ? {} : { fetch: options.aFetch }),
          },
          redirectUri: `${a.url}/callback`,
          scope: MUSIC_SCOPE,
          reciprocal: {
            peerClientId: 'music',
            offer: ASSISTANT_OFFER,
            ...(options.configuredReciprocal === undefined ? {} : { configured: options.configuredReciprocal }),
          },
        },
      },
      authorizationServer: assistantAs,
      storage: storeA,
      runtime,
      ...observed,
    }
    const partyA = createPartyA(partyAOptions)
    return { assistantAs, musicAs, partyA, partyAOptions, partyB, partyBOptions, partyBWorkerOptions }
  }
  let current = build(options.wrapStorage)
  const { assistantAs, musicAs, partyA, partyAOptions, partyB, partyBOptions, partyBWorkerOptions } = current

  const announcements: Array<{ subject: string; text: string }> = []
  const assistantHandler = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url)
    if (pathname === '/token') return current.assistantAs.tokenEndpoint.fetch(request)
    if (pathname === '/revoke') return current.assistantAs.revocationEndpoint.fetch(request)
    if (pathname === '/api/announce') {
      const raw = await readRawRequest(request)
      if (raw === 'too-large') return new Response(null, { status: 413 })
      const check = await current.assistantAs.authenticateRequest(raw, 'assistant.announce')
      if (!check.ok) return toResponse(check.result)
      announcements.push({ subject: check.token.subject, text: new TextDecoder().decode(raw.body as Uint8Array) })
      return Response.json({ announced: true })
    }
    if (pathname === '/api/profile') {
      const raw = await readRawRequest(request)
      if (raw === 'too-large') return new Response(null, { status: 413 })
      const check = await current.assistantAs.authenticateRequest(raw, 'assistant.read')
      return check.ok ? Response.json({ user: check.token.subject }) : toResponse(check.result)
    }
    return new Response('not found', { status: 404 })
  }
  a.use(assistantHandler)

  const musicHandler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    if (url.pathname === '/authorize') {
      // The music service's login and consent UI is played by the test through `decision`.
      const check = await current.musicAs.authorization.validate(url)
      if (!check.ok) return check.redirectTo ? Response.redirect(check.redirectTo, 302) : Response.json(check.error, { status: 400 })
      if (url.searchParams.get('test_decision') === 'deny') return Response.redirect(await current.musicAs.authorization.deny(check.request), 302)
      let location = await current.musicAs.authorization.approve(check.request, { subject: 'alice' })
      if (options.reciprocalInCallback !== undefined) location = withReciprocalParameter(location, options.reciprocalInCallback)
      return Response.redirect(location, 302)
    }
    if (url.pathname === '/token') return current.musicAs.tokenEndpoint.fetch(request)
    if (url.pathname === '/revoke') return current.musicAs.revocationEndpoint.fetch(request)
    if (url.pathname === '/api/now-playing') {
      const raw = await readRawRequest(request)
      if (raw === 'too-large') return new Response(null, { status: 413 })
      const check = await current.musicAs.authenticateRequest(raw, 'music.read')
      return check.ok ? Response.json({ user: check.token.subject, track: 'So What' }) : toResponse(check.result)
    }
    return new Response('not found', { status: 404 })
  }
  b.use(musicHandler)

  /** Plays the user: follows A's authorization URL to B and returns the callback URL B redirects to. */
  async function authorizeAtB(url: URL, decision: 'approve' | 'deny' = 'approve'): Promise<string> {
    const target = new URL(url)
    if (decision === 'deny') target.searchParams.set('test_decision', 'deny')
    const response = await fetch(target, { redirect: 'manual' })
    const location = response.headers.get('location')
    if (response.status !== 302 || location === null) throw new Error(`authorization at B answered ${response.status}`)
    return location
  }

  let closing: Promise<unknown> | undefined
  return {
    a,
    b,
    runtime,
    storageA,
    storageB,
    assistantAs,
    musicAs,
    partyA,
    partyAOptions,
    partyB,
    partyBOptions,
    /** Options for more workers of party B over the same storage and authorization server. */
    partyBWorkerOptions,
    musicHandler,
    assistantHandler,
    announcements,
    authorizeAtB,
    /**
     * A process restart: fresh authorization servers and parties over the same storages (wrapped
     * by `wrap`), which the HTTP servers route to from now on. The objects returned before keep
     * their (now dead) storages.
     */
    restart: (wrap?: TwoServicesOptions['wrapStorage']) => (current = build(wrap)),
    // Idempotent: a test may close its services itself, and twoServicesPerTest closes them again.
    close: () => (closing ??= Promise.all([a.close(), b.close()])),
  }
}

export type TwoServices = Awaited<ReturnType<typeof startTwoServices>>

/**
 * Two services for each test of a file, closed after it: `const startServices =
 * twoServicesPerTest()` at the top of the file, then `const s = await startServices(options)` in
 * a test. A test may start several pairs; all of them are closed after it.
 */
export function twoServicesPerTest(): (options?: TwoServicesOptions) => Promise<TwoServices> {
  const started: TwoServices[] = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map((services) => services.close()))
  })
  return async (options) => {
    const services = await startTwoServices(options)
    started.push(services)
    return services
  }
}

/** alice links at party A (steps A–D) and consents to `scope` (steps E–G). */
export async function linkAndConsent(s: TwoServices, scope = 'assistant.read') {
  const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
  await s.partyA.handleCallback(await s.authorizeAtB(url), 'alice-at-assistant')
  return { linkId, state: await s.partyA.consent(linkId, { scope }) }
}
