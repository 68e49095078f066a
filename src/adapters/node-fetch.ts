/**
 * The SDK's calls to its peers (the code exchange, the reciprocal POST, the redemption, refresh
 * and revocation) on Node's own `http` and `https` clients instead of the global `fetch`. Node's
 * `fetch` builds a Web `Request`, body streams, a clone of the request for `redirect: 'manual'`
 * and a `Response` stream per call: a redemption against a bare server measured about 600 µs of
 * CPU (both ends) through it, 200 µs through this. These answers are small and read whole, so
 * none of that is needed.
 *
 * @module
 */
import { concatBytes } from '../lib/bytes.js'
import { wholeAnswers } from '../lib/whole-answers.js'
import { ResponseTooLargeError } from '../client/errors.js'
import { MAX_PEER_RESPONSE_BYTES } from '../client/peer.js'
import { invalidType } from '../core/misuse.js'

/** The parts of Node's `http.IncomingMessage` (an answer) read here. */
interface NodeAnswer {
  readonly statusCode?: number | undefined
  readonly rawHeaders: readonly string[]
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown
  on(event: 'end' | 'close', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** The parts of Node's `http.ClientRequest` used here. */
interface NodeOutgoing {
  on(event: 'error', listener: (error: Error) => void): unknown
  end(body?: Uint8Array): unknown
  destroy(): unknown
}

/** Node's `http.request` and `https.request`, as called here. */
type NodeRequest = (url: URL, options: { method: string; headers: Record<string, string> }, onAnswer: (answer: NodeAnswer) => void) => NodeOutgoing

/** Node's `http.request` and `https.request`, once taken. */
const clients = /* @__PURE__ */ new Map<'http:' | 'https:', NodeRequest>()

/**
 * Node's `http.request` or `https.request`, taken when first needed with `process.getBuiltinModule`
 * (Node ≥ 20.16): importing the adapter loads neither module (nor TLS), and no bundler sees them.
 */
function clientFor(protocol: 'http:' | 'https:'): NodeRequest {
  const known = clients.get(protocol)
  if (known !== undefined) return known
  const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const module = node?.getBuiltinModule?.(protocol === 'https:' ? 'node:https' : 'node:http') as { request?: NodeRequest } | undefined
  if (typeof module?.request !== 'function') throw invalidType('nodeFetch needs Node.js 20.16 or later (process.getBuiltinModule)')
  clients.set(protocol, module.request)
  return module.request
}

const encoder = /* @__PURE__ */ new TextEncoder()

/** The request body as bytes, and the content type `fetch` would give it. */
function bodyOf(body: RequestInit['body']): { bytes: Uint8Array | undefined; type?: string } {
  if (body === undefined || body === null) return { bytes: undefined }
  if (typeof body === 'string') return { bytes: encoder.encode(body), type: 'text/plain;charset=UTF-8' }
  if (body instanceof URLSearchParams) return { bytes: encoder.encode(body.toString()), type: 'application/x-www-form-urlencoded;charset=UTF-8' }
  if (body instanceof Uint8Array) return { bytes: body }
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body) }
  throw invalidType('nodeFetch: the body must be a string, URLSearchParams, Uint8Array or ArrayBuffer')
}

/** The answer's headers, repeated ones kept (as `fetch` gives them). */
function headersOf(answer: NodeAnswer): Headers {
  const headers = new Headers()
  const raw = answer.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string)
  return headers
}

/** Statuses whose answer has no body (a `Response` refuses one). */
const NULL_BODY = /* @__PURE__ */ new Set([101, 103, 204, 205, 304])

/**
 * A `fetch` for `PeerConfig.fetch` on Node: the request on `node:http` or `node:https` through
 * Node's global agents, which keep connections alive and reuse them (and drop an idle one before
 * the server's `Keep-Alive` timeout), the whole answer read into memory and handed back as a
 * `Response`. It does what the SDK's peer calls need and no more: redirects are never followed
 * (the answer is returned as it is, and the SDK refuses it, SPEC R7.7); the body must be a
 * string, `URLSearchParams`, `Uint8Array` or `ArrayBuffer`; `signal` aborts the call, rejecting
 * with its reason, as `fetch` does; an answer larger than the SDK reads from a peer (256 KiB) is
 * dropped as soon as it passes that size. No `Accept-Encoding` is sent, and nothing is
 * decompressed. For anything else (a proxy, custom TLS), keep the global `fetch` or pass your own.
 *
 * @example
 * ```ts
 * import { nodeFetch } from 'reciprocal-oauth/node'
 * const assistant: PeerConfig = {
 *   as: { issuer: 'https://assistant.example', token_endpoint: 'https://assistant.example/token' },
 *   client: { client_id: 'music' },
 *   clientAuth: ClientSecretBasic(secret),
 *   fetch: nodeFetch, // on Node: no Web Request, stream or clone per call
 * }
 * ```
 * @group Node adapter
 */
export const nodeFetch: typeof fetch = async (input, init = {}) => {
  if (typeof input !== 'string' && !(input instanceof URL)) throw invalidType('nodeFetch: pass the URL as a string or URL, not a Request')
  const url = new URL(input)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidType('nodeFetch: only http: and https: URLs')
  const request = clientFor(url.protocol)
  const { bytes, type } = bodyOf(init.body)
  const headers: Record<string, string> = {}
  new Headers(init.headers).forEach((value, name) => (headers[name] = value))
  if (type !== undefined && headers['content-type'] === undefined) headers['content-type'] = type
  if (bytes !== undefined) headers['content-length'] = String(bytes.byteLength)
  const method = (init.method ?? 'GET').toUpperCase()
  const signal = init.signal ?? undefined
  signal?.throwIfAborted()

  return new Promise<Response>((resolve, reject) => {
    let settled = false
    const settle = (error: unknown, response?: Response): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      if (response === undefined) reject(error)
      else resolve(response)
    }
    const onAbort = (): void => {
      settle(signal?.reason)
      outgoing.destroy()
    }
    const outgoing = request(url, { method, headers }, (answer) => {
      const chunks: Uint8Array[] = []
      let size = 0
      answer.on('data', (chunk) => {
        size += chunk.byteLength
        if (size > MAX_PEER_RESPONSE_BYTES) {
          settle(new ResponseTooLargeError())
          outgoing.destroy()
          return
        }
        chunks.push(chunk)
      })
      answer.on('error', (error) => settle(error))
      answer.on('end', () => {
        try {
          const status = answer.statusCode ?? 0
          const body = NULL_BODY.has(status) || method === 'HEAD' ? null : concatBytes(chunks)
          const response = new Response(body, { status, headers: headersOf(answer) })
          wholeAnswers.add(response)
          settle(undefined, response)
        } catch (error) {
          // expected: a status no `Response` can carry (outside 200–599); the call rejects with it.
          settle(error)
        }
      })
      // Closed before its end: the connection dropped mid-answer. (After `end` it changes nothing,
      // and builds no Error: one captures a stack, a cost every call would pay.)
      answer.on('close', () => settled || settle(new Error('nodeFetch: the connection closed before the answer ended')))
    })
    outgoing.on('error', (error) => settle(error))
    signal?.addEventListener('abort', onAbort, { once: true })
    outgoing.end(bytes)
  })
}
