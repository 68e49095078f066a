import { ErrorCode, type PeerConfig } from 'reciprocal-oauth'
import { createAuthorizationRequest, exchangeCode, type PendingAuthorization, validateCallback } from 'reciprocal-oauth/client'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  AUTH_CODE,
  CLIENT_ID,
  CLIENT_SECRET,
  ISSUER,
  NEW_ACCESS_TOKEN,
  REFRESH_TOKEN,
  STATE,
  TOKEN_ENDPOINT,
  VERIFIER,
  decodeBasic,
  expectReciprocalError,
  fakeFetch,
  json,
  peerConfig,
  tokenResponse,
} from './fixtures.js'

const REDIRECT_URI = 'https://a.example/callback'
const NOW = 1_700_000_000

const pending: PendingAuthorization = { state: STATE, codeVerifier: VERIFIER, redirectUri: REDIRECT_URI, scope: 'music.play' }

function callback(params: Record<string, string> | string[][]): URL {
  const url = new URL(REDIRECT_URI)
  for (const [name, value] of Array.isArray(params) ? params : Object.entries(params)) url.searchParams.append(name ?? '', value ?? '')
  return url
}

function issPeer(fetch: typeof globalThis.fetch = fakeFetch(() => tokenResponse()).fetch): PeerConfig {
  const base = peerConfig({ fetch })
  return { ...base, as: { ...base.as, authorization_response_iss_parameter_supported: true } }
}

describe('createAuthorizationRequest (SPEC R1.1, R7.1)', () => {
  it('puts PKCE S256 and state in the URL (SPEC R7.1)', async () => {
    const { url, pending: p } = await createAuthorizationRequest(peerConfig({ fetch: fakeFetch(() => json({})).fetch }), {
      redirectUri: REDIRECT_URI,
      scope: 'music.play music.read',
    })
    expect(url.origin + url.pathname).toBe('https://b.example/authorize')
    const q = url.searchParams
    expect(q.get('response_type')).toBe('code')
    expect(q.get('client_id')).toBe(CLIENT_ID)
    expect(q.get('redirect_uri')).toBe(REDIRECT_URI)
    expect(q.get('scope')).toBe('music.play music.read')
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('state')).toBe(p.state)
    expect(p.state.length).toBeGreaterThanOrEqual(22)
    expect(p.codeVerifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/)
    expect(q.get('code_challenge')).toBe(createHash('sha256').update(p.codeVerifier).digest('base64url'))
    expect(q.has('code_verifier')).toBe(false)
    expect(p).toMatchObject({ redirectUri: REDIRECT_URI, scope: 'music.play music.read' })
  })

  it('uses fresh random state and verifier each time', async () => {
    const peer = peerConfig({ fetch: fakeFetch(() => json({})).fetch })
    const a = await createAuthorizationRequest(peer, { redirectUri: REDIRECT_URI, scope: 'x' })
    const b = await createAuthorizationRequest(peer, { redirectUri: REDIRECT_URI, scope: 'x' })
    expect(a.pending.state).not.toBe(b.pending.state)
    expect(a.pending.codeVerifier).not.toBe(b.pending.codeVerifier)
  })

  it('takes injected state and verifier', async () => {
    const { url, pending: p } = await createAuthorizationRequest(peerConfig({ fetch: fakeFetch(() => json({})).fetch }), {
      redirectUri: REDIRECT_URI,
      scope: 'x',
      randomState: STATE,
      randomVerifier: VERIFIER,
    })
    expect(p).toEqual({ state: STATE, codeVerifier: VERIFIER, redirectUri: REDIRECT_URI, scope: 'x' })
    expect(url.searchParams.get('state')).toBe(STATE)
  })

  it('refuses a missing or non-https authorization endpoint, a bad scope and a bad verifier (Configuration)', async () => {
    const base = peerConfig({ fetch: fakeFetch(() => json({})).fetch })
    const noEndpoint: PeerConfig = { ...base, as: { issuer: ISSUER, token_endpoint: TOKEN_ENDPOINT } }
    const http: PeerConfig = { ...base, as: { ...base.as, authorization_endpoint: 'http://b.example/authorize' } }
    const cases = [
      () => createAuthorizationRequest(noEndpoint, { redirectUri: REDIRECT_URI, scope: 'x' }),
      () => createAuthorizationRequest(http, { redirectUri: REDIRECT_URI, scope: 'x' }),
      () => createAuthorizationRequest(base, { redirectUri: REDIRECT_URI, scope: 'a  b' }),
      () => createAuthorizationRequest(base, { redirectUri: REDIRECT_URI, scope: 'x', randomVerifier: 'short' }),
    ]
    for (const run of cases) expect((await expectReciprocalError(run)).code).toBe(ErrorCode.Configuration)
    const loopback = { ...http, allowInsecureRequests: true }
    await expect(createAuthorizationRequest(loopback, { redirectUri: REDIRECT_URI, scope: 'x' })).resolves.toBeDefined()
  })
})

