import { MemoryStorage } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import {
  FULL_SCOPE,
  MUSIC,
  POSTER,
  PUBLIC,
  VERIFIER,
  basic,
  formPost,
  json,
  makeServer,
  musicAuth,
  s256,
  wrapStorage,
} from './fixtures.js'

const mint = (h: ReturnType<typeof makeServer>, extra: Record<string, unknown> = {}) =>
  h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, ...extra })

describe('token endpoint: authorization_code grant (SPEC R4.2)', () => {
  it('SPEC R4.2: redeems a fresh code for the client it was minted for', async () => {
    const h = makeServer()
    const { code } = await mint(h)
    const result = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
    expect(result.status).toBe(200)
    expect(result.headers['cache-control']).toBe('no-store')
    const body = json(result)
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: FULL_SCOPE })
    expect(typeof body.access_token).toBe('string')
    expect(typeof body.refresh_token).toBe('string')
    expect(body).not.toHaveProperty('reciprocal')
    const info = await h.server.verifyAccessToken(body.access_token as string)
    expect(info).toMatchObject({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE })
  })

  it('accepts client_secret_post and a narrower code scope', async () => {
    const h = makeServer()
    const { code } = await h.server.mintCode({ clientId: 'poster', subject: 'u', scope: 'assistant.read' })
    const result = await h.server.tokenEndpoint.handle(
      formPost({ grant_type: 'authorization_code', code, client_id: 'poster', client_secret: POSTER.clientSecret ?? '' }, {}),
    )
    expect(result.status).toBe(200)
    expect(json(result).scope).toBe('assistant.read')
  })

  it('SPEC R7.1: a public client redeems with its PKCE verifier', async () => {
    const h = makeServer()
    const { code } = await h.server.mintCode({
      clientId: PUBLIC.clientId,
      subject: 'u',
      scope: 'assistant.read',
      redirectUri: 'https://app.example/cb',
      codeChallenge: s256(VERIFIER),
    })
    const result = await h.server.tokenEndpoint.handle(
      formPost(
        { grant_type: 'authorization_code', code, client_id: PUBLIC.clientId, redirect_uri: 'https://app.example/cb', code_verifier: VERIFIER },
        {},
      ),
    )
    expect(result.status).toBe(200)
  })

  it('refresh tokens can be switched off', async () => {
    const h = makeServer({ refreshTokens: false })
    const { code } = await mint(h)
    const body = json(await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code })))
    expect(body).not.toHaveProperty('refresh_token')
  })

  it('the (Request) => Response door works end to end', async () => {
    const h = makeServer()
    const { code } = await mint(h)
    const response = await h.server.tokenEndpoint.fetch(
      new Request('https://assistant.example/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...musicAuth },
        body: new URLSearchParams({ grant_type: 'authorization_code', code }),
      }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(((await response.json()) as { token_type: string }).token_type).toBe('Bearer')
  })
})

describe('token endpoint: malformed requests get OAuth errors (SPEC R7.5)', () => {
  const cases: [string, () => Parameters<ReturnType<typeof makeServer>['server']['tokenEndpoint']['handle']>[0], number, string][] = [
    ['wrong secret', () => formPost({ grant_type: 'authorization_code', code: 'x' }, { authorization: basic('music', 'wrong') }), 401, 'invalid_client'],
    ['unknown client', () => formPost({ grant_type: 'authorization_code', code: 'x' }, { authorization: basic('nobody', 'x') }), 401, 'invalid_client'],
    ['no client authentication', () => formPost({ grant_type: 'authorization_code', code: 'x' }, {}), 401, 'invalid_client'],
    [
      'both auth methods at once',
      () => formPost({ grant_type: 'authorization_code', code: 'x', client_id: 'music', client_secret: MUSIC.clientSecret ?? '' }),
      400,
      'invalid_request',
    ],
    ['SPEC R7.11: body client_id differs from the authenticated one', () => formPost({ grant_type: 'authorization_code', code: 'x', client_id: 'other' }), 401, 'invalid_client'],
    ['a client_secret_basic client using client_secret_post', () => formPost({ grant_type: 'authorization_code', code: 'x', client_id: 'music', client_secret: MUSIC.clientSecret ?? '' }, {}), 401, 'invalid_client'],
    ['repeated parameter', () => formPost('grant_type=authorization_code&code=a&code=b'), 400, 'invalid_request'],
    ['wrong content type', () => ({ method: 'POST', headers: { 'content-type': 'application/json', ...musicAuth }, body: '{}' }), 400, 'invalid_request'],
    ['GET (RFC 9110 §15.5.6)', () => ({ method: 'GET', headers: musicAuth }), 405, 'invalid_request'],
    ['missing grant_type', () => formPost({ code: 'x' }), 400, 'invalid_request'],
    ['unknown grant type', () => formPost({ grant_type: 'password', username: 'u', password: 'p' }), 400, 'unsupported_grant_type'],
    ['missing code', () => formPost({ grant_type: 'authorization_code' }), 400, 'invalid_request'],
    ['malformed code_verifier', () => formPost({ grant_type: 'authorization_code', code: 'x', code_verifier: 'short' }), 400, 'invalid_request'],
    ['unknown code', () => formPost({ grant_type: 'authorization_code', code: 'never-minted' }), 400, 'invalid_grant'],
    ['non-UTF-8 body', () => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...musicAuth }, body: new Uint8Array([0x63, 0x3d, 0xff]) }), 400, 'invalid_request'],
  ]
  it.each(cases)('%s', async (_name, request, status, error) => {
    const h = makeServer()
    const result = await h.server.tokenEndpoint.handle(request())
    expect(result.status).toBe(status)
    expect(json(result).error).toBe(error)
    expect(result.headers['cache-control']).toBe('no-store')
  })

  it('a failed Basic authentication carries WWW-Authenticate: Basic', async () => {
    const h = makeServer()
    const result = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code: 'x' }, { authorization: basic('music', 'nope') }))
    expect(result.headers['www-authenticate']).toMatch(/^Basic /)
  })

  it('SPEC R7.5: an oversized body is refused at both doors', async () => {
    const h = makeServer({ bodyLimitBytes: 256 })
    const big = { grant_type: 'authorization_code', code: 'x'.repeat(400) }
    const lower = await h.server.tokenEndpoint.handle(formPost(big))
    expect(lower.status).toBe(400)
    expect(json(lower).error).toBe('invalid_request')
    const response = await h.server.tokenEndpoint.fetch(
      new Request(h.server.metadata().token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...musicAuth },
        body: new URLSearchParams(big),
      }),
    )
    expect(response.status).toBe(400)
  })

  it('SPEC R7.5: an unexpected failure becomes a bare server_error 500', async () => {
    const down = async (): Promise<never> => {
      throw new Error('database down: code=SECRET')
    }
    const broken = wrapStorage(new MemoryStorage(), { get: down, take: down })
    const h = makeServer({ storage: broken })
    const result = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code: 'abc' }))
    expect(result.status).toBe(500)
    expect(json(result).error).toBe('server_error')
    expect(result.body).not.toContain('SECRET')
  })
})

