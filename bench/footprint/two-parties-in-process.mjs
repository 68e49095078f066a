// Party A (an assistant) and party B (a music service) in one process, built from the package's
// public entries (dist/), talking through an injected `fetch` that hands each Request straight
// to the other side's handler: every protocol step runs, no socket is opened.
import { ClientSecretBasic, createAuthorizationServer, createPartyA, createPartyB, MemoryStorage, staticClients, systemRuntime } from 'reciprocal-oauth'

const A = 'https://assistant.example'
const B = 'https://music.example'
const SECRET_A_AT_B = 'assistant-secret-at-music-0123456789'
const SECRET_B_AT_A = 'music-secret-at-assistant-9876543210'
const OFFER = 'assistant.announce assistant.read'
const MUSIC_SCOPE = 'music.play music.read'

/** Both parties, their authorization servers and storages, wired in process. */
export function twoPartiesInProcess() {
  const runtime = systemRuntime
  const storageA = new MemoryStorage({ now: runtime.now })
  const storageB = new MemoryStorage({ now: runtime.now })

  // Routes a request by origin and path to the handler the other side would mount.
  const handlers = new Map()
  const inProcessFetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init)
    const url = new URL(request.url)
    const handler = handlers.get(`${url.origin}${url.pathname}`)
    return handler ? handler(request) : new Response('not found', { status: 404 })
  }
  const transport = { fetch: inProcessFetch, timeoutMs: 5_000 }

  const assistantAs = createAuthorizationServer({
    issuer: A,
    tokenEndpoint: `${A}/token`,
    revocationEndpoint: `${A}/revoke`,
    clients: staticClients([{ clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRET_B_AT_A, scope: OFFER }]),
    storage: storageA,
    runtime,
  })
  const musicAs = createAuthorizationServer({
    issuer: B,
    tokenEndpoint: `${B}/token`,
    authorizationEndpoint: `${B}/authorize`,
    revocationEndpoint: `${B}/revoke`,
    clients: staticClients([
      { clientId: 'assistant', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRET_A_AT_B, redirectUris: [`${A}/callback`], scope: MUSIC_SCOPE },
    ]),
    storage: storageB,
    runtime,
    // B asks for access back in its token response (draft step C).
    reciprocalScope: () => OFFER,
  })
  const partyB = createPartyB({
    authorizationServer: musicAs,
    peers: {
      assistant: {
        as: { issuer: A, token_endpoint: `${A}/token`, revocation_endpoint: `${A}/revoke` },
        client: { client_id: 'music' },
        clientAuth: ClientSecretBasic(SECRET_B_AT_A),
        ...transport,
      },
    },
    storage: storageB,
    runtime,
  })
  const partyA = createPartyA({
    peers: {
      music: {
        peer: {
          as: {
            issuer: B,
            authorization_endpoint: `${B}/authorize`,
            token_endpoint: `${B}/token`,
            revocation_endpoint: `${B}/revoke`,
            authorization_response_iss_parameter_supported: true,
          },
          client: { client_id: 'assistant' },
          clientAuth: ClientSecretBasic(SECRET_A_AT_B),
          ...transport,
        },
        redirectUri: `${A}/callback`,
        scope: MUSIC_SCOPE,
        reciprocal: { peerClientId: 'music', offer: OFFER },
      },
    },
    authorizationServer: assistantAs,
    storage: storageA,
    runtime,
  })

  handlers.set(`${A}/token`, (request) => assistantAs.tokenEndpoint.fetch(request))
  handlers.set(`${A}/revoke`, (request) => assistantAs.revocationEndpoint.fetch(request))
  handlers.set(`${B}/token`, (request) => musicAs.tokenEndpoint.fetch(request))
  handlers.set(`${B}/revoke`, (request) => musicAs.revocationEndpoint.fetch(request))

  /**
   * One user links (draft steps A–G): A starts the flow, the user approves at B's authorization
   * endpoint (B's login UI is played here, signing the user in as `userAtB`), A redeems the code
   * at B, the user consents at A (to `scope`, all that B asked by default), A delivers the
   * reciprocal code to B, B redeems it at A.
   */
  async function link(userAtA, userAtB, scope = OFFER) {
    const { linkId, url } = await partyA.startLink('music', userAtA)
    const check = await musicAs.authorization.validate(url)
    if (!check.ok) throw new Error(`authorization request refused: ${JSON.stringify(check.error)}`)
    const callback = await musicAs.authorization.approve(check.request, { subject: userAtB })
    const awaiting = await partyA.handleCallback(callback, userAtA)
    if (awaiting.status !== 'awaiting-consent') throw new Error(`after the callback: ${awaiting.status}`)
    const granted = await partyA.consent(linkId, { scope })
    if (granted.status !== 'reciprocal-granted') throw new Error(`after consent: ${granted.status}`)
    return linkId
  }

  return { partyA, partyB, assistantAs, musicAs, storageA, storageB, link }
}
