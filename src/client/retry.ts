/**
 * Bounded retries with exponential backoff for outbound requests to a peer, retrying only what
 * is safe to send again.
 *
 * Safety rule: a request is sent again only when the peer cannot have processed it — it answered
 * 503 or 429 (it says it did not), or the connection was refused before a byte was sent — or when
 * the request is idempotent (metadata discovery, RFC 7009 revocation, introspection), which may
 * also be retried after a timeout, a network failure, 502 or 504. A token request (any
 * `grant_type`) is never sent again after an unknown outcome: a second reciprocal code POST is a
 * replay at party B (SPEC R4.2), a second code redemption is a replay that revokes the grant
 * (RFC 6749 §4.1.2), a second refresh meets a rotated token.
 *
 * No jitter: the retries per call are few (two by default) and each driver call holds its link's
 * lease, so many instances do not retry the same call in lock-step; and a peer that says when to
 * come back (`Retry-After`) is believed as said. Waits go through the injected `sleep` (the
 * drivers inject their runtime's).
 *
 * @module
 */
import { systemRuntime } from '../core/runtime.js'

/**
 * How outbound requests are retried (`PeerTransport.retry`).
 *
 * @example
 * ```ts
 * const transport: PeerTransport = { timeoutMs: 5_000, retry: { retries: 3, baseDelayMs: 100, maxDelayMs: 2_000 } }
 * ```
 * @see docs/reliability.md (retries of outbound requests)
 * @group Client
 */
export interface RetryOptions {
  /** Retries after the first attempt. Default 2; `0` turns retrying off. */
  readonly retries?: number
  /** The first wait, ms; each later one doubles. Default 200. */
  readonly baseDelayMs?: number
  /**
   * The longest single wait, ms. Default 2,000. A `Retry-After` longer than this is not waited
   * for: the call fails at once with its retryable error, for the caller to schedule.
   */
  readonly maxDelayMs?: number
  /**
   * How to wait. Default: the party's `Runtime.sleep` for the requests of `createPartyA` and
   * `createPartyB`, a real timer otherwise. Tests pass one that returns at once.
   */
  readonly sleep?: (ms: number) => Promise<void>
}

const DEFAULTS = { retries: 2, baseDelayMs: 200, maxDelayMs: 2_000 } as const

/** Connection errors raised before any of the request was sent (Node/undici codes). */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT'])

/**
 * Whether a request may be sent twice with the same effect as once: a `GET`/`HEAD` (metadata
 * discovery), or a form `POST` without `grant_type` (RFC 7009 revocation, RFC 7662
 * introspection). Every token request carries a `grant_type` and is not idempotent.
 *
 * @example
 * ```ts
 * isIdempotentRequest('POST', new URLSearchParams({ token: 't' })) // true: a revocation
 * isIdempotentRequest('POST', new URLSearchParams({ grant_type: 'refresh_token' })) // false
 * ```
 * @group Client
 */
export function isIdempotentRequest(method: string, body: unknown): boolean {
  if (method === 'GET' || method === 'HEAD') return true
  return method === 'POST' && body instanceof URLSearchParams && !body.has('grant_type')
}

/** Whether `error`, or an error in its `cause` chain, says the connection failed before sending. */
function failedBeforeSending(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 8) return false
  if ('code' in error && typeof error.code === 'string' && NOT_SENT_CODES.has(error.code)) return true
  return 'cause' in error && failedBeforeSending(error.cause, depth + 1)
}

/**
 * Whether `error` is the transport's own failure — a timeout, fetch's network `TypeError`, a Node
 * socket error (`ECONNRESET`, …) — rather than an answer refused here (a redirect, a body too large).
 */
function isTransportFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  if (error instanceof TypeError || ('name' in error && error.name === 'TimeoutError')) return true
  return 'code' in error && typeof error.code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(error.code)
}

/** What one attempt ended with: an answer, or a thrown error. */
export type AttemptOutcome = { readonly response: Response } | { readonly error: unknown }

/**
 * Whether an attempt that ended with `outcome` may be sent again (see the module's safety rule).
 * A cancellation by the caller (`AbortError`) is never retried.
 *
 * @example
 * ```ts
 * mayRetry({ response: new Response(null, { status: 503 }) }, false) // true: not processed
 * mayRetry({ response: new Response(null, { status: 502 }) }, false) // false: outcome unknown
 * ```
 * @group Client
 */
export function mayRetry(outcome: AttemptOutcome, idempotent: boolean): boolean {
  if ('response' in outcome) {
    const { status } = outcome.response
    if (status === 503 || status === 429) return true
    return idempotent && (status === 502 || status === 504)
  }
  const { error } = outcome
  if (typeof error === 'object' && error !== null && 'name' in error && error.name === 'AbortError') return false
  return failedBeforeSending(error) || (idempotent && isTransportFailure(error))
}

/**
 * The wait before retry number `retry` (0 for the first retry): the peer's `Retry-After` in
 * seconds when it sent one, else `baseDelayMs · 2^retry`, capped at `maxDelayMs`; `undefined`
 * when the peer asks for a longer wait than `maxDelayMs` (do not retry). An HTTP-date
 * `Retry-After` is not read (it needs a trusted clock): the backoff applies.
 *
 * @example
 * ```ts
 * retryDelayMs(1, undefined, {}) // 400
 * retryDelayMs(0, new Response(null, { status: 503, headers: { 'Retry-After': '1' } }), {}) // 1000
 * ```
 * @group Client
 */
export function retryDelayMs(retry: number, response: Response | undefined, options: RetryOptions): number | undefined {
  const base = options.baseDelayMs ?? DEFAULTS.baseDelayMs
  const max = options.maxDelayMs ?? DEFAULTS.maxDelayMs
  const retryAfter = response?.headers.get('retry-after')?.trim()
  if (retryAfter !== undefined && /^\d{1,9}$/.test(retryAfter)) {
    const asked = Number(retryAfter) * 1000
    return asked > max ? undefined : asked
  }
  return Math.min(max, base * 2 ** retry)
}

/**
 * Sends a request through `send` (called with the attempt number, from 0) and sends it again
 * while {@link mayRetry} allows and retries remain, waiting {@link retryDelayMs} in between.
 * Resolves the last answer, or rejects with the last error. The total wait is at most
 * `retries · maxDelayMs`.
 *
 * @example
 * ```ts
 * const response = await withRetries(() => fetch('https://b.example/token', { method: 'POST' }), false, { retries: 2 })
 * ```
 * @group Client
 */
export async function withRetries(send: (attempt: number) => Promise<Response>, idempotent: boolean, options: RetryOptions = {}): Promise<Response> {
  const retries = Math.max(0, Math.floor(options.retries ?? DEFAULTS.retries))
  const sleep = options.sleep ?? systemRuntime.sleep
  for (let attempt = 0; ; attempt++) {
    let outcome: AttemptOutcome
    try {
      outcome = { response: await send(attempt) }
    } catch (error) {
      // expected: classified by mayRetry; the last error is thrown again below
      outcome = { error }
    }
    const delay = attempt < retries && mayRetry(outcome, idempotent) ? retryDelayMs(attempt, 'response' in outcome ? outcome.response : undefined, options) : undefined
    if (delay === undefined) {
      if ('response' in outcome) return outcome.response
      throw outcome.error
    }
    if ('response' in outcome) await outcome.response.body?.cancel().catch(() => undefined /* expected: the retried answer is dropped either way */)
    await sleep(delay)
  }
}
