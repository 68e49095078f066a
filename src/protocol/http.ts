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
 * @example
 * ```ts
 * const headers: HeaderBag = { authorization: `Basic ${btoa('music:secret')}`, 'content-type': 'application/x-www-form-urlencoded' }
 * const extracted = extractClientCredentials(headers, params)
 * ```
 * @see docs/architecture.md (layer 3: the lower door takes a request read into memory)
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
 * @see docs/architecture.md (layer 3: the lower door takes a request read into memory)
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
 * @example
 * ```ts
 * const result: HttpResult = await assistantAs.tokenEndpoint.handle(raw)
 * const answer = toResponse(result)
 * ```
 * @see docs/architecture.md (layer 3: the lower door returns a plain result)
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

const SPACE = 0x20

/**
 * The credentials of an `Authorization` header of the given auth scheme (RFC 9110 §11.6.2): the
 * text after the scheme and one or more spaces, trailing spaces removed. `undefined` when the
 * header is of another scheme (the scheme is matched case-insensitively and as a whole token, so
 * `Basicfoo` is not `Basic`); `null` when the scheme is not followed by a space.
 *
 * Scanned by hand rather than with a regular expression: in `/^basic +(…*) *$/` the two runs of
 * spaces overlap when the credentials are empty, and "Basic", n spaces and one invalid character
 * cost n² steps of backtracking (issue 6). This costs one pass.
 *
 * @example
 * ```ts
 * authorizationCredentials('Basic  YTpi ', 'Basic') // 'YTpi'
 * authorizationCredentials('Bearer x', 'Basic') // undefined
 * authorizationCredentials('Basic', 'Basic') // null
 * ```
 * @see RFC 9110 §11.4, RFC 7617 §2, RFC 6750 §2.1
 * @group HTTP
 */
export function authorizationCredentials(header: string, scheme: string): string | null | undefined {
  const schemeEnd = scheme.length
  if (header.slice(0, schemeEnd).toLowerCase() !== scheme.toLowerCase()) return undefined
  if (header.length > schemeEnd && !/\s/.test(header.charAt(schemeEnd))) return undefined
  let start = schemeEnd
  while (header.charCodeAt(start) === SPACE) start++
  if (start === schemeEnd) return null
  let end = header.length
  while (end > start && header.charCodeAt(end - 1) === SPACE) end--
  return header.slice(start, end)
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
