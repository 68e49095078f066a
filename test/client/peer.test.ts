import { ErrorCode } from 'reciprocal-oauth'
import { discoverPeer, redeemReciprocalCode, supportsReciprocalGrant } from 'reciprocal-oauth/client'
import { GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import { describe, expect, it, vi } from 'vitest'
import * as oauth from 'oauth4webapi'
import { requestOptions } from '../../src/client/peer.js'
import { CODE, ISSUER, expectReciprocalError, fakeFetch, hangingFetch, json, peerConfig, tokenResponse } from './fixtures.js'

const metadata = {
  issuer: ISSUER,
  token_endpoint: `${ISSUER}/oauth/token`,
  authorization_endpoint: `${ISSUER}/authorize`,
  grant_types_supported: ['authorization_code', GRANT_TYPE_RECIPROCAL],
}

describe('discoverPeer (SPEC R6.1, RFC 8414)', () => {
  it('SPEC R6.1: reads RFC 8414 metadata from the well-known URL', async () => {
    const { fetch, requests } = fakeFetch(() => json(metadata))
    const as = await discoverPeer(ISSUER, { fetch })
    expect(requests[0]?.url).toBe('https://b.example/.well-known/oauth-authorization-server')
    expect(requests[0]?.redirect).toBe('manual')
    expect(as).toMatchObject(metadata)
    expect(supportsReciprocalGrant(as)).toBe(true)
    expect(supportsReciprocalGrant({ issuer: ISSUER })).toBe(false)
  })

  it('refuses metadata whose issuer is not the one asked for (mix-up defence)', async () => {
    const { fetch } = fakeFetch(() => json({ ...metadata, issuer: 'https://evil.example' }))
    const error = await expectReciprocalError(() => discoverPeer(ISSUER, { fetch }))
    expect(error).toMatchObject({ code: ErrorCode.InvalidResponse, step: 'configuration' })
  })

  it('maps a 404 and a non-URL issuer to typed errors', async () => {
    const { fetch } = fakeFetch(() => new Response('not found', { status: 404 }))
    expect((await expectReciprocalError(() => discoverPeer(ISSUER, { fetch }))).peer).toEqual({ status: 404 })
    expect((await expectReciprocalError(() => discoverPeer('not a url', { fetch }))).code).toBe(ErrorCode.Configuration)
  })

  it('refuses a plain-http issuer unless allowInsecureRequests is set', async () => {
    const { fetch } = fakeFetch(() => json({ ...metadata, issuer: 'http://127.0.0.1:8080' }))
    expect((await expectReciprocalError(() => discoverPeer('http://127.0.0.1:8080', { fetch }))).code).toBe(ErrorCode.Configuration)
    await expect(discoverPeer('http://127.0.0.1:8080', { fetch, allowInsecureRequests: true })).resolves.toMatchObject({
      issuer: 'http://127.0.0.1:8080',
    })
  })
})

describe('requestOptions: the transport every client step uses (SPEC R7.7)', () => {
  it('SPEC R7.7: sets redirect manual and a fresh timeout signal per request', async () => {
    const { fetch, requests } = fakeFetch(() => json({}))
    const options = requestOptions({ fetch, timeoutMs: 1000 })
    await options[oauth.customFetch]('https://b.example/x', { method: 'GET', headers: {}, body: undefined, redirect: 'manual' })
    await options[oauth.customFetch]('https://b.example/x', { method: 'GET', headers: {}, body: undefined, redirect: 'manual' })
    expect(requests[0]?.redirect).toBe('manual')
    expect(requests[0]?.signal).toBeInstanceOf(AbortSignal)
    expect(requests[1]?.signal).not.toBe(requests[0]?.signal)
    expect(options[oauth.allowInsecureRequests]).toBeUndefined()
  })

  it('SPEC R7.7: the timeout covers the whole answer and ends with it: no timer outlives a request', async () => {
    vi.useFakeTimers()
    try {
      const { fetch, requests } = fakeFetch(() => json({}))
      const options = requestOptions({ fetch, timeoutMs: 1000 })
      const answer = await options[oauth.customFetch]('https://b.example/x', { method: 'GET', headers: {}, body: undefined, redirect: 'manual' })
      expect(await answer.json()).toEqual({})
      expect(vi.getTimerCount()).toBe(0)
      vi.advanceTimersByTime(2000)
      expect(requests[0]?.signal?.aborted).toBe(false)
    } finally {
      vi.useRealTimers()
    }
  })

  it("SPEC R7.7: a caller's signal aborts the request, and is let go once the answer is read", async () => {
    const caller = new AbortController()
    const aborted = requestOptions({ fetch: hangingFetch(), timeoutMs: 60_000 }, caller.signal)
    const pending = aborted[oauth.customFetch]('https://b.example/x', { method: 'GET', headers: {}, body: undefined, redirect: 'manual' })
    caller.abort(new DOMException('stop', 'AbortError'))
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })

    const { fetch, requests } = fakeFetch(() => json({}))
    const later = new AbortController()
    await requestOptions({ fetch }, later.signal)[oauth.customFetch]('https://b.example/x', { method: 'GET', headers: {}, body: undefined, redirect: 'manual' })
    later.abort()
    expect(requests[0]?.signal?.aborted).toBe(false)
  })

  it('SPEC R7.7: refuses a response that a custom fetch reached by following a redirect', async () => {
    const { fetch } = fakeFetch(() => {
      const response = tokenResponse()
      Object.defineProperty(response, 'redirected', { value: true })
      return response
    })
    const error = await expectReciprocalError(() => redeemReciprocalCode(peerConfig({ fetch }), CODE, { now: 0 }))
    expect(error.code).toBe(ErrorCode.InvalidResponse)
  })

  it('refuses an http token endpoint unless allowInsecureRequests is set (loopback tests only)', async () => {
    const { fetch, requests } = fakeFetch(() => tokenResponse())
    const base = peerConfig({ fetch })
    const http = { ...base, as: { ...base.as, token_endpoint: 'http://127.0.0.1:8080/token' } }
    const error = await expectReciprocalError(() => redeemReciprocalCode(http, CODE, { now: 0 }))
    expect(error).toMatchObject({ code: ErrorCode.Configuration, step: 'redeem-code', retryable: false })
    expect(requests).toHaveLength(0)
    await expect(redeemReciprocalCode({ ...http, allowInsecureRequests: true }, CODE, { now: 0 })).resolves.toBeDefined()
    expect(requests[0]?.url).toBe('http://127.0.0.1:8080/token')
  })

  it('uses globalThis.fetch by default', async () => {
    const original = globalThis.fetch
    const { fetch, requests } = fakeFetch(() => tokenResponse())
    globalThis.fetch = fetch
    try {
      const { fetch: _omit, ...peer } = peerConfig({ fetch })
      await redeemReciprocalCode(peer, CODE, { now: 0 })
      expect(requests).toHaveLength(1)
    } finally {
      globalThis.fetch = original
    }
  })
})
