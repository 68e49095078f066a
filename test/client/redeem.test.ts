import { ErrorCode } from 'reciprocal-oauth'
import { redeemReciprocalCode } from 'reciprocal-oauth/client'
import { describe, expect, it } from 'vitest'
import {
  CLIENT_ID,
  CLIENT_SECRET,
  CODE,
  NEW_ACCESS_TOKEN,
  NEW_REFRESH_TOKEN,
  TOKEN_ENDPOINT,
  decodeBasic,
  expectReciprocalError,
  failingFetch,
  fakeFetch,
  hangingFetch,
  json,
  peerConfig,
  tokenResponse,
} from './fixtures.js'

const NOW = 1_700_000_000

describe("redeemReciprocalCode: B exchanges the code at A's token endpoint (SPEC R4.1, R7.8)", () => {
  it('SPEC R4.1: sends an authorization_code request without redirect_uri or code_verifier, authenticated as B', async () => {
    const { fetch, requests } = fakeFetch(() => tokenResponse({ refresh_token: NEW_REFRESH_TOKEN, scope: 'calendar.read' }))
    const tokens = await redeemReciprocalCode(peerConfig({ fetch }), CODE, { now: NOW })

    expect(tokens).toEqual({ accessToken: NEW_ACCESS_TOKEN, tokenType: 'Bearer', refreshToken: NEW_REFRESH_TOKEN, expiresAt: NOW + 3600, scope: 'calendar.read' })
    expect(requests).toHaveLength(1)
    expect(requests[0]?.method).toBe('POST')
    expect(decodeBasic(requests[0]?.headers.get('authorization'))).toEqual([CLIENT_ID, CLIENT_SECRET])
    expect(Object.fromEntries(requests[0]?.body ?? [])).toEqual({ grant_type: 'authorization_code', code: CODE })
  })

  it('SPEC R7.8: goes only to the configured token endpoint and never follows a redirect', async () => {
    const { fetch, requests } = fakeFetch(() => new Response(null, { status: 307, headers: { location: 'https://evil.example/token' } }))
    const error = await expectReciprocalError(() => redeemReciprocalCode(peerConfig({ fetch }), CODE, { now: NOW }))
    expect(requests.map((r) => r.url)).toEqual([TOKEN_ENDPOINT])
    expect(requests[0]?.redirect).toBe('manual')
    expect(error.code).toBe(ErrorCode.InvalidResponse)
    expect(error.step).toBe('redeem-code')
  })

  it('sends redirect_uri when A and B configured one (RFC 6749 §4.1.3)', async () => {
    const { fetch, requests } = fakeFetch(() => tokenResponse())
    await redeemReciprocalCode(peerConfig({ fetch }), CODE, { now: NOW, redirectUri: 'https://b.example/reciprocal' })
    expect(requests[0]?.body.get('redirect_uri')).toBe('https://b.example/reciprocal')
  })

  it('SPEC R4.2: invalid_grant (expired, used, other client) is RedemptionFailed, not retryable', async () => {
    const { fetch } = fakeFetch(() => json({ error: 'invalid_grant', error_description: `code ${CODE} was already used` }, 400))
    const error = await expectReciprocalError(() => redeemReciprocalCode(peerConfig({ fetch }), CODE, { now: NOW }))
    expect(error.code).toBe(ErrorCode.RedemptionFailed)
    expect(error.retryable).toBe(false)
    expect(error.peer).toEqual({ status: 400, error: 'invalid_grant' })
  })

  it('a refused client authentication is PeerUnauthorized', async () => {
    const { fetch } = fakeFetch(() => json({ error: 'invalid_client' }, 401, { 'www-authenticate': 'Basic realm="a"' }))
    const error = await expectReciprocalError(() => redeemReciprocalCode(peerConfig({ fetch }), CODE, { now: NOW }))
    expect(error.code).toBe(ErrorCode.PeerUnauthorized)
  })

  it('SPEC R8.1: 503, network failure and timeout are retryable', async () => {
    const peers = [
      peerConfig({ fetch: fakeFetch(() => new Response('busy', { status: 503 })).fetch }),
      peerConfig({ fetch: failingFetch() }),
      peerConfig({ fetch: hangingFetch(), timeoutMs: 10 }),
    ]
    const codes = []
    for (const peer of peers) {
      const error = await expectReciprocalError(() => redeemReciprocalCode(peer, CODE, { now: NOW }))
      expect(error.retryable).toBe(true)
      codes.push(error.code)
    }
    expect(codes).toEqual([ErrorCode.PeerUnavailable, ErrorCode.Network, ErrorCode.Timeout])
  })

  it('a success without access_token is InvalidResponse', async () => {
    const { fetch } = fakeFetch(() => json({ token_type: 'Bearer' }))
    expect((await expectReciprocalError(() => redeemReciprocalCode(peerConfig({ fetch }), CODE, { now: NOW }))).code).toBe(
      ErrorCode.InvalidResponse,
    )
  })
})
