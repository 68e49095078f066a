// The two services of the benchmarks, built from the package's public entries (the built `dist/`),
// as an application would: party A (a voice assistant) and party B (a music service).
import { ClientSecretBasic, createAuthorizationServer, staticClients } from 'reciprocal-oauth'
import { nodeFetch } from 'reciprocal-oauth/node'
import { ASSISTANT_OFFER, CALLBACK, MUSIC_SCOPE, SECRETS, basic, json } from './fixtures.mjs'

/** B's authorization server for the initial flow: A ("assistant") is its client. */
export function musicServer(origin, options = {}) {
  return createAuthorizationServer({
    issuer: origin,
    tokenEndpoint: `${origin}/token`,
    authorizationEndpoint: `${origin}/authorize`,
    clients: staticClients([
      {
        clientId: 'assistant',
        tokenEndpointAuthMethod: 'client_secret_basic',
        clientSecret: SECRETS.assistantAtMusic,
        redirectUris: [options.callback ?? CALLBACK],
        scope: MUSIC_SCOPE,
      },
    ]),
    ...options.extra,
  })
}

/** A's authorization server for the reciprocal leg: B ("music") is its client. */
export function assistantServer(origin, extra = {}) {
  return createAuthorizationServer({
    issuer: origin,
    tokenEndpoint: `${origin}/token`,
    clients: staticClients([
      { clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRETS.musicAtAssistant, scope: ASSISTANT_OFFER },
    ]),
    ...extra,
  })
}

/** How party B reaches A's token endpoint to redeem: through `nodeFetch`, as README shows for Node. */
export function assistantPeer(origin) {
  return {
    as: { issuer: origin, token_endpoint: `${origin}/token` },
    client: { client_id: 'music' },
    clientAuth: ClientSecretBasic(SECRETS.musicAtAssistant),
    allowInsecureRequests: true,
    fetch: nodeFetch,
  }
}

/** An access token B's server issued to A for `subject`: a code minted and redeemed in-process. */
export async function issueMusicToken(musicAs, origin, subject) {
  const { code } = await musicAs.mintCode({ clientId: 'assistant', subject, scope: MUSIC_SCOPE, redirectUri: CALLBACK })
  const result = await musicAs.tokenEndpoint.handle({
    method: 'POST',
    url: `${origin}/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('assistant', SECRETS.assistantAtMusic) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK }).toString(),
  })
  const token = json(result.body)?.access_token
  if (typeof token !== 'string') throw new Error(`B's token endpoint answered ${result.status}`)
  return token
}

/** `count` reciprocal codes minted at A for B, spread over `users` users. */
export async function mintReciprocalCodes(assistantAs, count, users = 256) {
  const codes = []
  for (let i = 0; i < count; i++) {
    codes.push((await assistantAs.mintCode({ clientId: 'music', subject: `user-${i % users}`, scope: ASSISTANT_OFFER })).code)
  }
  return codes
}