describe('token endpoint: garbage in, OAuth errors out (SPEC R7.5)', () => {
  it('SPEC R7.5: 300 random bodies and headers never produce a 500 or a malformed answer', async () => {
    const h = makeServer()
    let seed = 42
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const alphabet = ['grant_type', 'code', 'refresh_token', 'authorization_code', 'client_id', 'music', '=', '&', '%', '%zz', '+', ' ', 'é', '\u0000', 'scope', 'a  b', 'code_verifier', 'redirect_uri']
    const contentTypes = ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=latin1', 'text/plain', '']
    const auths = [musicAuth.authorization, 'Basic', 'Basic %%%', 'Bearer x', basic('music', ''), '']
    for (let i = 0; i < 300; i++) {
      const body = Array.from({ length: random(12) }, () => alphabet[random(alphabet.length)]).join('')
      const headers: Record<string, string> = { 'content-type': contentTypes[random(contentTypes.length)]! }
      const auth = auths[random(auths.length)]!
      if (auth !== '') headers.authorization = auth
      const result = await h.server.tokenEndpoint.handle({ method: random(5) === 0 ? 'PUT' : 'POST', headers, body })
      expect(result.status).toBeLessThan(500)
      expect(typeof json(result).error).toBe('string')
      expect(result.headers['cache-control']).toBe('no-store')
    }
  })
})

describe('token endpoint: a client that used another authentication method is told which one (issue 6, RFC 6749 §5.2)', () => {
  const grant = { grant_type: 'authorization_code', code: 'x' }
  const wrongMethod: [string, () => ReturnType<typeof formPost>, string, string | undefined][] = [
    [
      'a client_secret_basic client sending its secret in the body',
      () => formPost({ ...grant, client_id: 'music', client_secret: MUSIC.clientSecret ?? '' }, {}),
      'This client must authenticate with client_secret_basic',
      undefined,
    ],
    ['a client_secret_basic client sending no credentials', () => formPost({ ...grant, client_id: 'music' }, {}), 'This client must authenticate with client_secret_basic', undefined],
    [
      'a client_secret_post client using HTTP Basic',
      () => formPost(grant, { authorization: basic(POSTER.clientId, POSTER.clientSecret ?? '') }),
      'This client must authenticate with client_secret_post',
      'Basic',
    ],
    [
      'a public client sending a secret',
      () => formPost(grant, { authorization: basic(PUBLIC.clientId, 'a-guessed-secret') }),
      'This client is public (none): it must send its client_id only, without credentials',
      'Basic',
    ],
  ]
  it.each(wrongMethod)('%s: error_description names the expected method', async (_name, request, description, challenge) => {
    const h = makeServer()
    const result = await h.server.tokenEndpoint.handle(request())
    expect(result.status).toBe(401)
    expect(json(result)).toEqual({ error: 'invalid_client', error_description: description })
    expect(result.headers['www-authenticate']?.split(' ')[0]).toBe(challenge)
    for (const secret of [MUSIC.clientSecret, POSTER.clientSecret, 'a-guessed-secret']) expect(result.body).not.toContain(secret)
  })

  it('an unknown client and a wrong secret keep the same generic description', async () => {
    const h = makeServer()
    const answers = await Promise.all([
      h.server.tokenEndpoint.handle(formPost(grant, { authorization: basic('nobody', 'x') })),
      h.server.tokenEndpoint.handle(formPost(grant, { authorization: basic('music', 'wrong') })),
      h.server.tokenEndpoint.handle(formPost({ ...grant, client_id: 'poster', client_secret: 'wrong' }, {})),
      h.server.tokenEndpoint.handle(formPost({ ...grant, client_id: 'nobody', client_secret: 'x' }, {})),
    ])
    for (const result of answers) {
      expect(json(result)).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' })
    }
  })
})
