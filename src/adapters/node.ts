/**
 * Serving the SDK's handlers with Node's `http` module (and runtimes that mimic it). Written
 * against structural types of `IncomingMessage` and `ServerResponse`, not `node:http` itself, so
 * the core stays free of Node types while `createServer(toNodeListener(handler))` just works.
 *
 * @module
 */
import { concatBytes } from '../lib/bytes.js'
import { DEFAULT_BODY_LIMIT_BYTES } from '../protocol/constants.js'
import type { HttpResult, RawHttpRequest } from '../protocol/http.js'
import { invalidRequest, methodNotAllowed, renderOAuthError } from '../protocol/oauth-error.js'
import { eventEmitter, type EventObserver } from '../core/events.js'
import { unexpected } from '../http/guarded.js'
import { systemRuntime, type Runtime } from '../core/runtime.js'
import { invalidType, invalidValue } from '../core/misuse.js'

/**
 * The parts of Node's `IncomingMessage` the adapter reads.
 *
 * @example
 * ```ts
 * import type { IncomingMessage } from 'node:http'
 * const incoming = (request: IncomingMessage): NodeIncomingMessage => request // Node's own type fits
 * ```
 * @see docs/architecture.md (layer 3, "doors": the Node adapter of `reciprocal-oauth/node`)
 * @group Node adapter
 */
export interface NodeIncomingMessage extends AsyncIterable<Uint8Array | string> {
  readonly method?: string | undefined
  readonly url?: string | undefined
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /**
   * Every value of each header (Node's `headersDistinct`): `headers` keeps only the first of a
   * repeated `Authorization` or `Content-Type`, which the adapter must see to refuse.
   */
  readonly headersDistinct?: Readonly<Record<string, readonly string[] | undefined>>
}

/** Headers the SDK reads as one value, and Node's `headers` reduces to the first when repeated. */
const SINGLE_VALUED = ['authorization', 'content-type'] as const

/**
 * The request's headers with every value of a repeated {@link SINGLE_VALUED} header: such a
 * request is ambiguous (they are no lists, RFC 9110 §5.3) and the handler refuses it, as it does
 * at the other doors — reading only the first would accept what a proxy may have read otherwise.
 */
function requestHeaders(message: NodeIncomingMessage): NodeIncomingMessage['headers'] {
  let headers = message.headers
  for (const name of SINGLE_VALUED) {
    const values = message.headersDistinct?.[name]
    if (values !== undefined && values.length > 1) headers = { ...headers, [name]: values }
  }
  return headers
}

/**
 * The parts of Node's `ServerResponse` the adapter writes.
 *
 * @example
 * ```ts
 * import type { ServerResponse } from 'node:http'
 * const outgoing = (response: ServerResponse): NodeServerResponse => response // Node's own type fits
 * ```
 * @see docs/architecture.md (layer 3, "doors": the Node adapter of `reciprocal-oauth/node`)
 * @group Node adapter
 */
export interface NodeServerResponse {
  writeHead(status: number, headers: Record<string, string | string[]>): unknown
  end(body?: Uint8Array | string): unknown
}

/**
 * A handler with the lower door: every endpoint of the SDK (`tokenEndpoint`,
 * `revocationEndpoint`, a reciprocal receiver, `partyB.receiver`) is one.
 *
 * @example
 * ```ts
 * const handler: LowerDoorHandler = assistantAs.tokenEndpoint
 * const listener = toNodeListener(handler)
 * ```
 * @see SPEC R8.3 (one handler per endpoint, mounted as it is)
 * @group Node adapter
 */
export interface LowerDoorHandler {
  /** A request read into memory → a plain result (DESIGN §1, "two doors"). */
  handle(raw: RawHttpRequest): Promise<HttpResult>
  /** The endpoint's own body limit, bytes: the adapter reads up to it unless told otherwise. */
  readonly bodyLimitBytes?: number
}

/**
 * A Node `request` listener.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * const listener: NodeListener = toNodeListener(assistantAs.tokenEndpoint)
 * createServer(listener).listen(8080)
 * ```
 * @see SPEC R8.3 (one handler per endpoint, mounted as it is)
 * @group Node adapter
 */
export type NodeListener = (request: NodeIncomingMessage, response: NodeServerResponse) => Promise<void>

/**
 * Options of the Node listeners.
 *
 * @example
 * ```ts
 * const nodeOptions: NodeListenerOptions = { bodyLimitBytes: 16 * 1024 }
 * const listener = toNodeListener(assistantAs.tokenEndpoint, nodeOptions)
 * ```
 * @see SPEC R7.5 (request bodies are limited in size)
 * @group Node adapter
 */
