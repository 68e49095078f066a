// The voice assistant: party A. It links to the music service with one OAuth flow, asks the user
// whether the music service may have access back (the reciprocal consent), and runs the
// authorization server the music service redeems that grant at. Everything protocol-related
// comes from the SDK's public API.
import {
  ClientSecretBasic,
  MemoryStorage,
  ReciprocalError,
  createAuthorizationServer,
  createPartyA,
  staticClients,
  type PartyAState,
  type SerializedError,
} from 'reciprocal-oauth'
import { readRawRequest, toResponse } from 'reciprocal-oauth/server'
import { html, page, type Brand, type Html } from './html.js'
import { MUSIC_SCOPES, RECIPROCAL_REQUEST } from './music-service.js'
import { seeOther } from './sessions.js'

/** What the assistant offers the music service at most (SPEC R1.3). */
export const ASSISTANT_SCOPES = RECIPROCAL_REQUEST

export interface VoiceAssistantConfig {
  readonly origin: string
  readonly musicOrigin: string
  readonly secrets: { readonly assistantAtMusic: string; readonly musicAtAssistant: string }
  readonly fetch?: typeof fetch
}

const brand: Brand = { name: 'Voice assistant', icon: '◉', accent: '#0b6bcb' }
const USER = 'alice'

export interface Screen {
  readonly text: string
  readonly from: string
}