describe('validateCallback (SPEC R1.2, R7.1)', () => {
  const peer = peerConfig({ fetch: fakeFetch(() => json({})).fetch })

  it('returns the validated parameters', () => {
    const result = validateCallback(peer, pending, callback({ code: AUTH_CODE, state: STATE }))
    expect(result.params.get('code')).toBe(AUTH_CODE)
    expect(result.reciprocal).toBeUndefined()
  })

  it('keeps the reciprocal parameter of the authorization response (SPEC R1.2)', () => {
    const result = validateCallback(peer, pending, callback({ code: AUTH_CODE, state: STATE, reciprocal: 'calendar.read' }))
    expect(result.reciprocal).toBe('calendar.read')
  })

  it('refuses a repeated reciprocal parameter', async () => {
    const url = callback([['code', AUTH_CODE], ['state', STATE], ['reciprocal', 'a'], ['reciprocal', 'b']])
    expect((await expectReciprocalError(() => validateCallback(peer, pending, url))).code).toBe(ErrorCode.CallbackInvalid)
  })

  it('refuses a state mismatch or a missing state (SPEC R7.1)', async () => {
    for (const params of [{ code: AUTH_CODE, state: 'forged' }, { code: AUTH_CODE }]) {
      const error = await expectReciprocalError(() => validateCallback(peer, pending, callback(params)))
      expect(error.code).toBe(ErrorCode.CallbackInvalid)
      expect(error.step).toBe('callback')
      expect(error.message).toContain('state')
    }
  })

  it('refuses an iss mismatch when B advertises RFC 9207 support (SPEC R7.1)', async () => {
    const error = await expectReciprocalError(() =>
      validateCallback(issPeer(), pending, callback({ code: AUTH_CODE, state: STATE, iss: 'https://evil.example' })),
    )
    expect(error.code).toBe(ErrorCode.CallbackInvalid)
    expect(error.message).toContain('issuer')
  })

  it('refuses a missing iss when B advertises RFC 9207 support, accepts the right one (SPEC R7.1)', async () => {
    const error = await expectReciprocalError(() => validateCallback(issPeer(), pending, callback({ code: AUTH_CODE, state: STATE })))
    expect(error.code).toBe(ErrorCode.CallbackInvalid)
    expect(validateCallback(issPeer(), pending, callback({ code: AUTH_CODE, state: STATE, iss: ISSUER })).params.get('code')).toBe(AUTH_CODE)
  })

  it('refuses a wrong iss even when B does not advertise RFC 9207', async () => {
    const error = await expectReciprocalError(() =>
      validateCallback(peer, pending, callback({ code: AUTH_CODE, state: STATE, iss: 'https://evil.example' })),
    )
    expect(error.code).toBe(ErrorCode.CallbackInvalid)
  })

  it('maps error=access_denied to AuthorizationDenied', async () => {
    const error = await expectReciprocalError(() =>
      validateCallback(peer, pending, callback({ error: 'access_denied', error_description: 'user said no', state: STATE })),
    )
    expect(error.code).toBe(ErrorCode.AuthorizationDenied)
    expect(error.message).not.toContain('user said no')
  })

  it('maps other error responses to CallbackInvalid', async () => {
    const error = await expectReciprocalError(() => validateCallback(peer, pending, callback({ error: 'invalid_scope', state: STATE })))
    expect(error.code).toBe(ErrorCode.CallbackInvalid)
    expect(error.message).toContain('invalid_scope')
  })

  it('refuses a response without a code', async () => {
    const error = await expectReciprocalError(() => validateCallback(peer, pending, callback({ state: STATE })))
    expect(error.code).toBe(ErrorCode.CallbackInvalid)
  })
})

