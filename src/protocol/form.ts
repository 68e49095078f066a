/**
 * Strict `application/x-www-form-urlencoded` parsing for token-endpoint requests: UTF-8 only,
 * a size limit, and no repeated parameters (RFC 6749 §3.2). Pure: it takes bytes, returns a
 * parameter map or the OAuth error to answer with.
 *
 * @module
 */
import { DEFAULT_BODY_LIMIT_BYTES } from './constants.js'
import { headerValue, type RawHttpRequest } from './http.js'
import { invalidRequest, methodNotAllowed, type OAuthErrorResponse } from './oauth-error.js'

/**
 * The outcome of a parse: the value, or the OAuth error to answer with.
 *
 * @example
 * ```ts
 * const parsed: Parsed<FormParams> = parseForm(body)
 * const grantType = parsed.ok ? parsed.value.get('grant_type') : undefined
 * ```
 * @see SPEC R7.5 (every malformed input gets a well-formed OAuth error)
 * @group Protocol
 */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: OAuthErrorResponse }

/**
 * Form parameters after strict parsing: each name at most once.
 *
 * @example
 * ```ts
 * const parsed = parseForm(body)
 * const form: FormParams | undefined = parsed.ok ? parsed.value : undefined
 * const grantType = form?.get('grant_type')
 * ```
 * @see SPEC R3.4 (a parameter given twice makes the request invalid), R7.5
 * @group Protocol
 */
export type FormParams = ReadonlyMap<string, string>

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Parses a form body strictly. Refuses: a body over `limitBytes`, bytes that are not UTF-8, and
 * any parameter sent twice (RFC 6749 §3.2). Parameters with an empty value are treated as
 * omitted (RFC 6749 §3.1).
 *
 * @example
 * ```ts
 * const parsed = parseForm('grant_type=authorization_code&code=abc')
 * if (parsed.ok) parsed.value.get('code') // 'abc'
 * parseForm('code=a&code=b').ok // false: invalid_request
 * ```
 * @group Protocol
 */
export function parseForm(
  body: string | Uint8Array | undefined,
  limitBytes: number = DEFAULT_BODY_LIMIT_BYTES,
): Parsed<FormParams> {
  let text: string
  if (body === undefined) {
    text = ''
  } else if (typeof body === 'string') {
    // A string's UTF-8 length is at least its UTF-16 length: cheap pre-check, exact check next.
    // A UTF-16 code unit is at most 3 UTF-8 bytes: a short body needs no exact count.
    if (body.length > limitBytes || (body.length * 3 > limitBytes && encoder.encode(body).byteLength > limitBytes)) {
      return { ok: false, error: invalidRequest('The request body is too large') }
    }
    text = body
  } else {
    if (body.byteLength > limitBytes) return { ok: false, error: invalidRequest('The request body is too large') }
    try {
      text = decoder.decode(body)
    } catch {
      // expected: a body that is not UTF-8 is the client's malformed request (invalid_request).
      return { ok: false, error: invalidRequest('The request body is not UTF-8') }
    }
  }
  const params = new Map<string, string>()
  const seen = new Set<string>()
  for (const sequence of text.split('&')) {
    if (sequence === '') continue
    const equals = sequence.indexOf('=')
    const name = percentDecodeUtf8(equals < 0 ? sequence : sequence.slice(0, equals))
    const value = percentDecodeUtf8(equals < 0 ? '' : sequence.slice(equals + 1))
    if (name === undefined || value === undefined) {
      return { ok: false, error: invalidRequest('The request body is not UTF-8') }
    }
    if (seen.has(name)) return { ok: false, error: invalidRequest(`Parameter ${safeName(name)} is repeated`) }
    seen.add(name)
    if (value !== '') params.set(name, value)
  }
  return { ok: true, value: params }
}

const encoder = new TextEncoder()
/** Keeps a percent-encoded BOM inside a value, as `URLSearchParams` would. */
const valueDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * WHATWG form decoding of one name or value (`+` is a space, `%XX` a byte), except that bytes
 * which are not UTF-8 are refused (`undefined`) instead of silently becoming U+FFFD as
 * `URLSearchParams` does: "UTF-8 only" must hold for percent-encoded bytes too.
 */
function percentDecodeUtf8(encoded: string): string | undefined {
  const plain = encoded.includes('+') ? encoded.replace(/\+/g, ' ') : encoded
  if (!plain.includes('%')) return plain
  // Well-formed escapes of valid UTF-8 (what every client sends) decode natively, with the same
  // result as the byte-wise WHATWG decoding below, which handles the rest: a '%' not followed by
  // two hex digits stays literal there, and bytes that are not UTF-8 are refused.
  try {
    return decodeURIComponent(plain)
  } catch {
    // expected: URIError for a literal '%' or bytes that are not UTF-8; the byte-wise decoding decides.
  }
  const bytes = encoder.encode(plain)
  const out = new Uint8Array(bytes.length)
  let length = 0
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0
    const hex = byte === 0x25 ? String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0) : ''
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[length++] = Number.parseInt(hex, 16)
      i += 2
    } else {
      // A '%' not followed by two hex digits stays literal, as in the WHATWG parser.
      out[length++] = byte
    }
  }
  try {
    return valueDecoder.decode(out.subarray(0, length))
  } catch {
    // expected: percent-decoded bytes that are not UTF-8 are a malformed form (invalid_request).
    return undefined
  }
}

/**
 * Checks method and content type of a token-endpoint style request, then parses its body with
 * {@link parseForm}. Any method but POST is refused with 405 and `Allow: POST` (RFC 9110
 * §15.5.6); the other failures are 400 `invalid_request`.
 *
 * @example
 * ```ts
 * parseFormRequest({ method: 'GET', headers: {} }) // { ok: false, error: { error: 'invalid_request', status: 405, allow: ['POST'], … } }
 * ```
 * @see SPEC R7.5, RFC 6749 §3.2
 * @group Protocol
 */
export function parseFormRequest(request: RawHttpRequest, limitBytes?: number): Parsed<FormParams> {
  if (request.method.toUpperCase() !== 'POST') {
    return { ok: false, error: methodNotAllowed(['POST'], 'The request must use POST') }
  }
  const contentType = headerValue(request.headers, 'content-type') ?? ''
  const [mediaType, ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase())
  if (mediaType !== 'application/x-www-form-urlencoded') {
    return { ok: false, error: invalidRequest('The content type must be application/x-www-form-urlencoded') }
  }
  const charset = parameters.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '')
  if (charset !== undefined && charset !== 'utf-8') {
    return { ok: false, error: invalidRequest('The request body must be UTF-8') }
  }
  return parseForm(request.body, limitBytes)
}

/** A parameter name fit to quote in an error: printable ASCII, short. Values are never quoted. */
function safeName(name: string): string {
  const cleaned = name.replace(/[^\x21-\x7e]/g, '').slice(0, 40)
  return cleaned === '' ? '(unnamed)' : cleaned
}
