import { ErrorCode, type PeerConfig } from 'reciprocal-oauth'
import { revokeToken, revokeTokenSet } from 'reciprocal-oauth/client'
import { describe, expect, it } from 'vitest'
import { ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, decodeBasic, expectReciprocalError, fakeFetch, json, peerConfig } from './fixtures.js'

describe('revokeToken (SPEC R5.2, RFC 7009)', () => {
  it('SPEC R5.2: posts the token and its hint to the revocation endpoint and resolves true', async () => {
    const { fetch, requests } = fakeFetch(() => new Response(null, { status: 200 }))
    await expect(revokeToken(peerConfig({ fetch }), REFRESH_TOKEN, 'refresh_token')).resolves.toBe(true)
    expect(requests[0]?.url).toBe('https://b.example/oauth/revoke')
    expect(requests[0]?.method).toBe('POST')
    expect(decodeBasic(requests[0]?.headers.get('authorization'))).toEqual([CLIENT_ID, CLIENT_SECRET])
    expect(Object.fromEntries(requests[0]?.body ?? [])).toEqual({ token: REFRESH_TOKEN, token_type_hint: 'refresh_token' })
  })

  it('SPEC R5.2: resolves false without a request when the peer has no revocation endpoint', async () => {
    const { fetch, requests } = fakeFetch(() => new Response(null, { status: 200 }))
    const base = peerConfig({ fetch })
    const peer: PeerConfig = { ...base, as: { issuer: base.as.issuer, token_endpoint: 'https://b.example/oauth/token' } }
    await expect(revokeToken(peer, REFRESH_TOKEN)).resolves.toBe(false)
    expect(requests).toHaveLength(0)
  })

  it('maps a refusal and an outage to typed errors at step revoke', async () => {
    const refused = await expectReciprocalError(() =>
      revokeToken(peerConfig({ fetch: fakeFetch(() => json({ error: 'unsupported_token_type' }, 400)).fetch }), REFRESH_TOKEN),
    )
    expect(refused).toMatchObject({ code: ErrorCode.PeerRejected, step: 'revoke', peer: { status: 400, error: 'unsupported_token_type' } })
    const down = await expectReciprocalError(() =>
      revokeToken(peerConfig({ fetch: fakeFetch(() => new Response('', { status: 503 })).fetch }), REFRESH_TOKEN),
    )
    expect(down).toMatchObject({ code: ErrorCode.PeerUnavailable, retryable: true })
  })
})

describe('revokeTokenSet (SPEC R5.2, RFC 7009 §2.1)', () => {
  it('SPEC R5.2: tries both tokens, refresh token first, and reports a failure instead of dropping it', async () => {
    const { fetch, requests } = fakeFetch((request) =>
      request.body.get('token_type_hint') === 'refresh_token' ? new Response('', { status: 503 }) : new Response(null, { status: 200 }),
    )
    const failure = await expectReciprocalError(() =>
      // No retries: the 503 is the answer (a retried 503 is test/client/retry.test.ts's).
      revokeTokenSet(peerConfig({ fetch, retry: { retries: 0 } }), { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN }),
    )
    expect(failure).toMatchObject({ code: ErrorCode.PeerUnavailable, step: 'revoke', retryable: true })
    expect(requests.map((r) => r.body.get('token_type_hint'))).toEqual(['refresh_token', 'access_token'])
  })

  it('SPEC R5.2: resolves true when the peer confirmed both', async () => {
    const { fetch } = fakeFetch(() => new Response(null, { status: 200 }))
    await expect(revokeTokenSet(peerConfig({ fetch }), { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN })).resolves.toBe(true)
  })
})