describe('exchangeCode (SPEC R1.1, R1.2)', () => {
  it('sends the code, redirect_uri and PKCE verifier to the configured token endpoint with client auth', async () => {
    const { fetch, requests } = fakeFetch(() => tokenResponse({ refresh_token: REFRESH_TOKEN, scope: 'music.play' }))
    const peer = peerConfig({ fetch })
    const params = validateCallback(peer, pending, callback({ code: AUTH_CODE, state: STATE }))
    const result = await exchangeCode(peer, pending, params, { now: NOW })

    expect(requests).toHaveLength(1)
    expect(requests[0]?.url).toBe(TOKEN_ENDPOINT)
    expect(requests[0]?.method).toBe('POST')
    expect(requests[0]?.redirect).toBe('manual')
    expect(decodeBasic(requests[0]?.headers.get('authorization'))).toEqual([CLIENT_ID, CLIENT_SECRET])
    expect(Object.fromEntries(requests[0]?.body ?? [])).toEqual({
      grant_type: 'authorization_code',
      code: AUTH_CODE,
      redirect_uri: REDIRECT_URI,
      code_verifier: VERIFIER,
    })
    expect(result).toEqual({
      tokens: { accessToken: NEW_ACCESS_TOKEN, tokenType: 'Bearer', refreshToken: REFRESH_TOKEN, expiresAt: NOW + 3600, scope: 'music.play' },
    })
  })

  it('returns the reciprocal member of the token response (SPEC R1.2)', async () => {
    const peer = peerConfig({ fetch: fakeFetch(() => tokenResponse({ reciprocal: 'calendar.read contacts.read' })).fetch })
    const params = validateCallback(peer, pending, callback({ code: AUTH_CODE, state: STATE, reciprocal: 'other' }))
    const result = await exchangeCode(peer, pending, params, { now: NOW })
    expect(result.reciprocal).toBe('calendar.read contacts.read')
    expect(params.reciprocal).toBe('other')
    // No scope in the response: the requested scope (RFC 6749 §5.1).
    expect(result.tokens.scope).toBe('music.play')
  })

  it('refuses a non-string reciprocal member as InvalidResponse', async () => {
    const peer = peerConfig({ fetch: fakeFetch(() => tokenResponse({ reciprocal: ['calendar.read'] })).fetch })
    const params = validateCallback(peer, pending, callback({ code: AUTH_CODE, state: STATE }))
    const error = await expectReciprocalError(() => exchangeCode(peer, pending, params, { now: NOW }))
    expect(error.code).toBe(ErrorCode.InvalidResponse)
    expect(error.step).toBe('token-exchange')
  })

  it('refuses a non-Bearer token type', async () => {
    const peer = peerConfig({ fetch: fakeFetch(() => tokenResponse({ token_type: 'DPoP' })).fetch })
    const params = validateCallback(peer, pending, callback({ code: AUTH_CODE, state: STATE }))
    expect((await expectReciprocalError(() => exchangeCode(peer, pending, params, { now: NOW }))).code).toBe(ErrorCode.InvalidResponse)
  })

  it('maps invalid_grant to TokenExchangeFailed and a 401 to PeerUnauthorized', async () => {
    for (const [status, error, code] of [
      [400, 'invalid_grant', ErrorCode.TokenExchangeFailed],
      [401, 'invalid_client', ErrorCode.PeerUnauthorized],
    ] as const) {
      const peer = peerConfig({ fetch: fakeFetch(() => json({ error, error_description: `code ${AUTH_CODE}` }, status)).fetch })
      const params = validateCallback(peer, pending, callback({ code: AUTH_CODE, state: STATE }))
      const thrown = await expectReciprocalError(() => exchangeCode(peer, pending, params, { now: NOW }))
      expect(thrown.code).toBe(code)
      expect(thrown.peer).toEqual({ status, error })
      expect(JSON.stringify(thrown)).not.toContain(AUTH_CODE)
    }
  })

  it('maps a token response that is not JSON to InvalidResponse', async () => {
    const peer = peerConfig({ fetch: fakeFetch(() => new Response('<html/>', { status: 200, headers: { 'content-type': 'text/html' } })).fetch })
    const params = validateCallback(peer, pending, callback({ code: AUTH_CODE, state: STATE }))
    expect((await expectReciprocalError(() => exchangeCode(peer, pending, params, { now: NOW }))).code).toBe(ErrorCode.InvalidResponse)
  })
})
