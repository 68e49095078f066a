// Outbound retries (issue 9 item 6): bounded, with backoff, and only where sending again is safe.
import { ErrorCode } from 'reciprocal-oauth'
import { deliverReciprocalCode, redeemReciprocalCode, refreshTokenSet, revokeToken } from 'reciprocal-oauth/client'
import { describe, expect, it } from 'vitest'
import { isIdempotentRequest, mayRetry, retryDelayMs, withRetries, type RetryOptions } from '../../src/client/retry.js'
import { ACCESS_TOKEN, CODE, REFRESH_TOKEN, expectReciprocalError, fakeFetch, json, peerConfig, tokenResponse } from './fixtures.js'

/** A sleep that records each wait and returns at once. */
function recordedSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = []
  return { waits, sleep: async (ms) => void waits.push(ms) }
}

const status = (code: number, headers: Record<string, string> = {}) => ({ response: new Response(null, { status: code, headers }) })
const refused = { error: new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }) }) }
const reset = { error: new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }) }
const timedOut = { error: new DOMException('The operation was aborted due to timeout', 'TimeoutError') }
const cancelled = { error: new DOMException('This operation was aborted', 'AbortError') }

describe('mayRetry: a request is sent again only when the peer cannot have processed it, or it is idempotent', () => {
  // [outcome, name, retried when idempotent, retried when not]
  const cases: Array<[Parameters<typeof mayRetry>[0], string, boolean, boolean]> = [
    [status(503), '503 (not processed, RFC 9110 §15.6.4)', true, true],
    [status(429), '429 (not processed, RFC 6585 §4)', true, true],
    [refused, 'connection refused (nothing sent)', true, true],
    [status(502), '502 (outcome unknown)', true, false],
    [status(504), '504 (outcome unknown)', true, false],
    [timedOut, 'a timeout (outcome unknown)', true, false],
    [reset, 'a connection reset (outcome unknown)', true, false],
    [status(500), '500 (a fault at the peer, not transient)', false, false],
    [status(400), '400', false, false],
    [status(200), '200', false, false],
    [cancelled, "the caller's cancellation", false, false],
    [{ error: Object.assign(new Error('the peer answered with a redirect'), { name: 'RedirectRefusedError' }) }, 'a redirect refused here', false, false],
    [{ error: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }, "a Node socket error (nodeFetch's, outcome unknown)", true, false],
    [{ error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }, "a Node connection refused (nodeFetch's)", true, true],
  ]
  it.each(cases)('%#: %s', (outcome, _name, idempotent, nonIdempotent) => {
    expect([mayRetry(outcome, true), mayRetry(outcome, false)]).toEqual([idempotent, nonIdempotent])
  })

  it('RFC 7009, RFC 8414: discovery and revocation are idempotent; every token request (any grant_type) is not', () => {
    expect(isIdempotentRequest('GET', undefined)).toBe(true)
    expect(isIdempotentRequest('POST', new URLSearchParams({ token: 't', token_type_hint: 'refresh_token' }))).toBe(true)
    for (const grant of ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:reciprocal', 'client_credentials']) {
      expect(isIdempotentRequest('POST', new URLSearchParams({ grant_type: grant }))).toBe(false)
    }
    expect(isIdempotentRequest('POST', 'token=t')).toBe(false)
  })
})

describe('retryDelayMs: exponential backoff, Retry-After believed within the cap', () => {
  it('doubles from baseDelayMs and stops at maxDelayMs', () => {
    const options: RetryOptions = { baseDelayMs: 100, maxDelayMs: 500 }
    expect([0, 1, 2, 3, 4].map((retry) => retryDelayMs(retry, undefined, options))).toEqual([100, 200, 400, 500, 500])
  })

  it('RFC 9110 §10.2.3: waits the seconds of Retry-After; a longer wait than the cap is not waited for', () => {
    expect(retryDelayMs(0, status(503, { 'Retry-After': '1' }).response, { maxDelayMs: 2_000 })).toBe(1_000)
    expect(retryDelayMs(0, status(503, { 'Retry-After': '3' }).response, { maxDelayMs: 2_000 })).toBeUndefined()
    // An HTTP-date, or garbage, falls back to the backoff.
    expect(retryDelayMs(1, status(503, { 'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT' }).response, { baseDelayMs: 10 })).toBe(20)
    expect(retryDelayMs(0, status(503, { 'Retry-After': '-1' }).response, { baseDelayMs: 10 })).toBe(10)
  })
})

