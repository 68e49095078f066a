// Interoperability with a client library nobody here wrote: party B redeems A's reciprocal code,
// refreshes and revokes with simple-oauth2 (hapi's OAuth 2.0 client) against the SDK's
// authorization server — client_secret_basic with RFC 6749 §2.3.1 form-encoded credentials, and
// client_secret_post.
import { type AuthorizationServer, createAuthorizationServer, staticClients } from 'reciprocal-oauth'
import { AuthorizationCode } from 'simple-oauth2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serve, type Served } from '../helpers/serve.js'

// Characters that RFC 6749 §2.3.1 form-encoding must carry through HTTP Basic intact.
const BASIC_SECRET = 'music:secret+with%special/chars=0123456789'
const POST_SECRET = 'radio-secret-0123456789abcdef'

let a: Served
let as: AuthorizationServer

beforeAll(async () => {
  a = await serve()
  as = createAuthorizationServer({
    issuer: a.url,
    tokenEndpoint: `${a.url}/token`,
    revocationEndpoint: `${a.url}/revoke`,
    clients: staticClients([
      { clientId: 'music service', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: BASIC_SECRET, scope: 'assistant.announce assistant.display' },
      { clientId: 'radio', tokenEndpointAuthMethod: 'client_secret_post', clientSecret: POST_SECRET, scope: 'assistant.display' },
    ]),
  })
  a.use(async (request) => {
    const { pathname } = new URL(request.url)
    if (pathname === '/token') return as.tokenEndpoint.fetch(request)
    if (pathname === '/revoke') return as.revocationEndpoint.fetch(request)
    return new Response('not found', { status: 404 })
  })
})

afterAll(() => a.close())

function client(id: string, secret: string, method: 'header' | 'body') {
  return new AuthorizationCode({
    client: { id, secret },
    auth: { tokenHost: a.url, tokenPath: '/token', revokePath: '/revoke' },
    options: { authorizationMethod: method, credentialsEncodingMode: 'strict' },
  })
}

describe('interoperability: party B as a simple-oauth2 client of the SDK (SPEC R4.1, R4.2, R5.2)', () => {
  it('client_secret_basic with form-encoded id and secret: redeem the reciprocal code, refresh, revoke', async () => {
    const { code } = await as.mintCode({ clientId: 'music service', subject: 'alice', scope: 'assistant.announce', supersede: true })
    const music = client('music service', BASIC_SECRET, 'header')
    // No redirect in the reciprocal leg, so no redirect_uri (SPEC R4.1).
    const token = await music.getToken({ code } as Parameters<typeof music.getToken>[0])
    expect(token.token).toMatchObject({ token_type: 'Bearer', scope: 'assistant.announce', expires_in: 3600 })
    const first = String(token.token['access_token'])
    expect(await as.verifyAccessToken(first)).toMatchObject({ clientId: 'music service', subject: 'alice' })

    const refreshed = await token.refresh()
    const second = String(refreshed.token['access_token'])
    expect(second).not.toBe(first)
    expect(await as.verifyAccessToken(second)).toMatchObject({ scope: 'assistant.announce' })

    await refreshed.revokeAll()
    expect(await as.verifyAccessToken(second)).toBeUndefined()
  })

  it('client_secret_post: redeem, and a second redemption of the same code fails and revokes the first tokens', async () => {
    const { code } = await as.mintCode({ clientId: 'radio', subject: 'bob', scope: 'assistant.display', supersede: true })
    const radio = client('radio', POST_SECRET, 'body')
    const token = await radio.getToken({ code } as Parameters<typeof radio.getToken>[0])
    const issued = String(token.token['access_token'])
    expect(await as.verifyAccessToken(issued)).toMatchObject({ clientId: 'radio', scope: 'assistant.display' })
    await expect(radio.getToken({ code } as Parameters<typeof radio.getToken>[0])).rejects.toMatchObject({ output: { statusCode: 400 } })
    expect(await as.verifyAccessToken(issued)).toBeUndefined()
  })

  it('a wrong secret is refused with 401 invalid_client', async () => {
    const { code } = await as.mintCode({ clientId: 'music service', subject: 'alice', scope: 'assistant.display', supersede: true })
    const impostor = client('music service', 'not-the-secret', 'header')
    await expect(impostor.getToken({ code } as Parameters<typeof impostor.getToken>[0])).rejects.toMatchObject({
      output: { statusCode: 401 },
      data: { payload: { error: 'invalid_client' } },
    })
  })
})
