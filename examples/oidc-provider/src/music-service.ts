// A music service whose authorization server is node-oidc-provider, made party B of Reciprocal
// OAuth by one call: `addReciprocalGrant`. Everything else is an ordinary oidc-provider setup; the
// lines the integration adds are marked "Reciprocal OAuth".
import { ClientSecretBasic, type PeerConfig } from 'reciprocal-oauth'
import { addReciprocalGrant, type OidcProviderPartyB } from 'reciprocal-oauth/oidc-provider'
import { GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import type { IncomingMessage, ServerResponse } from 'node:http'
import Provider, { type Configuration } from 'oidc-provider'

export const MUSIC_API = 'urn:example:music-api'
export const MUSIC_SCOPE = 'music.read music.play'

export interface MusicServiceOptions {
  /** The music service's issuer: the origin it is served at. */
  readonly issuer: string
  /** The voice assistant (party A): its client at the music service, and the music service's client at it. */
  readonly assistant: {
    readonly clientId: string
    readonly clientSecret: string
    readonly redirectUri: string
    /** The assistant's authorization server: where the music service redeems the reciprocal code. */
    readonly as: PeerConfig['as']
    /** The music service's client id and secret at the assistant. */
    readonly musicClientId: string
    readonly musicClientSecret: string
  }
  /** Loopback `http` in the demo and tests; never in production. */
  readonly allowInsecureRequests?: boolean
  /** Access token lifetime at the music service, seconds (oidc-provider's `ttl.AccessToken`). */
  readonly accessTokenTtlSeconds?: number
}

export interface MusicService {
  readonly provider: Provider
  /** Party B's operations: the user's link with the assistant, a token to call it, unlinking. */
  readonly reciprocal: OidcProviderPartyB
  /** The Node `http` listener: the music API, then oidc-provider. */
  readonly listener: (request: IncomingMessage, response: ServerResponse) => void
}

export function createMusicService(options: MusicServiceOptions): MusicService {
  const { assistant } = options
  const configuration: Configuration = {
    clients: [
      {
        client_id: assistant.clientId,
        client_secret: assistant.clientSecret,
        redirect_uris: [assistant.redirectUri],
        // Reciprocal OAuth: the assistant may use the reciprocal grant at the token endpoint.
        grant_types: ['authorization_code', 'refresh_token', GRANT_TYPE_RECIPROCAL],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    scopes: MUSIC_SCOPE.split(' '),
    pkce: { required: () => true },
    // A real service looks its users up; the demo's users are whoever logs in.
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: { AccessToken: options.accessTokenTtlSeconds ?? 3600, Grant: 14 * 24 * 3600, RefreshToken: 14 * 24 * 3600 },
    features: {
      // oidc-provider's development login and consent pages; a real service has its own.
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => MUSIC_API,
        useGrantedResource: () => true,
        // Opaque access tokens: the reciprocal grant finds them in oidc-provider's store.
        getResourceServerInfo: () => ({ scope: MUSIC_SCOPE, accessTokenFormat: 'opaque' }),
      },
    },
  }
  const provider = new Provider(options.issuer, configuration)

  // Reciprocal OAuth: the grant, the check of the assistant's token, `reciprocal` in token responses.
  const reciprocal = addReciprocalGrant(provider, {
    peers: {
      [assistant.clientId]: {
        as: assistant.as,
        client: { client_id: assistant.musicClientId },
        clientAuth: ClientSecretBasic(assistant.musicClientSecret),
        ...(options.allowInsecureRequests === true ? { allowInsecureRequests: true } : {}),
      },
    },
    reciprocalScope: 'assistant.announce',
    requiredScope: 'music.read',
  })

  const callback = provider.callback()
  return {
    provider,
    reciprocal,
    listener: (request, response) => {
      if (request.url === '/api/now-playing') void nowPlaying(provider, request, response)
      else callback(request, response)
    },
  }
}

/** The music API: honours the access tokens oidc-provider issued (its own store). */
async function nowPlaying(provider: Provider, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1]
  const token = bearer === undefined ? undefined : await provider.AccessToken.find(bearer)
  if (token === undefined || token.isExpired || !token.scopes.has('music.read')) {
    response.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end()
    return
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ user: token.accountId, track: 'Bolero' }))
}
