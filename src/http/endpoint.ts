/**
 * One place for the two doors every handler of the SDK has (DESIGN §1): the lower door, a
 * request already read into memory → a plain result, and the `(Request) => Promise<Response>`
 * door over it; both guarded, so that nothing a handler throws reaches the caller.
 *
 * @module
 */
import type { HttpResult, RawHttpRequest } from '../protocol/http.js'
import type { Emit, FailureSite } from '../core/events.js'
import { guarded } from './guarded.js'
import { webDoor } from './web.js'

/**
 * An HTTP endpoint with its two doors (DESIGN §1).
 *
 * @example
 * ```ts
 * const endpoint: Endpoint = assistantAs.tokenEndpoint
 * const answer = await endpoint.fetch(request) // or endpoint.handle(raw), without a Web Request
 * ```
 * @see SPEC R8.3
 * @group HTTP
 */
export interface Endpoint {
  /** Lower door: a request read into memory → a plain result. Never throws. */
  handle(raw: RawHttpRequest): Promise<HttpResult>
  /** `(Request) => Promise<Response>` door, with the body size limit. Never throws. */
  fetch(request: Request): Promise<Response>
  /** The body size limit, bytes (SPEC R7.5): what an adapter reading the request stops at. */
  readonly bodyLimitBytes: number
}

/**
 * Both doors of a handler, guarded: an unexpected throw is told to the observer at `where` and
 * answered with a bare 500 (or 503), and the Web door enforces the body size limit.
 *
 * @example
 * ```ts
 * const tokenEndpoint = endpoint((raw) => handleTokenRequest(context, raw), { where: 'token-endpoint', emit: context.emit, bodyLimitBytes: context.bodyLimitBytes })
 * ```
 * @internal
 */
export function endpoint(
  handle: (raw: RawHttpRequest) => Promise<HttpResult>,
  options: { readonly where: FailureSite; readonly emit: Emit; readonly bodyLimitBytes: number },
): Endpoint {
  const safe = guarded(handle, options.emit, options.where)
  return { handle: safe, fetch: webDoor(safe, options.bodyLimitBytes, options.emit), bodyLimitBytes: options.bodyLimitBytes }
}
