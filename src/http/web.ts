/**
 * The bridge between the Web `Request`/`Response` door and the handlers' lower door
 * ({@link RawHttpRequest} → {@link HttpResult}, DESIGN §1 "two doors"). Web standards only, so
 * the same handler mounts in Node, Deno, Bun, workers and every framework that speaks `fetch`.
 *
 * @module
 */
import { DEFAULT_BODY_LIMIT_BYTES } from '../protocol/constants.js'
import type { HttpResult, RawHttpRequest } from '../protocol/http.js'
import { invalidRequest, renderOAuthError } from '../protocol/oauth-error.js'
import { eventEmitter, type Emit, type EventObserver } from '../core/events.js'
import { unexpected } from './guarded.js'
import { systemRuntime, type Runtime } from '../core/runtime.js'
import { readLimited } from '../lib/bytes.js'

/** Statuses whose response must not have a body (Fetch standard "null body status"). */
const NULL_BODY_STATUSES = new Set([204, 205, 304])

/**
 * Reads a Web `Request` into memory as a {@link RawHttpRequest}, enforcing a body size limit
 * (SPEC R7.5). A `Content-Length` over the limit is refused before any byte is read; otherwise
 * the body is read chunk by chunk and the stream is cancelled as soon as the running total goes
 * over the limit, so a client cannot make us buffer an unbounded (e.g. chunked) body.
 *
 * Resolves `'too-large'` when the body exceeds `limitBytes`. Rejects only when the body stream
 * itself fails (e.g. the client disconnected) or was already consumed.
 *
 * @example
 * ```ts
 * const raw = await readRawRequest(request, 16 * 1024)
 * if (raw === 'too-large') return toResponse(renderOAuthError(invalidRequest('The request body is too large')))
 * const result = await assistantAs.tokenEndpoint.handle(raw)
 * ```
 * @see RFC 9110 §8.6 (Content-Length)
 * @group HTTP
 */
export async function readRawRequest(
  request: Request,
  limitBytes: number = DEFAULT_BODY_LIMIT_BYTES,
): Promise<RawHttpRequest | 'too-large'> {
  const declared = request.headers.get('content-length')
  // A declared length over the limit is believed (refuse early); a smaller one is not (we count).
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > limitBytes) {
    return 'too-large'
  }
  const body = await readLimited(request.body, limitBytes)
  if (body === 'too-large') return 'too-large'
  return { method: request.method, headers: request.headers, body, url: request.url }
}

/**
 * Turns a handler's {@link HttpResult} into a Web `Response`. Statuses that cannot carry a body
 * (204, 304, …) get none.
 *
 * @example
 * ```ts
 * toResponse(jsonResult(200, {})) // Response 200, content-type application/json, body '{}'
 * ```
 * @see docs/architecture.md (layer 3: the lower door's result, and the `Response` door over it)
 * @group HTTP
 */
export function toResponse(result: HttpResult): Response {
  const body = NULL_BODY_STATUSES.has(result.status) ? null : result.body
  return new Response(body, { status: result.status, headers: result.headers })
}

/**
 * Options of {@link webHandler}.
 *
 * @example
 * ```ts
 * const webOptions: WebHandlerOptions = { onEvent: (event) => console.info(event.type) }
 * const handle = webHandler((raw) => assistantAs.tokenEndpoint.handle(raw), 16 * 1024, webOptions)
 * ```
 * @see SPEC R7.5 (nothing a handler throws escapes), docs/events.md
 * @group HTTP
 */
export interface WebHandlerOptions {
  /** Told of every unexpected failure (`unexpected-failure` at `http-adapter`); see `docs/events.md`. */
  readonly onEvent?: EventObserver
  /** The clock of the events' `at`. Default {@link systemRuntime}. */
  readonly runtime?: Pick<Runtime, 'now'>
}

/**
 * Wraps a lower-door handler as a `(Request) => Promise<Response>` handler: reads the request
 * with {@link readRawRequest}, answers a body over the limit with `invalid_request`, and turns
 * any unexpected throw (a body stream that fails, a handler that throws) into an
 * `unexpected-failure` event and a bare `server_error` 500 (503 for a full storage) — never a
 * stack trace or message, which could carry a secret (SPEC R7.4, R7.5).
 *
 * @example
 * ```ts
 * const fetch = webHandler((raw) => assistantAs.tokenEndpoint.handle(raw))
 * Deno.serve(fetch) // or: export default { fetch } in a worker
 * ```
 * @group HTTP
 */
export function webHandler(
  handle: (raw: RawHttpRequest) => Promise<HttpResult>,
  limitBytes: number = DEFAULT_BODY_LIMIT_BYTES,
  options: WebHandlerOptions = {},
): (request: Request) => Promise<Response> {
  return webDoor(handle, limitBytes, eventEmitter(options.onEvent, options.runtime ?? systemRuntime, 'http'))
}

/** {@link webHandler} for the SDK's own handlers, which already have an emitter. @internal */
export function webDoor(
  handle: (raw: RawHttpRequest) => Promise<HttpResult>,
  limitBytes: number,
  emit: Emit,
): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      const raw = await readRawRequest(request, limitBytes)
      return toResponse(raw === 'too-large' ? renderOAuthError(invalidRequest('The request body is too large')) : await handle(raw))
    } catch (error) {
      // The body stream, the handler, or a result no Response can carry.
      return toResponse(unexpected(emit, 'http-adapter', error))
    }
  }
}
