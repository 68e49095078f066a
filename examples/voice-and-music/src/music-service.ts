// The music service: party B. It runs the OAuth authorization server the assistant links to
// (login, consent, token endpoint), asks for access back with `reciprocal` in its token
// response, receives and redeems the assistant's reciprocal code, and calls the assistant's API.
// Everything protocol-related comes from the SDK's public API.
import { ClientSecretBasic, MemoryStorage, ReciprocalError, createAuthorizationServer, createPartyB, staticClients } from 'reciprocal-oauth'
import { toResponse, type ValidAuthorizationRequest } from 'reciprocal-oauth/server'
import { html, page, type Brand } from './html.js'
import { Sessions, seeOther } from './sessions.js'

export const MUSIC_SCOPES = { 'music.read': 'See what is playing', 'music.play': 'Play music' } as const
/** What the music service asks of the assistant, with what each scope lets it do. */
export const RECIPROCAL_REQUEST = {
  'assistant.display': 'Show what is playing on your assistant',
  'assistant.announce': 'Announce songs out loud',
} as const

export interface MusicServiceConfig {
  /** Where this service is reached, e.g. `http://127.0.0.1:3001`. */
  readonly origin: string
  /** Where the voice assistant is reached. */
  readonly assistantOrigin: string
  /** Client credentials the two services exchanged when they registered with each other. */
  readonly secrets: { readonly assistantAtMusic: string; readonly musicAtAssistant: string }
  /** The demo user's password (user name `alice`). */
  readonly password: string
  /** Outbound fetch (the demo traces it). */
  readonly fetch?: typeof fetch
}

const brand: Brand = { name: 'Music service', icon: '♫', accent: '#7c3aed' }
const TRACK = { title: 'So What', artist: 'Miles Davis' }

