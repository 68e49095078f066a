// One instance of party A (a voice assistant) or party B (a music service), as each process of a
// deployment with several instances builds it: its own authorization server and party, over the
// store all instances of its party share, behind the party's one public origin (its issuer; a
// front door in the test spreads requests over the instances, front.ts). Built only from the
// SDK's public entries. Used by instance.ts, which runs it in a child process.
import { ClientSecretBasic, createAuthorizationServer, createPartyA, createPartyB, type ReciprocalEvent, type Runtime, staticClients, type Storage } from 'reciprocal-oauth'
import { readRawRequest, toResponse } from 'reciprocal-oauth/server'

export const SECRETS = { assistantAtMusic: 'assistant-secret-at-music-0123456789', musicAtAssistant: 'music-secret-at-assistant-9876543210' }
export const ASSISTANT_OFFER = 'assistant.announce assistant.read'
const MUSIC_SCOPE = 'music.play music.read'
/** Each outbound request's timeout: a link's lease lasts three of them plus 5 s (20 s). */
const TIMEOUT_MS = 5_000

/** The public origins of both parties: what every instance of either names the other by. */
export interface Origins {
  readonly a: string
  readonly b: string
}

/** What an instance shares with its process: its clock, its store, and where its events go. */
export interface InstanceContext {
  readonly origins: Origins
  readonly runtime: Runtime
  readonly storage: Storage
  readonly onEvent: (event: ReciprocalEvent) => void
}

/** An instance: its HTTP handler, and the operations the test runs on it by name (instance.ts). */
export interface Instance {
  readonly handler: (request: Request) => Promise<Response>
  readonly operations: Record<string, (...args: never[]) => Promise<unknown>>
}

/** A Bearer-protected API of the instance's resource server, checked by its authorization server (RFC 6750). */
async function protectedApi(as: ReturnType<typeof createAuthorizationServer>, request: Request, scope: string, answer: (subject: string) => unknown): Promise<Response> {
  const raw = await readRawRequest(request)
  if (raw === 'too-large') return new Response(null, { status: 413 })
  const check = await as.authenticateRequest(raw, scope)
  return check.ok ? Response.json(answer(check.token.subject)) : toResponse(check.result)
}

/** Party A: its authorization server (B redeems the reciprocal code at its token endpoint) and its driver. */
export function partyAInstance({ origins, runtime, storage, onEvent }: InstanceContext): Instance {
  const { a, b } = origins
  const assistantAs = createAuthorizationServer({
    issuer: a,
    tokenEndpoint: `${a}/token`,
    revocationEndpoint: `${a}/revoke`,
    clients: staticClients([{ clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRETS.musicAtAssistant, scope: ASSISTANT_OFFER }]),
    storage,
    runtime,
    onEvent,
  })
  const partyA = createPartyA({
    peers: {
      music: {
        peer: {
          as: { issuer: b, authorization_endpoint: `${b}/authorize`, token_endpoint: `${b}/token`, revocation_endpoint: `${b}/revoke`, authorization_response_iss_parameter_supported: true },
          client: { client_id: 'assistant' },
          clientAuth: ClientSecretBasic(SECRETS.assistantAtMusic),
          allowInsecureRequests: true,
          timeoutMs: TIMEOUT_MS,
        },
        redirectUri: `${a}/callback`,
        scope: MUSIC_SCOPE,
        reciprocal: { peerClientId: 'music', offer: ASSISTANT_OFFER },
      },
    },
    authorizationServer: assistantAs,
    storage,
    runtime,
    onEvent,
  })
  const handler = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url)
    if (pathname === '/token') return assistantAs.tokenEndpoint.fetch(request)
    if (pathname === '/revoke') return assistantAs.revocationEndpoint.fetch(request)
    if (pathname === '/api/announce') return protectedApi(assistantAs, request, 'assistant.announce', () => ({ announced: true }))
    return new Response('not found', { status: 404 })
  }
  return {
    handler,
    operations: {
      startLink: async (userId: string) => {
        const { linkId, url } = await partyA.startLink('music', userId)
        return { linkId, url: url.href }
      },
      handleCallback: (url: string, userId: string) => partyA.handleCallback(url, userId),
      consent: (linkId: string, scope: string) => partyA.consent(linkId, { scope }),
      updateReciprocalScope: (linkId: string, scope: string) => partyA.updateReciprocalScope(linkId, scope),
      unlink: (linkId: string) => partyA.unlink(linkId),
      /** One link's `resume`, or with no link every link's (how many it brought to rest). */
      resume: (linkId?: string) => (linkId === undefined ? partyA.resume() : partyA.resume(linkId)),
      getLink: (linkId: string) => partyA.getLink(linkId),
      accessToken: (linkId: string) => partyA.accessToken(linkId),
      // What A's driver mints when the user consents, minted directly: the test then plays B.
      mintReciprocalCode: async (subject: string, scope: string) => (await assistantAs.mintCode({ clientId: 'music', subject, scope })).code,
    },
  }
}

