// The SDK objects of both parties, framework-free: each integration example (hono, express,
// fastify, cloudflare-worker, deno, bun) mounts their routes in its framework. A voice assistant
// (party A) links to a music service (party B); the music service asks for access back.
import {
  ClientSecretBasic,
  MemoryStorage,
  createAuthorizationServer,
  createPartyA,
  createPartyB,
  staticClients,
  type RedemptionMode,
  type Storage,
} from 'reciprocal-oauth'

/** Where each service is reached, e.g. `https://assistant.example` (no trailing slash). */
export interface Origins {
  readonly assistant: string
  readonly music: string
}

/** What both services need from their host. */
export interface PartyOptions {
  readonly origins: Origins
  /** The client secrets the two services exchanged when they registered with each other. */
  readonly secrets: { readonly assistantAtMusic: string; readonly musicAtAssistant: string }
  /** Default `new MemoryStorage()` (one process); several instances need a shared store. */
  readonly storage?: Storage
  /** The calls to the peer. Default: the global `fetch`. */
  readonly fetch?: typeof fetch
  /** Party B: redeem the reciprocal code before answering A (default), or after, in `waitUntil`. */
  readonly redemption?: RedemptionMode
}

/** What the music service asks of the assistant, and what the assistant offers at most (SPEC R1.3). */
export const RECIPROCAL_SCOPE = 'assistant.announce'
/** What the assistant asks of the music service. */
export const MUSIC_SCOPE = 'music.read'

// Loopback http is for the tests only: production peers are https.
const insecure = (origin: string) => origin.startsWith('http://127.0.0.1') || origin.startsWith('http://localhost')

/** Party A: the voice assistant, an OAuth client of the music service and the authorization server of the reverse grant. */
export function createAssistant(options: PartyOptions) {
  const { assistant, music } = options.origins
  const storage = options.storage ?? new MemoryStorage()
  const authorizationServer = createAuthorizationServer({
    issuer: assistant,
    tokenEndpoint: `${assistant}/token`,
    revocationEndpoint: `${assistant}/revoke`,
    clients: staticClients([
      { clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: options.secrets.musicAtAssistant, scope: RECIPROCAL_SCOPE },
    ]),
    storage,
  })
  const partyA = createPartyA({
    peers: {
      music: {
        peer: {
          as: {
            issuer: music,
            authorization_endpoint: `${music}/authorize`,
            token_endpoint: `${music}/token`,
            revocation_endpoint: `${music}/revoke`,
            authorization_response_iss_parameter_supported: true,
          },
          client: { client_id: 'assistant' },
          clientAuth: ClientSecretBasic(options.secrets.assistantAtMusic),
          ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
          allowInsecureRequests: insecure(music),
        },
        redirectUri: `${assistant}/callback`,
        scope: MUSIC_SCOPE,
        reciprocal: { peerClientId: 'music', offer: RECIPROCAL_SCOPE },
      },
    },
    authorizationServer,
    storage,
  })
  return { partyA, authorizationServer }
}

/** Party B: the music service, the authorization server of the initial flow, which asks for access back. */
export function createMusic(options: PartyOptions) {
  const { assistant, music } = options.origins
  const storage = options.storage ?? new MemoryStorage()
  const authorizationServer = createAuthorizationServer({
    issuer: music,
    authorizationEndpoint: `${music}/authorize`,
    tokenEndpoint: `${music}/token`,
    revocationEndpoint: `${music}/revoke`,
    clients: staticClients([
      {
        clientId: 'assistant',
        tokenEndpointAuthMethod: 'client_secret_basic',
        clientSecret: options.secrets.assistantAtMusic,
        redirectUris: [`${assistant}/callback`],
        scope: MUSIC_SCOPE,
      },
    ]),
    storage,
    // Draft step D: every token response to the assistant asks for access back.
    reciprocalScope: ({ clientId }) => (clientId === 'assistant' ? RECIPROCAL_SCOPE : undefined),
  })
  // Registers the reciprocal grant at the token endpoint above: step E lands there.
  const partyB = createPartyB({
    authorizationServer,
    peers: {
      assistant: {
        as: { issuer: assistant, token_endpoint: `${assistant}/token`, revocation_endpoint: `${assistant}/revoke` },
        client: { client_id: 'music' },
        clientAuth: ClientSecretBasic(options.secrets.musicAtAssistant),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        allowInsecureRequests: insecure(assistant),
      },
    },
    storage,
    ...(options.redemption === undefined ? {} : { redemption: options.redemption }),
  })
  return { partyB, authorizationServer }
}

export type Assistant = ReturnType<typeof createAssistant>
export type Music = ReturnType<typeof createMusic>