describe('withRetries: attempts and total wait bounded', () => {
  it('sends at most 1 + retries times and waits at most retries × maxDelayMs in all', async () => {
    for (const retries of [0, 1, 2, 5]) {
      const { waits, sleep } = recordedSleep()
      let sent = 0
      const response = await withRetries(async () => (sent++, new Response(null, { status: 503 })), false, { retries, baseDelayMs: 100, maxDelayMs: 300, sleep })
      expect(response.status).toBe(503)
      expect(sent).toBe(1 + retries)
      expect(waits).toEqual([100, 200, 300, 300, 300].slice(0, retries))
      expect(waits.reduce((sum, wait) => sum + wait, 0)).toBeLessThanOrEqual(retries * 300)
    }
  })

  it('defaults to 2 retries; stops at the first answer that may not be retried', async () => {
    const { waits, sleep } = recordedSleep()
    const answers = [503, 429, 503]
    let sent = 0
    expect((await withRetries(async () => new Response(null, { status: answers[sent++] ?? 200 }), false, { sleep })).status).toBe(503)
    expect(waits).toEqual([200, 400])
    sent = 0
    const after502 = await withRetries(async () => new Response(null, { status: [502, 200][sent++] ?? 200 }), false, { sleep })
    expect([after502.status, sent]).toEqual([502, 1])
  })

  it('rethrows the last error; a Retry-After over the cap ends the retries at once', async () => {
    const { sleep } = recordedSleep()
    let sent = 0
    await expect(withRetries(async () => (sent++, Promise.reject(timedOut.error)), true, { sleep })).rejects.toBe(timedOut.error)
    expect(sent).toBe(3)
    sent = 0
    const answer = await withRetries(async () => (sent++, new Response(null, { status: 503, headers: { 'Retry-After': '60' } })), false, { sleep })
    expect([answer.status, sent]).toEqual([503, 1])
  })
})

describe('the client steps retry through PeerTransport.retry, never replaying a code or a refresh', () => {
  it('SPEC R4.2: a reciprocal code POST answered 503 (not processed) is sent again, and succeeds', async () => {
    const { sleep, waits } = recordedSleep()
    let sent = 0
    const { fetch, requests } = fakeFetch(() => (sent++ === 0 ? json({ error: 'temporarily_unavailable' }, 503, { 'Retry-After': '1' }) : json({})))
    await deliverReciprocalCode(peerConfig({ fetch, retry: { sleep } }), { accessToken: ACCESS_TOKEN, code: CODE })
    expect(requests).toHaveLength(2)
    expect(waits).toEqual([1_000])
  })

  it('SPEC R4.2, RFC 6749 §4.1.2: a code POST, a redemption, a refresh after an unknown outcome (502, timeout, reset) are sent once', async () => {
    const { sleep } = recordedSleep()
    const unknown: Array<() => Response | Promise<Response>> = [() => new Response('', { status: 502 }), () => Promise.reject(reset.error), () => Promise.reject(timedOut.error)]
    for (const answer of unknown) {
      const steps = [
        (fetch: typeof globalThis.fetch) => deliverReciprocalCode(peerConfig({ fetch, retry: { sleep } }), { accessToken: ACCESS_TOKEN, code: CODE }),
        (fetch: typeof globalThis.fetch) => redeemReciprocalCode(peerConfig({ fetch, retry: { sleep } }), CODE, { now: 1_000 }),
        (fetch: typeof globalThis.fetch) => refreshTokenSet(peerConfig({ fetch, retry: { sleep } }), { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN, tokenType: 'Bearer' }, { now: 1_000 }),
      ]
      for (const step of steps) {
        const { fetch, requests } = fakeFetch(answer)
        const error = await expectReciprocalError(() => step(fetch))
        expect(error.retryable).toBe(true)
        expect(requests).toHaveLength(1)
      }
    }
  })

  it('RFC 7009: a revocation that timed out is sent again with a fresh timeout signal', async () => {
    const { sleep } = recordedSleep()
    let sent = 0
    const { fetch, requests } = fakeFetch(() => (sent++ === 0 ? Promise.reject(timedOut.error) : new Response(null, { status: 200 })))
    await expect(revokeToken(peerConfig({ fetch, retry: { sleep } }), REFRESH_TOKEN)).resolves.toBe(true)
    expect(requests).toHaveLength(2)
    expect(requests[1]?.signal?.aborted).toBe(false)
    expect(requests[1]?.signal).not.toBe(requests[0]?.signal)
  })

  it('retry: { retries: 0 } sends once', async () => {
    const { fetch, requests } = fakeFetch(() => new Response('', { status: 503 }))
    const error = await expectReciprocalError(() => revokeToken(peerConfig({ fetch, retry: { retries: 0 } }), REFRESH_TOKEN))
    expect(error).toMatchObject({ code: ErrorCode.PeerUnavailable, retryable: true })
    expect(requests).toHaveLength(1)
  })
})