/**
 * Party B: its authorization server (A's client registration, the initial flow, the reciprocal
 * grant receiver at its token endpoint) and its driver, redeeming deferred (SPEC R4.3). Its
 * outbound requests to A can be cut (`offline`): the connection is refused, as when A cannot be
 * reached from this instance.
 */
export function partyBInstance({ origins, runtime, storage, onEvent }: InstanceContext): Instance {
  const { a, b } = origins
  const musicAs = createAuthorizationServer({
    issuer: b,
    tokenEndpoint: `${b}/token`,
    authorizationEndpoint: `${b}/authorize`,
    revocationEndpoint: `${b}/revoke`,
    clients: staticClients([
      { clientId: 'assistant', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRETS.assistantAtMusic, redirectUris: [`${a}/callback`], scope: MUSIC_SCOPE },
    ]),
    storage,
    runtime,
    onEvent,
    reciprocalScope: () => ASSISTANT_OFFER,
  })
  let offline = false
  const refused = () => new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })
  const background = new Set<Promise<unknown>>()
  const partyB = createPartyB({
    authorizationServer: musicAs,
    peers: {
      assistant: {
        as: { issuer: a, token_endpoint: `${a}/token`, revocation_endpoint: `${a}/revoke` },
        client: { client_id: 'music' },
        clientAuth: ClientSecretBasic(SECRETS.musicAtAssistant),
        allowInsecureRequests: true,
        timeoutMs: TIMEOUT_MS,
        fetch: (input, init) => (offline ? Promise.reject(refused()) : fetch(input, init)),
      },
    },
    redemption: {
      waitUntil: (work) => {
        const tracked: Promise<unknown> = work.finally(() => background.delete(tracked))
        background.add(tracked)
      },
    },
    storage,
    runtime,
    onEvent,
  })
  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    if (url.pathname === '/authorize') {
      // The music service's login and consent, played by the test: the user is named in the URL.
      const check = await musicAs.authorization.validate(url)
      if (!check.ok) return Response.json(check.error, { status: 400 })
      return Response.redirect(await musicAs.authorization.approve(check.request, { subject: url.searchParams.get('test_user') ?? 'alice' }), 302)
    }
    if (url.pathname === '/token') return musicAs.tokenEndpoint.fetch(request)
    if (url.pathname === '/revoke') return musicAs.revocationEndpoint.fetch(request)
    if (url.pathname === '/api/now-playing') return protectedApi(musicAs, request, 'music.read', (user) => ({ user, track: 'So What' }))
    return new Response('not found', { status: 404 })
  }
  return {
    handler,
    operations: {
      getLink: (userId: string) => partyB.getLink('assistant', userId),
      accessToken: (userId: string) => partyB.accessToken('assistant', userId),
      resume: (userId?: string) => (userId === undefined ? partyB.resume() : partyB.resume('assistant', userId)),
      unlink: (userId: string) => partyB.unlink('assistant', userId),
      offline: async (on: boolean) => void (offline = on),
      /** Waits for the deferred redemptions this instance started. */
      settle: async () => void (await Promise.allSettled([...background])),
    },
  }
}
