/**
 * What every door does with a failure it did not expect (a storage outage, a bug, a body stream
 * that broke): tell the observer, and answer with nothing that could carry a secret.
 *
 * @module
 */
import type { HttpResult } from '../protocol/http.js'
import { failureResponse, renderOAuthError } from '../protocol/oauth-error.js'
import { unexpectedFailure, type Emit, type FailureSite } from '../core/events.js'

/**
 * Tells the observer of `error` as an `unexpected-failure` at `where`, and resolves the answer to
 * send: a bare `500 server_error` (or `503` with `Retry-After` for a full storage, see
 * {@link failureResponse}) — no message, no stack.
 *
 * @example
 * ```ts
 * try {
 *   return await handleTokenRequest(context, raw)
 * } catch (error) {
 *   return unexpected(context.emit, 'token-endpoint', error)
 * }
 * ```
 * @internal
 */
export function unexpected(emit: Emit, where: FailureSite, error: unknown): HttpResult {
  emit(unexpectedFailure(where, error))
  return renderOAuthError(failureResponse(error))
}

/**
 * Wraps a handler so that whatever it throws is {@link unexpected}: told to the observer at
 * `where`, and answered with a bare 500 (or 503).
 *
 * @example
 * ```ts
 * const handle = guarded((raw: RawHttpRequest) => handleTokenRequest(context, raw), context.emit, 'token-endpoint')
 * ```
 * @internal
 */
export function guarded<I>(handle: (input: I) => Promise<HttpResult>, emit: Emit, where: FailureSite): (input: I) => Promise<HttpResult> {
  return async (input) => {
    try {
      return await handle(input)
    } catch (error) {
      return unexpected(emit, where, error)
    }
  }
}