export function createVoiceAssistant(config: VoiceAssistantConfig) {
  const { origin, musicOrigin } = config
  const outbound = config.fetch ?? fetch
  const storage = new MemoryStorage()
  // A single-user device: whoever opens it is alice, and it remembers her one link.
  let linkId: string | undefined
  const screen: Screen[] = []
  const spoken: Screen[] = []
  const offer = Object.keys(ASSISTANT_SCOPES).join(' ')

  const authorizationServer = createAuthorizationServer({
    issuer: origin,
    tokenEndpoint: `${origin}/token`,
    revocationEndpoint: `${origin}/revoke`,
    clients: staticClients([
      { clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: config.secrets.musicAtAssistant, scope: offer },
    ]),
    storage,
  })

  // One party A can link to many services; this device knows one, the music service.
  const partyA = createPartyA({
    peers: {
      music: {
        peer: {
          as: {
            issuer: musicOrigin,
            authorization_endpoint: `${musicOrigin}/authorize`,
            token_endpoint: `${musicOrigin}/token`,
            revocation_endpoint: `${musicOrigin}/revoke`,
            authorization_response_iss_parameter_supported: true,
          },
          client: { client_id: 'assistant' },
          clientAuth: ClientSecretBasic(config.secrets.assistantAtMusic),
          fetch: outbound,
          // The demo runs on loopback http; production peers are https only.
          allowInsecureRequests: true,
        },
        redirectUri: `${origin}/callback`,
        scope: Object.keys(MUSIC_SCOPES).join(' '),
        reciprocal: { peerClientId: 'music', offer },
      },
    },
    authorizationServer,
    storage,
  })

  /** The assistant's own API, called by the music service with its reciprocal token. */
  async function receive(request: Request, scope: string, into: Screen[]): Promise<Response> {
    const raw = await readRawRequest(request)
    if (raw === 'too-large') return new Response(null, { status: 413 })
    const check = await authorizationServer.authenticateRequest(raw, scope)
    if (!check.ok) return toResponse(check.result)
    into.push({ text: new TextDecoder().decode(raw.body as Uint8Array).slice(0, 200), from: check.token.clientId })
    return Response.json({ ok: true })
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const route = `${request.method} ${url.pathname}`
    switch (route) {
      case 'GET /':
        return home()
      case 'POST /link': {
        // Draft step A: send the user to the music service's authorization endpoint.
        const started = await partyA.startLink('music', USER)
        linkId = started.linkId
        return seeOther(started.url.href)
      }
      case 'GET /callback': {
        // Draft steps B–D: validate the authorization response, exchange the code, read `reciprocal`.
        try {
          const state = await partyA.handleCallback(url, USER)
          if (state.status === 'awaiting-consent') return seeOther('/consent')
          return seeOther('/')
        } catch (err) {
          if (err instanceof ReciprocalError) return failure('The link could not be completed', err.toJSON())
          throw err
        }
      }
      case 'GET /consent': {
        const state = await currentLink()
        if (state?.status !== 'awaiting-consent') return seeOther('/')
        return consentPage(state)
      }
      case 'POST /consent': {
        if (linkId === undefined) return seeOther('/')
        const form = await request.formData()
        const scope = form.getAll('scope').map(String).join(' ')
        // Draft step E (and F–G at the music service) happen inside consent().
        await partyA.consent(linkId, form.get('decision') === 'allow' && scope !== '' ? { scope } : 'refuse')
        return seeOther('/')
      }
      case 'POST /retry':
        // A failed delivery (the music service was down, say): mint a fresh code and send it again.
        if (linkId !== undefined && (await currentLink())?.status === 'delivery-failed') await partyA.resume(linkId)
        return seeOther('/')
      case 'POST /voice': {
        // "By voice": the user changes what the music service may do (the draft's update flow).
        if (linkId === undefined) return seeOther('/')
        const utterance = String((await request.formData()).get('utterance') ?? '')
        await applyUtterance(linkId, utterance)
        return seeOther('/')
      }
      case 'POST /api/display':
        return receive(request, 'assistant.display', screen)
      case 'POST /api/announce':
        return receive(request, 'assistant.announce', spoken)
      default:
        return new Response('Not found', { status: 404 })
    }
  }

  /** Understands "stop announcing songs" and friends: removes or adds one scope. */
  async function applyUtterance(linkId: string, utterance: string): Promise<void> {
    const state = await partyA.getLink(linkId)
    if (state?.status !== 'reciprocal-granted') return
    const said = utterance.toLowerCase()
    const target = said.includes('announc') ? 'assistant.announce' : said.includes('show') || said.includes('display') ? 'assistant.display' : undefined
    if (target === undefined) return
    const stop = /\b(stop|don't|do not|no more|never)\b/.test(said)
    const next = stop ? state.granted.scope.filter((s) => s !== target) : [...new Set([...state.granted.scope, target])]
    if (next.length === 0) await partyA.unlink(linkId)
    else await partyA.updateReciprocalScope(linkId, next.join(' '))
  }

  /** The state of the device's link with the music service. */
  async function currentLink(): Promise<PartyAState | undefined> {
    return linkId === undefined ? undefined : partyA.getLink(linkId)
  }

  async function home(): Promise<Response> {
    const state = await currentLink()
    if (state === undefined || state.status === 'awaiting-callback' || state.status === 'unlinked') {
      return page(
        brand,
        `Hi ${USER}`,
        html`<section><p>Your assistant can play music and tell you what is playing once it is linked to your music service.</p>
<form method="post" action="/link"><button id="link">Link your music service</button></form></section>`,
        state?.status === 'unlinked' ? html`<p>The link was removed; both sides revoked their tokens (draft §3).</p>` : undefined,
      )
    }
    if (!('peerTokens' in state)) return failure('The link failed', state.error)
    return statusPage(state)
  }

  async function statusPage(state: Extract<PartyAState, { peerTokens: unknown }>): Promise<Response> {
    // Assistant → music: call the music service's API with the token from the initial flow.
    const token = await partyA.accessToken(state.linkId)
    const auth = { authorization: `Bearer ${token}` }
    const nowPlaying = (await (await outbound(`${musicOrigin}/api/now-playing`, { headers: auth })).json()) as { title?: string; artist?: string }
    // Music → assistant: ask the music service to push to us; it calls our API with its token.
    const pushed = state.status === 'reciprocal-granted'
      ? ((await (await outbound(`${musicOrigin}/api/share-now-playing`, { method: 'POST', headers: auth })).json()) as Record<'display' | 'announce', { status: number; error: string | null }>)
      : undefined
    const granted = state.status === 'reciprocal-granted' ? state.granted.scope : []
    const row = (scope: 'assistant.display' | 'assistant.announce', result: { status: number; error: string | null } | undefined): Html =>
      html`<li id="${scope.replace('.', '-')}">${ASSISTANT_SCOPES[scope]} <code>${scope}</code>: ${
        result === undefined
          ? html`<span class="muted">not linked</span>`
          : result.status === 200
            ? html`<span class="ok">allowed — the music service just called it</span>`
            : html`<span class="no">refused (${result.status} ${result.error ?? ''})</span>`
      }</li>`
    const both = state.status === 'reciprocal-granted'
    return page(
      brand,
      both ? 'Linked both ways' : 'Linked one way',
      html`<section id="to-music"><h2>Assistant → Music service</h2>
<p><span class="ok">Linked</span> with <code>${state.peerTokens.scope ?? ''}</code>. Now playing (read with our token): <b id="now-playing">${nowPlaying.title ?? '?'}</b> by ${nowPlaying.artist ?? '?'}</p></section>
<section id="from-music"><h2>Music service → Assistant</h2>
<p>${
        state.status === 'reciprocal-granted'
          ? html`<span class="ok">Granted</span> (version ${state.granted.version}): <span id="granted">${granted.join(' ')}</span>`
          : state.status === 'delivery-failed'
            ? html`<span class="no" id="granted">Not delivered: ${state.error.code} (step: ${state.error.step})</span> — ${state.error.hint}
<form method="post" action="/retry"><button id="retry">Send a new code</button></form>`
            : html`<span class="muted" id="granted">${state.status === 'one-way' ? 'You did not give the music service access.' : state.status}</span>`
      }</p>
<ul class="scopes">${row('assistant.display', pushed?.display)}${row('assistant.announce', pushed?.announce)}</ul>
${screen.length > 0 ? html`<p class="muted">On screen: ${screen.at(-1)?.text ?? ''}</p>` : ''}
</section>
${state.status === 'reciprocal-granted' ? html`<section><h2>Say something</h2>
<form method="post" action="/voice"><label>“<input type="text" name="utterance" value="Stop announcing songs">”</label><button id="say">Say it</button></form>
<p class="muted">Changing what the music service may do sends it a new code; its old token is revoked (draft §3).</p></section>` : ''}`,
      both
        ? html`<ol>
<li><b>A–D</b>: one OAuth flow; the music service's token response carried <code>reciprocal</code>.</li>
<li><b>E</b>: after your consent we minted a one-time code and POSTed it to the music service's token endpoint with our access token.</li>
<li><b>F–G</b>: the music service exchanged it at our token endpoint. No redirect for you.</li>
</ol>`
        : html`<ol>
<li><b>A–D</b>: one OAuth flow; the music service's token response carried <code>reciprocal</code>.</li>
<li>${
            state.status === 'delivery-failed'
              ? html`<b>E</b> failed: the music service did not accept the code we POSTed; unused, it expires in a minute. A retry sends a new one.`
              : html`No reciprocal grant (${state.status}): no code was minted, so the music service has no access to the assistant.`
          }</li>
</ol>`,
    )
  }

  function consentPage(state: Extract<PartyAState, { status: 'awaiting-consent' }>): Response {
    return page(
      brand,
      'Let Music service show what is playing on your assistant?',
      html`<section><p>The music service asked for access back. Choose what it may do:</p>
<form method="post" action="/consent">
${state.offered.map((scope) => html`<label><input type="checkbox" name="scope" value="${scope}" checked> ${ASSISTANT_SCOPES[scope as keyof typeof ASSISTANT_SCOPES] ?? scope} <code>${scope}</code></label>`)}
<p><button id="allow" name="decision" value="allow">Allow</button><button id="refuse" class="secondary" name="decision" value="refuse">Don't allow</button></p>
</form></section>`,
      html`<ol>
<li><b>Steps A–B</b> done: you logged in at the music service and allowed the assistant.</li>
<li><b>Steps C–D</b> done: we exchanged the code; the token response asked for <code>reciprocal=${state.requested.join(' ')}</code>.</li>
<li>Next, <b>step E</b>: on "Allow" we mint a code for exactly what you tick and POST it to the music service — no redirect.</li>
</ol>`,
    )
  }

  function failure(title: string, error: SerializedError): Response {
    // Typed errors say what failed and what to do; never a secret (SPEC R8.1, R8.4).
    return page(
      brand,
      title,
      html`<section><p class="no">${error.code} (step: ${error.step})</p><p>${error.hint}</p>
<form method="post" action="/link"><button id="link">Try again</button></form></section>`,
    )
  }

  // Its token endpoint (where the music service redeems the reciprocal code) and revocation
  // endpoint are mounted through their lower door (listen.ts), not routed through \`handle\`.
  const endpoints = { '/token': authorizationServer.tokenEndpoint, '/revoke': authorizationServer.revocationEndpoint }
  return { fetch: handle, endpoints, partyA, authorizationServer, currentLink, screen, spoken }
}

export type VoiceAssistant = ReturnType<typeof createVoiceAssistant>
