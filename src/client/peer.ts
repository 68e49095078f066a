/**
 * How we talk to one peer as its OAuth client: its authorization-server metadata, our client
 * registration there, our client authentication, and the transport (fetch, timeout, no
 * redirects). Every client step takes a {@link PeerConfig}.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { isIdempotentRequest, withRetries, type RetryOptions } from './retry.js'
import { DEFAULT_TIMEOUT_MS, GRANT_TYPE_RECIPROCAL } from '../protocol/constants.js'
import { ErrorCode, ReciprocalError } from '../core/errors.js'
import { readLimited } from '../lib/bytes.js'
import { wholeAnswers } from '../lib/whole-answers.js'
import { RedirectRefusedError, ResponseTooLargeError, toReciprocalError } from './errors.js'

/**
 * The transport knobs of outbound requests (DESIGN §3: fetch is injected).
 *
 * @example
 * ```ts
 * const transport: PeerTransport = { fetch: myFetch, timeoutMs: 5_000 }
 * ```
 * @see SPEC R7.7 (every outbound request times out and stays on its host)
 * @group Client
 */
export interface PeerTransport {
  /** The fetch implementation. Default: `globalThis.fetch`. */
  readonly fetch?: typeof fetch
  /** Timeout of each request, milliseconds. Default `DEFAULT_TIMEOUT_MS`, 10 s (SPEC R7.7). */
  readonly timeoutMs?: number
  /**
   * Allow `http:` endpoints. Only for tests and demos on loopback; never in production
   * (maps to oauth4webapi's `allowInsecureRequests`). Default `false`.
   */
  readonly allowInsecureRequests?: boolean
  /**
   * Bounded retries with exponential backoff, only where sending again is safe (never a token
   * request whose outcome is unknown; see {@link RetryOptions}). Default: 2 retries.
   */
  readonly retry?: RetryOptions
}

/**
 * One peer as seen by us, its client.
 *
 * @example
 * ```ts
 * const musicService: PeerConfig = {
 *   as: { issuer: 'https://music.example', token_endpoint: 'https://music.example/token' },
 *   client: { client_id: 'assistant' },
 *   clientAuth: oauth.ClientSecretBasic(musicClientSecret),
 * }
 * ```
 * @see SPEC R1.1, R6.1 (the peer's metadata, RFC 8414 §2)
 * @group Client
 */
export interface PeerConfig extends PeerTransport {
  /**
   * The peer's authorization-server metadata (RFC 8414): `issuer`, `token_endpoint`, and as
   * needed `authorization_endpoint`, `revocation_endpoint`, `introspection_endpoint`,
   * `authorization_response_iss_parameter_supported`. Taken from configuration or
   * {@link discoverPeer}, never from a request (SPEC R7.8).
   */
  readonly as: oauth.AuthorizationServer
  /** Our client registration at the peer (`client_id`, …). */
  readonly client: oauth.Client
  /**
   * Our client authentication at the peer: oauth4webapi's `ClientSecretBasic`,
   * `ClientSecretPost`, `PrivateKeyJwt` or `None` (RFC 6749 §2.3, RFC 7523).
   */
  readonly clientAuth: oauth.ClientAuth
}

/**
 * The fetch signature oauth4webapi calls through its `[customFetch]` option.
 *
 * @example
 * ```ts
 * const inProcess: TransportFetch = (url, init) => app.fetch(new Request(url, { method: init.method, headers: init.headers, body: init.body ?? null }))
 * ```
 * @see SPEC R7.7 (outbound requests go through the injected fetch, with a timeout)
 * @group Client
 */
export type TransportFetch = (url: string, init: oauth.CustomFetchOptions<string, URLSearchParams | undefined>) => Promise<Response>

/**
 * oauth4webapi request options produced by {@link requestOptions}.
 *
 * @group Client
 */
export interface PeerRequestOptions {
  /** The injected fetch, forced to never follow redirects, each request under its own timeout. */
  readonly [oauth.customFetch]: TransportFetch
  /** Set only when the peer configuration allows `http:` (loopback tests). */
  readonly [oauth.allowInsecureRequests]?: boolean
}

/** The largest answer we read from a peer: token responses (even with JWTs) are far smaller. @internal */
export const MAX_PEER_RESPONSE_BYTES = 256 * 1024

function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || response.redirected || (response.status >= 300 && response.status < 400)
}

/** One request's deadline: its signal, and `release`, which stops the timer once the answer is read. */
interface Deadline {
  readonly signal: AbortSignal
  release(): void
}

/**
 * A signal that aborts after `timeoutMs` with a `TimeoutError`, or when `caller` aborts, with its
 * reason. Not `AbortSignal.timeout`: its timer cannot be stopped, so every request would leave one
 * (and its signal) alive for the whole timeout after the answer came, and building one costs
 * about twice a controller and a timer of our own.
 */
function deadline(timeoutMs: number, caller: AbortSignal | undefined): Deadline {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new DOMException('The peer did not answer in time', 'TimeoutError')), timeoutMs)
  if (caller === undefined) return { signal: controller.signal, release: () => clearTimeout(timer) }
  const follow = (): void => controller.abort(caller.reason)
  if (caller.aborted) follow()
  else caller.addEventListener('abort', follow, { once: true })
  return {
    signal: controller.signal,
    release() {
      clearTimeout(timer)
      caller.removeEventListener('abort', follow)
    },
  }
}

