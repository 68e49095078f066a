import { createAuthorizationServer, staticClients } from 'reciprocal-oauth'
import { GRANT_TYPE_RECIPROCAL, jsonResult, MAX_CODE_TTL_SECONDS } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, ISSUER, MUSIC_REDIRECT, REVOCATION_ENDPOINT, TOKEN_ENDPOINT, VERIFIER, formPost, makeServer, s256 } from './fixtures.js'

describe('options', () => {
  const base = { issuer: ISSUER, tokenEndpoint: TOKEN_ENDPOINT, clients: staticClients([]) }

  it('SPEC R3.1: refuses a code lifetime over MAX_CODE_TTL_SECONDS', () => {
    expect(() => createAuthorizationServer({ ...base, codeTtlSeconds: MAX_CODE_TTL_SECONDS + 1 })).toThrow(TypeError)
    expect(() => createAuthorizationServer({ ...base, codeTtlSeconds: MAX_CODE_TTL_SECONDS })).not.toThrow()
    expect(() => createAuthorizationServer({ ...base, codeTtlSeconds: 0 })).toThrow(TypeError)
  })

  it('refuses relative URLs and extension grants that shadow built-in ones', () => {
    expect(() => createAuthorizationServer({ ...base, tokenEndpoint: '/token' })).toThrow(TypeError)
    expect(() =>
      createAuthorizationServer({ ...base, extensionGrants: { authorization_code: async () => jsonResult(200, {}) } }),
    ).toThrow(TypeError)
  })

  it('SPEC R6.1: metadata lists endpoints, grant types with the reciprocal URN, PKCE S256 and RFC 9207', () => {
    const h = makeServer({
      authorizationEndpoint: `${ISSUER}/authorize`,
      extensionGrants: { [GRANT_TYPE_RECIPROCAL]: async () => jsonResult(200, {}) },
    })
    expect(h.server.metadata()).toMatchObject({
      issuer: ISSUER,
      token_endpoint: TOKEN_ENDPOINT,
      authorization_endpoint: `${ISSUER}/authorize`,
      revocation_endpoint: REVOCATION_ENDPOINT,
      grant_types_supported: ['authorization_code', 'refresh_token', GRANT_TYPE_RECIPROCAL],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    })
    expect(makeServer().server.metadata().grant_types_supported).not.toContain(GRANT_TYPE_RECIPROCAL)
  })
})

describe('mintCode (SPEC R3.1, R7.2, R7.6)', () => {
  it('SPEC R3.1: codes carry at least 128 bits, expire after the configured lifetime, and are distinct', async () => {
    const h = makeServer({ codeTtlSeconds: 120 })
    const a = await h.server.mintCode({ clientId: 'music', subject: 'u', scope: FULL_SCOPE })
    const b = await h.server.mintCode({ clientId: 'music', subject: 'u', scope: FULL_SCOPE })
    expect(a.code).not.toBe(b.code)
    expect(a.code).toMatch(/^[A-Za-z0-9_-]{43,}$/)
    expect(a.expiresAt).toBe(h.clock.t + 120)
    h.clock.advance(119)
    expect((await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code: a.code }))).status).toBe(200)
    h.clock.advance(1)
    expect((await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code: b.code }))).status).toBe(400)
  })

  it('SPEC R7.6: refuses a scope wider than the client registration, and malformed or empty scopes', async () => {
    const h = makeServer()
    for (const scope of ['assistant.read admin', '', 'a  b']) {
      await expect(h.server.mintCode({ clientId: 'music', subject: 'u', scope })).rejects.toThrow(TypeError)
    }
  })

  it('refuses an unknown client, an unregistered redirect URI, a malformed challenge, and a public client without PKCE', async () => {
    const h = makeServer()
    await expect(h.server.mintCode({ clientId: 'nobody', subject: 'u', scope: 'x' })).rejects.toThrow(TypeError)
    await expect(
      h.server.mintCode({ clientId: 'music', subject: 'u', scope: FULL_SCOPE, redirectUri: 'https://evil.example/' }),
    ).rejects.toThrow(TypeError)
    await expect(h.server.mintCode({ clientId: 'music', subject: 'u', scope: FULL_SCOPE, codeChallenge: 'plain' })).rejects.toThrow(TypeError)
    await expect(h.server.mintCode({ clientId: 'public-app', subject: 'u', scope: 'assistant.read' })).rejects.toThrow(TypeError)
    await expect(
      h.server.mintCode({ clientId: 'music', subject: 'u', scope: FULL_SCOPE, redirectUri: MUSIC_REDIRECT, codeChallenge: s256(VERIFIER) }),
    ).resolves.toBeDefined()
  })

  it('errors never quote the subject or the scope asked for', async () => {
    const h = makeServer()
    const error = await h.server.mintCode({ clientId: 'music', subject: 'secret-subject', scope: 'secret-scope' }).catch((e: Error) => e)
    expect(String(error)).not.toContain('secret')
  })
})
