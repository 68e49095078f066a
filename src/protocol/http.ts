/**
 * The HTTP shapes of the handlers' lower door (DESIGN §1, "two doors"): a request already read
 * into memory, and a plain result. Frameworks and fast adapters use these directly; the
 * `(Request) => Promise<Response>` door is a thin wrapper over them.
 *
 * @module
 */

/**
 * Request headers as either Web `Headers` or a Node-style record (lower-case names; repeated
 * headers as arrays).
 *
 * @group HTTP
 */
export type HeaderBag = Headers | Readonly<Record<string, string | readonly string[] | undefined>>

/**
 * An HTTP request read into memory: what every handler's lower door takes.
 *
 * @example
 * ```ts
 * const raw: RawHttpRequest = {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/x-www-form-urlencoded' },
 *   body: 'grant_type=authorization_code&code=…',
 * }
 * ```
 * @group HTTP
 */
export interface RawHttpRequest {
  /** HTTP method, any case. */
  readonly method: string
  /** Request headers. */
  readonly headers: HeaderBag
  /** Body bytes or text; `undefined` or empty for none. */
  readonly body?: string | Uint8Array | undefined
  /** Full request URL, when the handler needs it (e.g. for a query string). */
  readonly url?: string | undefined
}

/**
 * What every handler's lower door returns: a status, headers and a text body.
 *
 * @group HTTP
 */
export interface HttpResult {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * One header's value from a {@link HeaderBag}, case-insensitively. A header sent more than once
 * comes back joined with `, ` (as `Headers.get` does).
 *
 * @example
 * ```ts
 * headerValue({ authorization: 'Basic …' }, 'Authorization') // 'Basic …'
 * ```
 * @group HTTP
 */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>
  const lower = name.toLowerCase()
  let value = record[lower]
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === lower) {
        value = record[key]
        break
      }
    }
  }
  if (value === undefined) return undefined
  return typeof value === 'string' ? value : value.join(', ')
}

/**
 * Builds a JSON {@link HttpResult} with `Cache-Control: no-store` (RFC 6749 §5.1).
 *
 * @example
 * ```ts
 * jsonResult(200, {}) // { status: 200, headers: { 'content-type': 'application/json', … }, body: '{}' }
 * ```
 * @group HTTP
 */
export function jsonResult(
  status: number,
  body: unknown,
  extraHeaders: Readonly<Record<string, string>> = {},
): HttpResult {
  return {
    status,
    headers: {
      'content-type': 'application/json;charset=UTF-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      ...extraHeaders,
    },
    body: JSON.stringify(body),
  }
}
