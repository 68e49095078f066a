import { describe, expect, it } from 'vitest'
import { codeAndTokens, formPost, json, makeServer, musicAuth, otherAuth } from './fixtures.js'

describe('RFC 7009 revocation endpoint (SPEC R5.2)', () => {
  it('SPEC R5.2: revoking the refresh token revokes the whole grant', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    const result = await h.server.revocationEndpoint.handle(formPost({ token: tokens.refresh_token, token_type_hint: 'refresh_token' }))
    expect(result.status).toBe(200)
    expect(result.headers['cache-control']).toBe('no-store')
    expect(await h.server.verifyAccessToken(tokens.access_token)).toBeUndefined()
    const refresh = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }))
    expect(json(refresh).error).toBe('invalid_grant')
  })

  it('SPEC R5.2: revoking the access token revokes the whole grant, whatever the hint says', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    const result = await h.server.revocationEndpoint.handle(formPost({ token: tokens.access_token, token_type_hint: 'refresh_token' }))
    expect(result.status).toBe(200)
    expect(await h.server.verifyAccessToken(tokens.access_token)).toBeUndefined()
  })

  it('answers 200 for unknown tokens, and leaves tokens of other clients alone', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    expect((await h.server.revocationEndpoint.handle(formPost({ token: 'unknown' }))).status).toBe(200)
    const foreign = await h.server.revocationEndpoint.handle(formPost({ token: tokens.access_token }, otherAuth))
    expect(foreign.status).toBe(200)
    expect(await h.server.verifyAccessToken(tokens.access_token)).toBeDefined()
  })

  it('requires client authentication and a token parameter', async () => {
    const h = makeServer()
    const anonymous = await h.server.revocationEndpoint.handle(formPost({ token: 'x' }, {}))
    expect(anonymous.status).toBe(401)
    expect(json(anonymous).error).toBe('invalid_client')
    const missing = await h.server.revocationEndpoint.handle(formPost({ token_type_hint: 'access_token' }))
    expect(json(missing)).toEqual({ error: 'invalid_request', error_description: 'Missing or invalid parameter token' })
    const get = await h.server.revocationEndpoint.handle({ method: 'GET', headers: {} })
    expect(get.status).toBe(405)
    expect(get.headers['allow']).toBe('POST')
  })

  it('the fetch door answers a Web Request', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    const response = await h.server.revocationEndpoint.fetch(
      new Request('https://assistant.example/revoke', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...musicAuth },
        body: new URLSearchParams({ token: tokens.access_token }),
      }),
    )
    expect(response.status).toBe(200)
    expect(await h.server.verifyAccessToken(tokens.access_token)).toBeUndefined()
  })
})
