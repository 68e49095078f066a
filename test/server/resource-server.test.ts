import { describe, expect, it } from 'vitest'
import { bearer, codeAndTokens, json, makeServer } from './fixtures.js'

describe('resource server bearer check (SPEC R4.4, RFC 6750)', () => {
  it('SPEC R4.4: accepts a live token carrying the required scope', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    const check = await h.server.authenticateRequest(bearer(tokens.access_token), 'assistant.read')
    expect(check.ok && check.token).toMatchObject({ clientId: 'music', subject: 'user-1' })
  })

  it('RFC 6750 §2.1: takes a Web Request as it is (its body left unread), the other door of the same check', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    const request = new Request('https://assistant.example/api/announce', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}` },
      body: 'Dinner is ready',
    })
    const check = await h.server.authenticateRequest(request, 'assistant.read')
    expect(check.ok && check.token).toMatchObject({ clientId: 'music', subject: 'user-1' })
    expect(await request.text()).toBe('Dinner is ready')
  })

  it('RFC 6750 §3.1: no credentials → 401 with a bare Bearer challenge and no error code', async () => {
    const h = makeServer({ realm: 'assistant' })
    for (const headers of [{}, { authorization: 'Basic YTpi' }]) {
      const check = await h.server.authenticateRequest({ method: 'GET', headers })
      expect(check.ok).toBe(false)
      if (!check.ok) {
        expect(check.result.status).toBe(401)
        expect(check.result.headers['www-authenticate']).toBe('Bearer realm="assistant"')
        expect(json(check.result)).not.toHaveProperty('error')
      }
    }
  })

  it('RFC 6750 §3.1: a malformed Bearer header → 400 invalid_request', async () => {
    const h = makeServer()
    for (const authorization of ['Bearer', 'Bearer a b', 'Bearer ä']) {
      const check = await h.server.authenticateRequest({ method: 'GET', headers: { authorization } })
      expect(check.ok).toBe(false)
      if (!check.ok) {
        expect(check.result.status).toBe(400)
        expect(json(check.result).error).toBe('invalid_request')
      }
    }
  })

  it('SPEC R4.4: unknown, expired and revoked tokens → 401 invalid_token', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    const unknown = await h.server.authenticateRequest(bearer('not-a-token'))
    expect(!unknown.ok && unknown.result.status).toBe(401)
    if (!unknown.ok) {
      expect(json(unknown.result).error).toBe('invalid_token')
      expect(unknown.result.headers['www-authenticate']).toMatch(/^Bearer realm="oauth", error="invalid_token"/)
    }
    const info = await h.server.verifyAccessToken(tokens.access_token)
    await h.server.revokeGrant(info!.grantId)
    const revoked = await h.server.authenticateRequest(bearer(tokens.access_token))
    expect(!revoked.ok && revoked.result.status).toBe(401)

    const other = await codeAndTokens(h)
    h.clock.advance(3600)
    const expired = await h.server.authenticateRequest(bearer(other.access_token))
    expect(!expired.ok && expired.result.status).toBe(401)
  })

  it('SPEC R4.4: a token without the required scope → 403 insufficient_scope naming it', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h, 'assistant.read')
    const check = await h.server.authenticateRequest(bearer(tokens.access_token), 'assistant.announce')
    expect(check.ok).toBe(false)
    if (!check.ok) {
      expect(check.result.status).toBe(403)
      expect(json(check.result).error).toBe('insufficient_scope')
      expect(check.result.headers['www-authenticate']).toContain('scope="assistant.announce"')
    }
  })

  it('a requiredScope that is not a scope is a programming error', async () => {
    const h = makeServer()
    await expect(h.server.authenticateRequest(bearer('x'), 'a  b')).rejects.toThrow(TypeError)
  })
})
