import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, ISSUER, MUSIC_REDIRECT, VERIFIER, formPost, json, makeServer, s256 } from './fixtures.js'

const AUTHORIZE = 'https://assistant.example/authorize'
const CHALLENGE = s256(VERIFIER)

function authorizeUrl(params: Record<string, string | undefined>, extra = ''): string {
  const base: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: 'music',
    redirect_uri: MUSIC_REDIRECT,
    scope: FULL_SCOPE,
    state: 'xyz',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...params,
  }
  const query = new URLSearchParams()
  for (const [k, v] of Object.entries(base)) if (v !== undefined) query.set(k, v)
  return `${AUTHORIZE}?${query.toString()}${extra}`
}

describe('authorization endpoint: validate (SPEC R1.1, R7.1)', () => {
  it('SPEC R7.1: accepts a PKCE S256 request and returns a plain JSON pending request', async () => {
    const h = makeServer()
    const check = await h.server.authorization.validate(authorizeUrl({}))
    expect(check).toEqual({
      ok: true,
      request: { clientId: 'music', redirectUri: MUSIC_REDIRECT, scope: FULL_SCOPE, state: 'xyz', codeChallenge: CHALLENGE },
    })
    if (check.ok) expect(JSON.parse(JSON.stringify(check.request))).toEqual(check.request)
  })

  it('narrows the scope to the client registration and defaults to it', async () => {
    const h = makeServer()
    const narrowed = await h.server.authorization.validate(authorizeUrl({ scope: 'assistant.read music.admin' }))
    expect(narrowed.ok && narrowed.request.scope).toBe('assistant.read')
    const defaulted = await h.server.authorization.validate(authorizeUrl({ scope: undefined }))
    expect(defaulted.ok && defaulted.request.scope).toBe(FULL_SCOPE)
  })

  const noRedirect: [string, string][] = [
    ['missing client_id', authorizeUrl({ client_id: undefined })],
    ['unknown client_id', authorizeUrl({ client_id: 'nobody' })],
    ['repeated client_id', authorizeUrl({}, '&client_id=music')],
    ['missing redirect_uri', authorizeUrl({ redirect_uri: undefined })],
    ['unregistered redirect_uri', authorizeUrl({ redirect_uri: 'https://evil.example/callback' })],
    ['redirect_uri differing by a trailing slash', authorizeUrl({ redirect_uri: `${MUSIC_REDIRECT}/` })],
    ['redirect_uri with an extra query', authorizeUrl({ redirect_uri: `${MUSIC_REDIRECT}?x=1` })],
    ['repeated redirect_uri', authorizeUrl({}, `&redirect_uri=${encodeURIComponent(MUSIC_REDIRECT)}`)],
    ['a malformed URL', 'not a url'],
  ]
  it.each(noRedirect)('errors before the client and redirect URI are trusted never redirect: %s', async (_name, url) => {
    const h = makeServer()
    const check = await h.server.authorization.validate(url)
    expect(check.ok).toBe(false)
    if (!check.ok) {
      expect(check.redirectTo).toBeUndefined()
      expect(check.error.error).toBe('invalid_request')
    }
  })

  const redirected: [string, string, string][] = [
    ['missing PKCE', authorizeUrl({ code_challenge: undefined, code_challenge_method: undefined }), 'invalid_request'],
    ['plain PKCE', authorizeUrl({ code_challenge_method: 'plain' }), 'invalid_request'],
    ['malformed code_challenge', authorizeUrl({ code_challenge: 'short' }), 'invalid_request'],
    ['wrong response_type', authorizeUrl({ response_type: 'token' }), 'unsupported_response_type'],
    ['repeated scope', authorizeUrl({}, '&scope=assistant.read'), 'invalid_request'],
    ['scope outside the registration', authorizeUrl({ scope: 'music.admin' }), 'invalid_scope'],
    ['malformed scope', authorizeUrl({ scope: 'a  b' }), 'invalid_scope'],
  ]
  it.each(redirected)('later errors redirect with error, state and iss: %s', async (_name, url, error) => {
    const h = makeServer()
    const check = await h.server.authorization.validate(url)
    expect(check.ok).toBe(false)
    if (!check.ok) {
      expect(check.error.error).toBe(error)
      const to = new URL(check.redirectTo ?? 'about:blank')
      expect(`${to.origin}${to.pathname}`).toBe(MUSIC_REDIRECT)
      expect(to.searchParams.get('error')).toBe(error)
      expect(to.searchParams.get('state')).toBe('xyz')
      expect(to.searchParams.get('iss')).toBe(ISSUER)
      expect(to.searchParams.get('code')).toBeNull()
    }
  })
})

