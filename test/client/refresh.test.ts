import { ErrorCode, type TokenSet } from 'reciprocal-oauth'
import { refreshTokenSet } from 'reciprocal-oauth/client'
import { describe, expect, it } from 'vitest'
import {
  ACCESS_TOKEN,
  NEW_ACCESS_TOKEN,
  NEW_REFRESH_TOKEN,
  REFRESH_TOKEN,
  TOKEN_ENDPOINT,
  expectReciprocalError,
  failingFetch,
  fakeFetch,
  json,
  peerConfig,
  tokenResponse,
} from './fixtures.js'

const NOW = 1_700_000_000
const tokens: TokenSet = { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN, expiresAt: NOW - 10, scope: 'music.play' }

describe('refreshTokenSet (SPEC R8.2)', () => {
  it('sends the refresh token to the configured token endpoint and keeps the old one when not rotated', async () => {
    const { fetch, requests } = fakeFetch(() => tokenResponse())
    const fresh = await refreshTokenSet(peerConfig({ fetch }), tokens, { now: NOW })
    expect(requests[0]?.url).toBe(TOKEN_ENDPOINT)
    expect(Object.fromEntries(requests[0]?.body ?? [])).toEqual({ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN })
    expect(fresh).toEqual({ accessToken: NEW_ACCESS_TOKEN, tokenType: 'Bearer', refreshToken: REFRESH_TOKEN, expiresAt: NOW + 3600, scope: 'music.play' })
  })

  it('takes a rotated refresh token and a narrowed scope', async () => {
    const { fetch } = fakeFetch(() => tokenResponse({ refresh_token: NEW_REFRESH_TOKEN, scope: 'music.read' }))
    const fresh = await refreshTokenSet(peerConfig({ fetch }), tokens, { now: NOW })
    expect(fresh.refreshToken).toBe(NEW_REFRESH_TOKEN)
    expect(fresh.scope).toBe('music.read')
  })

  it('SPEC R8.2: invalid_grant (dead refresh token) is NeedsReconsent, not retryable', async () => {
    const { fetch } = fakeFetch(() => json({ error: 'invalid_grant', error_description: `refresh token ${REFRESH_TOKEN} revoked` }, 400))
    const error = await expectReciprocalError(() => refreshTokenSet(peerConfig({ fetch }), tokens, { now: NOW }))
    expect(error.code).toBe(ErrorCode.NeedsReconsent)
    expect(error.step).toBe('refresh')
    expect(error.retryable).toBe(false)
  })

  it('SPEC R8.2: no refresh token at all is NeedsReconsent without a request', async () => {
    const { fetch, requests } = fakeFetch(() => tokenResponse())
    const error = await expectReciprocalError(() => refreshTokenSet(peerConfig({ fetch }), { accessToken: ACCESS_TOKEN }, { now: NOW }))
    expect(error.code).toBe(ErrorCode.NeedsReconsent)
    expect(requests).toHaveLength(0)
  })

  it('a network failure is retryable', async () => {
    const error = await expectReciprocalError(() => refreshTokenSet(peerConfig({ fetch: failingFetch() }), tokens, { now: NOW }))
    expect(error.code).toBe(ErrorCode.Network)
    expect(error.retryable).toBe(true)
  })

  it('other 400 errors are PeerRejected, 5xx retryable', async () => {
    const rejected = await expectReciprocalError(() =>
      refreshTokenSet(peerConfig({ fetch: fakeFetch(() => json({ error: 'invalid_scope' }, 400)).fetch }), tokens, { now: NOW }),
    )
    expect(rejected.code).toBe(ErrorCode.PeerRejected)
    const down = await expectReciprocalError(() =>
      refreshTokenSet(peerConfig({ fetch: fakeFetch(() => new Response('', { status: 502 })).fetch }), tokens, { now: NOW }),
    )
    expect(down.code).toBe(ErrorCode.PeerUnavailable)
    expect(down.retryable).toBe(true)
  })
})