export function createMusicService(config: MusicServiceConfig) {
  const { origin, assistantOrigin } = config
  const outbound = config.fetch ?? fetch
  const storage = new MemoryStorage()
  const sessions = new Sessions<{ user: string }>('music_session')
  const pendingRequests = new Map<string, ValidAuthorizationRequest>()
  const clients = staticClients([
    {
      clientId: 'assistant',
      tokenEndpointAuthMethod: 'client_secret_basic',
      clientSecret: config.secrets.assistantAtMusic,
      redirectUris: [`${assistantOrigin}/callback`],
      scope: Object.keys(MUSIC_SCOPES).join(' '),
    },
  ])
  const reciprocalScope = Object.keys(RECIPROCAL_REQUEST).join(' ')

  const authorizationServer = createAuthorizationServer({
    issuer: origin,
    tokenEndpoint: `${origin}/token`,
    authorizationEndpoint: `${origin}/authorize`,
    revocationEndpoint: `${origin}/revoke`,
    clients,
    storage,
    // Draft step D: the token response asks the assistant for access back.
    reciprocalScope: ({ clientId }) => (clientId === 'assistant' ? reciprocalScope : undefined),
  })

  // Party B checks the assistant's access token with its own authorization server, and registers
  // the reciprocal grant there: draft step E lands on that same token endpoint.
  const partyB = createPartyB({
    authorizationServer,
    errorProfile: 'google',
    peers: {
      assistant: {
        as: { issuer: assistantOrigin, token_endpoint: `${assistantOrigin}/token`, revocation_endpoint: `${assistantOrigin}/revoke` },
        client: { client_id: 'music' },
        clientAuth: ClientSecretBasic(config.secrets.musicAtAssistant),
        fetch: outbound,
        // The demo runs on loopback http; production peers are https only.
        allowInsecureRequests: true,
      },
    },
    storage,
  })

  /** Calls the assistant's API on the user's behalf with the reciprocal token (draft step G's result). */
  async function callAssistant(user: string, path: '/api/display' | '/api/announce', text: string) {
    try {
      const token = await partyB.accessToken('assistant', user)
      const response = await outbound(`${assistantOrigin}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
        body: text,
      })
      const challenge = response.headers.get('www-authenticate') ?? ''
      return { status: response.status, error: /error="([^"]+)"/.exec(challenge)?.[1] ?? null }
    } catch (err) {
      // No reciprocal link for this user (or its tokens are dead): say which typed error it was.
      if (err instanceof ReciprocalError) return { status: 0, error: err.code }
      throw err
    }
  }

  async function protectedApi(request: Request, scope: string) {
    const check = await authorizationServer.authenticateRequest(request, scope)
    return check.ok ? { ok: true as const, token: check.token } : { ok: false as const, response: toResponse(check.result) }
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const route = `${request.method} ${url.pathname}`
    const session = sessions.read(request)?.data
    switch (route) {
      case 'GET /':
        return home(session?.user)
      case 'GET /login':
        return loginPage(url.searchParams.get('next') ?? '/')
      case 'POST /login': {
        const form = await request.formData()
        const next = String(form.get('next') ?? '/')
        if (form.get('username') !== 'alice' || form.get('password') !== config.password) {
          return loginPage(next, 'Wrong user name or password.')
        }
        // Only ever continue to a page of this service.
        const target = next.startsWith('/') && !next.startsWith('//') ? next : '/'
        return seeOther(target, sessions.create({ user: 'alice' }).cookie)
      }
      case 'GET /authorize': {
        const check = await authorizationServer.authorization.validate(url)
        if (!check.ok) {
          if (check.redirectTo) return seeOther(check.redirectTo)
          return page(brand, 'This link request is not valid', html`<section><p class="no">${check.error.error}</p><p>${check.error.description ?? ''}</p></section>`)
        }
        if (session === undefined) return seeOther(`/login?next=${encodeURIComponent(url.pathname + url.search)}`)
        const id = crypto.randomUUID()
        pendingRequests.set(id, check.request)
        return consentPage(id, check.request)
      }
      case 'POST /authorize/decision': {
        const form = await request.formData()
        const id = String(form.get('request') ?? '')
        const pending = pendingRequests.get(id)
        pendingRequests.delete(id)
        if (session === undefined || pending === undefined) return page(brand, 'This request expired', html`<section><p>Start again from the assistant.</p></section>`)
        if (form.get('decision') !== 'approve') return seeOther(await authorizationServer.authorization.deny(pending))
        // Draft step B: the authorization response (code, state, iss) goes back to the assistant.
        return seeOther(await authorizationServer.authorization.approve(pending, { subject: session.user }))
      }
      case 'GET /api/now-playing': {
        const auth = await protectedApi(request, 'music.read')
        return auth.ok ? Response.json({ user: auth.token.subject, ...TRACK }) : auth.response
      }
      case 'POST /api/play': {
        const auth = await protectedApi(request, 'music.play')
        return auth.ok ? Response.json({ user: auth.token.subject, playing: true, ...TRACK }) : auth.response
      }
      case 'POST /api/share-now-playing': {
        // The assistant asks us to push what is playing to it: we call its API with the token the
        // reciprocal grant gave us, for the user its own token is about.
        const auth = await protectedApi(request, 'music.read')
        if (!auth.ok) return auth.response
        const user = auth.token.subject
        const text = `${TRACK.title} by ${TRACK.artist}`
        const [display, announce] = await Promise.all([
          callAssistant(user, '/api/display', text),
          callAssistant(user, '/api/announce', `Now playing: ${text}`),
        ])
        return Response.json({ display, announce })
      }
      default:
        return new Response('Not found', { status: 404 })
    }
  }

  async function home(user: string | undefined): Promise<Response> {
    if (user === undefined) {
      return page(brand, 'Welcome', html`<section><p>Log in to see your music.</p><form method="get" action="/login"><button>Log in</button></form></section>`)
    }
    const link = await partyB.getLink('assistant', user)
    return page(
      brand,
      `Hello, ${user}`,
      html`<section id="assistant-link"><h2>Voice assistant</h2><p>${
        link?.status === 'linked'
          ? html`<span class="ok">Linked</span> — we may: <code>${link.tokens.scope ?? ''}</code>`
          : html`<span class="muted">${link?.status ?? 'not linked'}</span>`
      }</p></section>`,
    )
  }

  function loginPage(next: string, problem?: string): Response {
    return page(
      brand,
      'Log in to Music service',
      html`<section>
${problem ? html`<p class="no">${problem}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="next" value="${next}">
<label>User name <input type="text" name="username" value="alice" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button id="login">Log in</button>
</form>
<p class="muted">Demo account: <code>alice</code> / <code>${config.password}</code></p>
</section>`,
    )
  }

  function consentPage(id: string, pending: ValidAuthorizationRequest): Response {
    const scopes = pending.scope.split(' ') as Array<keyof typeof MUSIC_SCOPES>
    return page(
      brand,
      'Link Voice assistant?',
      html`<section>
<p>Voice assistant wants to:</p>
<ul class="scopes">${scopes.map((s) => html`<li>${MUSIC_SCOPES[s] ?? s} <code>${s}</code></li>`)}</ul>
<form method="post" action="/authorize/decision">
<input type="hidden" name="request" value="${id}">
<button id="approve" name="decision" value="approve">Allow</button>
<button id="deny" class="secondary" name="decision" value="deny">Cancel</button>
</form>
</section>`,
      html`<ol>
<li><b>Step A</b> — the assistant sent you here with an authorization request: PKCE S256 challenge, <code>state</code>, <code>scope=${pending.scope}</code>.</li>
<li>Next, <b>step B</b>: on "Allow" we redirect you back with a one-time code, your <code>state</code> and our <code>iss</code> (RFC 9207).</li>
</ol>`,
    )
  }

  // Its token endpoint (where the reciprocal POST lands too) and revocation endpoint are mounted
  // through their lower door (listen.ts), not routed through \`handle\`.
  const endpoints = { '/token': authorizationServer.tokenEndpoint, '/revoke': authorizationServer.revocationEndpoint }
  return { fetch: handle, endpoints, partyB, authorizationServer }
}

export type MusicService = ReturnType<typeof createMusicService>