/**
 * oauth4webapi options for a request to `peer`: every request runs under its own timeout (the
 * peer's `timeoutMs`, and `signal` if given), reading the whole answer included, with
 * `redirect: 'manual'`; a redirect answer is refused rather than followed (SPEC R7.7: following a
 * redirect would resend our client credentials to wherever it points).
 *
 * @example
 * ```ts
 * const response = await oauth.refreshTokenGrantRequest(peer.as, peer.client, peer.clientAuth, rt, requestOptions(peer))
 * ```
 * @group Client
 */
export function requestOptions(peer: PeerTransport, signal?: AbortSignal): PeerRequestOptions {
  const timeoutMs = peer.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const fetchImpl = peer.fetch ?? globalThis.fetch
  const transport: TransportFetch = async (url, init) => {
    const limit = deadline(timeoutMs, signal)
    try {
      const response = await fetchImpl(url, {
        method: init.method,
        headers: init.headers,
        body: init.body ?? null,
        redirect: 'manual',
        signal: limit.signal,
      })
      if (isRedirect(response)) {
        await response.body?.cancel().catch(() => undefined /* expected: the refused body is dropped either way */)
        throw new RedirectRefusedError(response.status)
      }
      if (wholeAnswers.has(response)) return response // read whole already, within the limit
      // Buffer the answer under a limit, and under the deadline: a peer is not trusted to answer
      // small, nor to finish an answer it started.
      const body = await readLimited(response.body, MAX_PEER_RESPONSE_BYTES)
      if (body === 'too-large') throw new ResponseTooLargeError()
      const status = response.status
      return new Response(status === 204 || status === 205 || status === 304 ? null : body, {
        status,
        statusText: response.statusText,
        headers: response.headers,
      })
    } finally {
      limit.release()
    }
  }
  // Each attempt whole (the answer read), so a retry decision sees the status; a retry drops the
  // first attempt's signal, whose timeout may have fired, for a fresh one.
  const retried: TransportFetch = (url, { signal: first, ...rest }) =>
    withRetries((attempt) => transport(url, attempt === 0 && first !== undefined ? { ...rest, signal: first } : rest), isIdempotentRequest(rest.method, rest.body), peer.retry)
  return {
    [oauth.customFetch]: retried,
    ...(peer.allowInsecureRequests === true ? { [oauth.allowInsecureRequests]: true } : {}),
  }
}

/**
 * Options of {@link discoverPeer}.
 *
 * @example
 * ```ts
 * const discovered = await discoverPeer('https://music.example', { algorithm: 'oauth2', timeoutMs: 5_000 } satisfies DiscoverPeerOptions)
 * ```
 * @see SPEC R6.1, RFC 8414 §3
 * @group Client
 */
export interface DiscoverPeerOptions extends PeerTransport {
  /** `'oauth2'` (RFC 8414, default) or `'oidc'` (OpenID Connect Discovery) well-known path. */
  readonly algorithm?: 'oauth2' | 'oidc'
}

/**
 * Reads a peer's authorization-server metadata (RFC 8414) with oauth4webapi discovery and checks
 * that its `issuer` is the one asked for (SPEC R6.1). Do this at configuration time and keep the
 * result: endpoints are never taken from requests (SPEC R7.8).
 *
 * @example
 * ```ts
 * const as = await discoverPeer('https://music.example')
 * const peer: PeerConfig = { as, client: { client_id: 'assistant' }, clientAuth: oauth.ClientSecretBasic(secret) }
 * ```
 * @group Client
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export async function discoverPeer(issuer: string | URL, options: DiscoverPeerOptions = {}): Promise<oauth.AuthorizationServer> {
  const issuerUrl = URL.canParse(issuer) ? new URL(issuer) : undefined
  if (issuerUrl === undefined) {
    throw new ReciprocalError('Reading the peer configuration failed: the issuer is not a URL', {
      code: ErrorCode.Configuration,
      step: 'configuration',
      hint: 'Pass the peer issuer identifier as an absolute https URL.',
    })
  }
  try {
    const response = await oauth.discoveryRequest(issuerUrl, {
      ...requestOptions(options),
      algorithm: options.algorithm ?? 'oauth2',
    })
    return await oauth.processDiscoveryResponse(issuerUrl, response)
  } catch (error) {
    throw toReciprocalError(error, 'configuration')
  }
}

/**
 * Whether peer metadata lists the reciprocal grant type in `grant_types_supported` (SPEC R6.1).
 * A peer may support it without saying so; use this for diagnostics, not as a gate.
 *
 * @example
 * ```ts
 * if (!supportsReciprocalGrant(peer.as)) console.warn('peer does not advertise the reciprocal grant')
 * ```
 * @group Client
 */
export function supportsReciprocalGrant(as: oauth.AuthorizationServer): boolean {
  return as.grant_types_supported?.includes(GRANT_TYPE_RECIPROCAL) ?? false
}