export interface NodeListenerOptions {
  /** Request body limit, bytes (SPEC R7.5). Default `DEFAULT_BODY_LIMIT_BYTES`. */
  readonly bodyLimitBytes?: number
  /**
   * The origin the server is reached at, e.g. `https://assistant.example`, used to build
   * `request.url`. Default: `http://` + the `Host` header. Behind a TLS-terminating proxy, set it.
   */
  readonly origin?: string
  /** Told of every unexpected failure (`unexpected-failure` at `http-adapter`); see `docs/events.md`. */
  readonly onEvent?: EventObserver
  /** The clock of the events' `at`. Default {@link systemRuntime}. */
  readonly runtime?: Pick<Runtime, 'now'>
  /**
   * `toNodeListener` of a `(Request) => Promise<Response>` function only: the methods it hands to
   * the handler. Any other method is answered 405
   * with an `Allow` header listing these, before the body is read — so is a method the Fetch API
   * refuses to build a `Request` with (`CONNECT`, `TRACE`, `TRACK`), which therefore cannot be
   * listed here. Default {@link DEFAULT_NODE_METHODS}. The lower door (an SDK endpoint given to
   * `toNodeListener`, or `toNodeRawListener`) passes every method through: the SDK's handlers
   * answer 405 themselves.
   */
  readonly methods?: readonly string[]
}

/**
 * The methods `toNodeListener` carries by default: the RFC 9110 methods a Web `Request` can carry,
 * and PATCH (RFC 5789).
 *
 * @example
 * ```ts
 * toNodeListener(app.fetch, { methods: [...DEFAULT_NODE_METHODS, 'PROPFIND'] })
 * ```
 * @see RFC 9110 §9.3 (the methods), RFC 5789 §2 (PATCH)
 * @group Node adapter
 */
export const DEFAULT_NODE_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

const encoder = new TextEncoder()

/**
 * The body, or `undefined` when it is larger than the limit: a declared `Content-Length` over
 * the limit is refused before reading, and reading stops at the first byte past it (leaving the
 * loop ends the stream, so nothing more is buffered).
 */
async function readBody(message: NodeIncomingMessage, limit: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const declared = message.headers['content-length']
  if (typeof declared === 'string' && /^\d+$/.test(declared) && Number(declared) > limit) return undefined
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of message) {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk
    size += bytes.byteLength
    if (size > limit) return undefined
    chunks.push(bytes)
  }
  return concatBytes(chunks)
}

/** The request URL, or `undefined` when the request line or `Host` header make no valid URL. */
function requestUrl(message: NodeIncomingMessage, origin: string | undefined): string | undefined {
  const host = message.headers['host']
  const base = origin ?? `http://${typeof host === 'string' && host !== '' ? host : 'localhost'}`
  const path = message.url ?? '/'
  return URL.canParse(path, base) ? new URL(path, base).href : undefined
}

/** Reads what every listener needs, or the OAuth error to answer with (SPEC R7.5). */
async function readMessage(
  message: NodeIncomingMessage,
  limit: number,
  origin: string | undefined,
): Promise<{ url: string; body: Uint8Array<ArrayBuffer> } | HttpResult> {
  const url = requestUrl(message, origin)
  if (url === undefined) return renderOAuthError(invalidRequest('The request URL or Host header is malformed'))
  const body = await readBody(message, limit)
  if (body === undefined) return renderOAuthError(invalidRequest('The request body is too large'))
  return { url, body }
}

function writeResult(response: NodeServerResponse, result: HttpResult): void {
  response.writeHead(result.status, { ...result.headers })
  response.end(result.body)
}

/**
 * A Node listener for a handler's lower door: no Web `Request` is built, which is what makes this
 * the fast path (DESIGN §1, "two doors"). Every method reaches the handler, `TRACE` included: the
 * SDK's endpoints answer a method they do not serve with 405 and `Allow` themselves.
 * `toNodeListener(endpoint)` does the same for an SDK endpoint; this one takes the bare function.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * createServer(toNodeRawListener((raw) => assistantAs.tokenEndpoint.handle(raw))).listen(8080)
 * ```
 * @see SPEC R8.3 (one handler per endpoint, mounted as it is)
 * @group Node adapter
 */