describe('authorization endpoint: approve and deny (SPEC R1.1, R1.2)', () => {
  it('SPEC R1.1: approve returns a redirect with code, state and iss; the code redeems with PKCE and redirect_uri', async () => {
    const h = makeServer()
    const check = await h.server.authorization.validate(authorizeUrl({}))
    if (!check.ok) throw new Error('expected a valid request')
    const location = new URL(await h.server.authorization.approve(check.request, { subject: 'user-1', scope: 'assistant.read' }))
    expect(location.searchParams.get('state')).toBe('xyz')
    expect(location.searchParams.get('iss')).toBe(ISSUER)
    expect(location.searchParams.has('reciprocal')).toBe(false)
    const code = location.searchParams.get('code') ?? ''
    const noVerifier = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code, redirect_uri: MUSIC_REDIRECT }))
    expect(json(noVerifier).error).toBe('invalid_grant')

    const again = await h.server.authorization.approve(check.request, { subject: 'user-1', scope: 'assistant.read' })
    const code2 = new URL(again).searchParams.get('code') ?? ''
    const tokens = await h.server.tokenEndpoint.handle(
      formPost({ grant_type: 'authorization_code', code: code2, redirect_uri: MUSIC_REDIRECT, code_verifier: VERIFIER }),
    )
    expect(tokens.status).toBe(200)
    expect(json(tokens).scope).toBe('assistant.read')
  })

  it('SPEC R1.2: approve adds reciprocal to the redirect when the hook asks', async () => {
    const h = makeServer({ reciprocalScope: ({ scope }) => (scope.includes('assistant.read') ? 'music.play' : undefined) })
    const check = await h.server.authorization.validate(authorizeUrl({}))
    if (!check.ok) throw new Error('expected a valid request')
    const location = new URL(await h.server.authorization.approve(check.request, { subject: 'user-1' }))
    expect(location.searchParams.get('reciprocal')).toBe('music.play')
  })

  it('SPEC R7.6: approve refuses a scope wider than the request', async () => {
    const h = makeServer()
    const check = await h.server.authorization.validate(authorizeUrl({ scope: 'assistant.read' }))
    if (!check.ok) throw new Error('expected a valid request')
    await expect(h.server.authorization.approve(check.request, { subject: 'u', scope: FULL_SCOPE })).rejects.toThrow(TypeError)
  })

  it('deny redirects with access_denied, state and iss', async () => {
    const h = makeServer()
    const check = await h.server.authorization.validate(authorizeUrl({}))
    if (!check.ok) throw new Error('expected a valid request')
    const location = new URL(await h.server.authorization.deny(check.request))
    expect(`${location.origin}${location.pathname}`).toBe(MUSIC_REDIRECT)
    expect(location.searchParams.get('error')).toBe('access_denied')
    expect(location.searchParams.get('state')).toBe('xyz')
    expect(location.searchParams.get('iss')).toBe(ISSUER)
  })

  it('RFC 9700 §4.11: deny (like approve) refuses a tampered pending request instead of redirecting anywhere', async () => {
    const h = makeServer()
    const check = await h.server.authorization.validate(authorizeUrl({}))
    if (!check.ok) throw new Error('expected a valid request')
    const tampered = [
      { ...check.request, redirectUri: 'https://evil.example/callback' },
      // Exact match only: neither a longer path, a query, nor a different case gets through.
      { ...check.request, redirectUri: `${MUSIC_REDIRECT}/../evil` },
      { ...check.request, redirectUri: `${MUSIC_REDIRECT}?next=https://evil.example` },
      { ...check.request, redirectUri: MUSIC_REDIRECT.toUpperCase() },
      // Another known client, without this redirect URI, and an unknown client.
      { ...check.request, clientId: 'poster' },
      { ...check.request, clientId: 'nobody' },
    ]
    for (const request of tampered) {
      await expect(h.server.authorization.deny(request)).rejects.toThrow(TypeError)
      await expect(h.server.authorization.approve(request, { subject: 'u' })).rejects.toThrow(TypeError)
    }
  })

  it('a request without state gets none back', async () => {
    const h = makeServer()
    const check = await h.server.authorization.validate(authorizeUrl({ state: undefined }))
    if (!check.ok) throw new Error('expected a valid request')
    expect(check.request).not.toHaveProperty('state')
    const location = new URL(await h.server.authorization.approve(check.request, { subject: 'u' }))
    expect(location.searchParams.has('state')).toBe(false)
  })
})

describe('authorization endpoint: empty parameters (RFC 6749 §3.1)', () => {
  it('a parameter sent without a value is treated as omitted', async () => {
    const h = makeServer()
    const check = await h.server.authorization.validate(authorizeUrl({ scope: '', state: '' }))
    expect(check.ok && check.request).toEqual({ clientId: 'music', redirectUri: MUSIC_REDIRECT, scope: FULL_SCOPE, codeChallenge: CHALLENGE })
    const noClient = await h.server.authorization.validate(authorizeUrl({ client_id: '' }))
    expect(!noClient.ok && noClient.redirectTo).toBeUndefined()
  })
})
