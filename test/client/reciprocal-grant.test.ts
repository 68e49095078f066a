import { ErrorCode } from 'reciprocal-oauth'
import { deliverReciprocalCode, processReciprocalGrantResponse, reciprocalGrantRequest } from 'reciprocal-oauth/client'
import { GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import * as oauth from 'oauth4webapi'
import {
  ACCESS_TOKEN,
  CLIENT_ID,
  CLIENT_SECRET,
  CODE,
  TOKEN_ENDPOINT,
  decodeBasic,
  expectReciprocalError,
  failingFetch,
  fakeFetch,
  hangingFetch,
  json,
  peerConfig,
} from './fixtures.js'

const input = { code: CODE, accessToken: ACCESS_TOKEN }

describe('a peer answering far too much (SPEC R7.7)', () => {
  it('an answer over 256 KiB is not buffered: ERR_INVALID_RESPONSE, whatever its status', async () => {
    const huge = JSON.stringify({ padding: 'x'.repeat(300 * 1024) })
    for (const status of [200, 400]) {
      const { fetch } = fakeFetch(() => new Response(huge, { status, headers: { 'content-type': 'application/json' } }))
      const error = await expectReciprocalError(() => deliverReciprocalCode(peerConfig({ fetch }), input))
      expect(error).toMatchObject({ code: ErrorCode.InvalidResponse, step: 'deliver-code' })
    }
  })
})

describe('reciprocal grant request (SPEC R3.2)', () => {
  it('POSTs grant_type, code, client_id and access_token to the configured token endpoint with Basic auth', async () => {
    const { fetch, requests } = fakeFetch(() => json({}))
    await deliverReciprocalCode(peerConfig({ fetch }), input)

    expect(requests).toHaveLength(1)
    const [request] = requests
    expect(request?.url).toBe(TOKEN_ENDPOINT)
    expect(request?.method).toBe('POST')
    expect(request?.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/)
    expect(decodeBasic(request?.headers.get('authorization'))).toEqual([CLIENT_ID, CLIENT_SECRET])
    expect(Object.fromEntries(request?.body ?? [])).toEqual({
      grant_type: GRANT_TYPE_RECIPROCAL,
      code: CODE,
      client_id: CLIENT_ID,
      access_token: ACCESS_TOKEN,
    })
  })

  it('sends client_id exactly once with client_secret_post', async () => {
    const { fetch, requests } = fakeFetch(() => json({}))
    await deliverReciprocalCode(peerConfig({ fetch, clientAuth: oauth.ClientSecretPost(CLIENT_SECRET) }), input)
    const body = requests[0]?.body
    expect(body?.getAll('client_id')).toEqual([CLIENT_ID])
    expect(body?.get('client_secret')).toBe(CLIENT_SECRET)
    expect(requests[0]?.headers.has('authorization')).toBe(false)
  })

  it('never follows redirects and sets a timeout signal (SPEC R7.7)', async () => {
    const { fetch, requests } = fakeFetch(() => json({}))
    await deliverReciprocalCode(peerConfig({ fetch }), input)
    expect(requests[0]?.redirect).toBe('manual')
    expect(requests[0]?.signal).toBeInstanceOf(AbortSignal)
  })

  it('exposes the raw Response from reciprocalGrantRequest for callers with their own processing', async () => {
    const { fetch } = fakeFetch(() => json({}, 200))
    const response = await reciprocalGrantRequest(peerConfig({ fetch }), input)
    expect(response.status).toBe(200)
    await expect(processReciprocalGrantResponse(response)).resolves.toBeUndefined()
  })
})

describe("B's answer to the reciprocal grant request (SPEC R3.4)", () => {
  it('accepts 200 {} (Google profile)', async () => {
    const { fetch } = fakeFetch(() => json({}))
    await expect(deliverReciprocalCode(peerConfig({ fetch }), input)).resolves.toBeUndefined()
  })

  it('accepts 200 with extra members and 200 with an empty body (the draft only says 200)', async () => {
    await expect(processReciprocalGrantResponse(json({ linked: true }))).resolves.toBeUndefined()
    await expect(processReciprocalGrantResponse(new Response(null, { status: 200 }))).resolves.toBeUndefined()
  })

  it('refuses 200 with a non-JSON body as InvalidResponse', async () => {
    const error = await expectReciprocalError(() => processReciprocalGrantResponse(new Response('<html>ok</html>', { status: 200 })))
    expect(error.code).toBe(ErrorCode.InvalidResponse)
    expect(error.step).toBe('deliver-code')
    expect(error.retryable).toBe(false)
  })

  it('refuses 200 with a JSON array or string as InvalidResponse', async () => {
    for (const body of [[], 'ok', 42]) {
      const error = await expectReciprocalError(() => processReciprocalGrantResponse(json(body)))
      expect(error.code).toBe(ErrorCode.InvalidResponse)
    }
  })

  it.each([
    [400, { error: 'invalid_request', error_description: `bad code ${CODE}` }, {}, ErrorCode.PeerRejected, false, 'invalid_request'],
    [400, { error: 'invalid_grant' }, {}, ErrorCode.PeerRejected, false, 'invalid_grant'],
    [401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="b"' }, ErrorCode.PeerUnauthorized, false, 'invalid_client'],
    [401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' }, ErrorCode.PeerUnauthorized, false, 'invalid_token'],
    [403, { error: 'insufficient_permission' }, {}, ErrorCode.PeerForbidden, false, 'insufficient_permission'],
    [403, { error: 'insufficient_scope' }, {}, ErrorCode.PeerForbidden, false, 'insufficient_scope'],
    [500, { error: 'server_error' }, {}, ErrorCode.PeerUnavailable, true, 'server_error'],
    [503, 'down for maintenance', {}, ErrorCode.PeerUnavailable, true, undefined],
  ])('maps HTTP %i %j to its ErrorCode (SPEC R3.4, R8.1)', async (status, body, headers, code, retryable, oauthError) => {
    const { fetch } = fakeFetch(() =>
      typeof body === 'string' ? new Response(body, { status }) : json(body, status, headers),
    )
    const error = await expectReciprocalError(() => deliverReciprocalCode(peerConfig({ fetch }), input))
    expect(error.code).toBe(code)
    expect(error.step).toBe('deliver-code')
    expect(error.retryable).toBe(retryable)
    expect(error.peer).toEqual(oauthError === undefined ? { status } : { status, error: oauthError })
    expect(error.hint.length).toBeGreaterThan(20)
  })

  it('takes the error code from WWW-Authenticate when a 401 has no JSON body', async () => {
    const { fetch } = fakeFetch(
      () => new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer realm="b", error="invalid_token"' } }),
    )
    const error = await expectReciprocalError(() => deliverReciprocalCode(peerConfig({ fetch }), input))
    expect(error.code).toBe(ErrorCode.PeerUnauthorized)
    expect(error.peer).toEqual({ status: 401, error: 'invalid_token' })
  })

  it('never copies error_description or a peer-chosen error string that could echo a secret (SPEC R8.4)', async () => {
    const { fetch } = fakeFetch(() => json({ error: CODE, error_description: ACCESS_TOKEN }, 400))
    const error = await expectReciprocalError(() => deliverReciprocalCode(peerConfig({ fetch }), input))
    expect(error.peer).toEqual({ status: 400 })
  })

  it('refuses a 302 from the token endpoint without following it (SPEC R7.7)', async () => {
    const { fetch, requests } = fakeFetch(
      () => new Response(null, { status: 302, headers: { location: 'https://evil.example/steal' } }),
    )
    const error = await expectReciprocalError(() => deliverReciprocalCode(peerConfig({ fetch }), input))
    expect(requests).toHaveLength(1)
    expect(error.code).toBe(ErrorCode.InvalidResponse)
    expect(error.peer).toEqual({ status: 302 })
    expect(error.retryable).toBe(false)
  })

  it('maps a network failure to a retryable Network error (SPEC R8.1)', async () => {
    const error = await expectReciprocalError(() => deliverReciprocalCode(peerConfig({ fetch: failingFetch() }), input))
    expect(error.code).toBe(ErrorCode.Network)
    expect(error.step).toBe('deliver-code')
    expect(error.retryable).toBe(true)
    expect(error.peer).toBeUndefined()
  })

  it('maps a timeout to a retryable Timeout error (SPEC R7.7)', async () => {
    const error = await expectReciprocalError(() =>
      deliverReciprocalCode(peerConfig({ fetch: hangingFetch(), timeoutMs: 10 }), input),
    )
    expect(error.code).toBe(ErrorCode.Timeout)
    expect(error.retryable).toBe(true)
  })

  it("aborts when the caller's signal aborts", async () => {
    const controller = new AbortController()
    const pending = deliverReciprocalCode(peerConfig({ fetch: hangingFetch() }), input, { signal: controller.signal })
    controller.abort()
    const error = await expectReciprocalError(() => pending)
    expect(error.code).toBe(ErrorCode.Timeout)
  })
})