export function toNodeRawListener(
  handle: (raw: RawHttpRequest) => Promise<HttpResult>,
  options: NodeListenerOptions = {},
): NodeListener {
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES
  const emit = eventEmitter(options.onEvent, options.runtime ?? systemRuntime, 'http')
  return async (message, response) => {
    try {
      const read = await readMessage(message, limit, options.origin)
      if ('status' in read) return writeResult(response, read)
      const raw: RawHttpRequest = { method: message.method ?? 'GET', headers: requestHeaders(message), body: read.body, url: read.url }
      writeResult(response, await handle(raw))
    } catch (error) {
      writeResult(response, unexpected(emit, 'http-adapter', error))
    }
  }
}

/** Refuses, at construction, a method no Web `Request` can carry: it could never be served. */
function assertCarriable(methods: readonly string[]): void {
  for (const method of methods) {
    try {
      new Request('http://localhost/', { method })
    } catch (cause) {
      throw invalidValue(`toNodeListener: a Web Request cannot carry the method ${JSON.stringify(method)}`, cause)
    }
  }
}

/**
 * A Node listener for an SDK endpoint, or for any `(Request) => Promise<Response>` handler.
 *
 * - An endpoint of the SDK (an object with the lower door, {@link LowerDoorHandler}) is served
 *   through that door: the request is read into memory and handed over as it is, with no Web
 *   `Request`, `Headers`, `AbortSignal` or body stream built — the fast path, as
 *   {@link toNodeRawListener}.
 * - A function — an application's routes — gets a Web `Request` and answers a `Response`. A
 *   method outside `options.methods` (by default {@link DEFAULT_NODE_METHODS}) gets 405
 *   `invalid_request` with an `Allow` header, never a 5xx (SPEC R7.5).
 *
 * Throws `TypeError` when `handler` is neither, or when `options.methods` names a method no Web
 * `Request` can carry.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * const token = toNodeListener(assistantAs.tokenEndpoint) // the lower door: no Web Request per call
 * const routes = toNodeListener((request) => app.fetch(request)) // everything else
 * createServer((req, res) => (req.url === '/token' ? token : routes)(req, res)).listen(8080)
 * ```
 * @group Node adapter
 */
export function toNodeListener(
  handler: LowerDoorHandler | ((request: Request) => Promise<Response>),
  options: NodeListenerOptions = {},
): NodeListener {
  if (typeof handler !== 'function') {
    if (typeof handler !== 'object' || handler === null || typeof handler.handle !== 'function') {
      throw invalidType('toNodeListener: pass an SDK endpoint (with handle) or a (Request) => Promise<Response> function')
    }
    // The endpoint's own limit, as its Web door has it (an adapter option still overrides it).
    const bodyLimitBytes = options.bodyLimitBytes ?? handler.bodyLimitBytes
    return toNodeRawListener((raw) => handler.handle(raw), { ...options, ...(bodyLimitBytes === undefined ? {} : { bodyLimitBytes }) })
  }
  const limit = options.bodyLimitBytes ?? 1024 * 1024
  const methods = options.methods ?? DEFAULT_NODE_METHODS
  assertCarriable(methods)
  const refusal = renderOAuthError(methodNotAllowed(methods, 'The request method is not supported'))
  const emit = eventEmitter(options.onEvent, options.runtime ?? systemRuntime, 'http')
  return async (message, response) => {
    try {
      const method = message.method ?? 'GET'
      // RFC 9110 method names are case-sensitive; Node hands them over in upper case.
      if (!methods.includes(method)) return writeResult(response, refusal)
      const read = await readMessage(message, limit, options.origin)
      if ('status' in read) return writeResult(response, read)
      const headers = new Headers()
      for (const [name, value] of Object.entries(requestHeaders(message))) {
        if (typeof value === 'string') headers.set(name, value)
        else if (value !== undefined) for (const item of value) headers.append(name, item)
      }
      const hasBody = method !== 'GET' && method !== 'HEAD'
      const request = new Request(read.url, { method, headers, ...(hasBody ? { body: read.body } : {}) })
      const answer = await handler(request)
      const outHeaders: Record<string, string | string[]> = {}
      answer.headers.forEach((value, name) => {
        // Several Set-Cookie headers must stay separate lines.
        if (name === 'set-cookie') return
        outHeaders[name] = value
      })
      const cookies = answer.headers.getSetCookie()
      if (cookies.length > 0) outHeaders['set-cookie'] = cookies
      response.writeHead(answer.status, outHeaders)
      response.end(new Uint8Array(await answer.arrayBuffer()))
    } catch (error) {
      writeResult(response, unexpected(emit, 'http-adapter', error))
    }
  }
}
