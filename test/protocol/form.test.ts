import { DEFAULT_BODY_LIMIT_BYTES, type FormParams, type Parsed, parseForm, parseFormRequest, type RawHttpRequest } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'

const FORM = 'application/x-www-form-urlencoded'
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

function params(parsed: Parsed<FormParams>): Record<string, string> {
  if (!parsed.ok) throw new Error(`expected success, got ${parsed.error.error}: ${parsed.error.description}`)
  return Object.fromEntries(parsed.value)
}

function expectInvalidRequest(parsed: Parsed<FormParams>): string {
  expect(parsed.ok).toBe(false)
  if (parsed.ok) return ''
  expect(parsed.error.error).toBe('invalid_request')
  expect(parsed.error.status).toBe(400)
  return parsed.error.description ?? ''
}

function post(body: RawHttpRequest['body'], contentType: string | null = FORM): RawHttpRequest {
  return { method: 'POST', headers: contentType === null ? {} : { 'content-type': contentType }, body }
}

describe('parseForm: decoding', () => {
  it('parses names and values, with + as space and percent-escapes', () => {
    expect(params(parseForm('grant_type=authorization_code&code=a%2Bb+c&x%20y=%C3%A9'))).toEqual({
      grant_type: 'authorization_code',
      code: 'a+b c',
      'x y': 'é',
    })
  })

  it('decodes as URLSearchParams does (WHATWG), escapes well-formed or not, mixed in one value', () => {
    for (const body of ['a=100%25%zz%C3%A9', 'a=%%41%4', 'a=%EF%BB%BFx', 'a=%E2%9C%93+%2B%7e', 'a=%C3%A9%', 'a=%3A%3a%2F']) {
      expect(params(parseForm(body)), body).toEqual(Object.fromEntries(new URLSearchParams(body)))
    }
  })

  it('accepts bytes and strings alike', () => {
    expect(params(parseForm(bytes('a=1&b=%E2%9C%93')))).toEqual(params(parseForm('a=1&b=%E2%9C%93')))
    expect(params(parseForm(bytes('b=✓')))).toEqual({ b: '✓' })
  })

  it('treats no body, an empty body and empty sequences as no parameters', () => {
    expect(params(parseForm(undefined))).toEqual({})
    expect(params(parseForm(''))).toEqual({})
    expect(params(parseForm(new Uint8Array(0)))).toEqual({})
    expect(params(parseForm('&&a=1&&'))).toEqual({ a: '1' })
  })

  it('keeps "=" inside a value', () => {
    expect(params(parseForm('assertion=a.b.c==&x=1=2'))).toEqual({ assertion: 'a.b.c==', x: '1=2' })
  })

  it('keeps a stray % literally, like the WHATWG parser', () => {
    expect(params(parseForm('a=100%&b=%zz'))).toEqual({ a: '100%', b: '%zz' })
  })
})

describe('parseForm: UTF-8 only (SPEC R7.5)', () => {
  it.each([
    ['a lone continuation byte', [0x61, 0x3d, 0x80]],
    ['0xFF', [0x61, 0x3d, 0xff]],
    ['a truncated 2-byte sequence', [0x61, 0x3d, 0xc3]],
    ['an overlong encoding of "/"', [0x61, 0x3d, 0xc0, 0xaf]],
    ['an encoded UTF-16 surrogate', [0x61, 0x3d, 0xed, 0xa0, 0x80]],
    ['Latin-1 "é"', [0x61, 0x3d, 0xe9]],
  ])('refuses raw bytes with %s', (_label, raw) => {
    expect(expectInvalidRequest(parseForm(Uint8Array.from(raw)))).toMatch(/UTF-8/)
  })

  it.each([
    ['%FF', 'code=%FF'],
    ['%80', 'code=%80'],
    ['Latin-1 %E9', 'code=caf%E9'],
    ['an encoded surrogate', 'code=%ED%A0%80'],
    ['a truncated sequence', 'code=%C3'],
    ['an invalid name', '%FF=1'],
  ])('refuses percent-encoded bytes that are not UTF-8: %s', (_label, body) => {
    expect(expectInvalidRequest(parseForm(body))).toMatch(/UTF-8/)
    expect(expectInvalidRequest(parseForm(bytes(body)))).toMatch(/UTF-8/)
  })

  it('never returns a replacement character for bad input', () => {
    const parsed = parseForm('code=%FF%FE')
    expect(parsed.ok && [...parsed.value.values()].some((value) => value.includes('\uFFFD'))).toBe(false)
  })
})

describe('parseForm: size limit (SPEC R7.5)', () => {
  it('accepts a body of exactly the limit and refuses one byte more', () => {
    const exact = 'a=' + 'x'.repeat(8)
    expect(exact.length).toBe(10)
    expect(params(parseForm(exact, 10))).toEqual({ a: 'x'.repeat(8) })
    expect(params(parseForm(bytes(exact), 10))).toEqual({ a: 'x'.repeat(8) })
    expect(expectInvalidRequest(parseForm(exact + 'x', 10))).toMatch(/too large/)
    expect(expectInvalidRequest(parseForm(bytes(exact + 'x'), 10))).toMatch(/too large/)
  })

  it('counts UTF-8 bytes, not UTF-16 units, for string bodies', () => {
    // 'a=' + four 'é' = 6 UTF-16 units but 10 UTF-8 bytes
    expect(params(parseForm('a=éééé', 10))).toEqual({ a: 'éééé' })
    expect(expectInvalidRequest(parseForm('a=ééééé', 10))).toMatch(/too large/)
  })

  it('defaults to DEFAULT_BODY_LIMIT_BYTES', () => {
    const atLimit = 'a=' + 'x'.repeat(DEFAULT_BODY_LIMIT_BYTES - 2)
    expect(parseForm(atLimit).ok).toBe(true)
    expectInvalidRequest(parseForm(atLimit + 'x'))
  })
})

describe('parseForm: repeated parameters (RFC 6749 §3.2, SPEC R3.4)', () => {
  it.each([
    ['a repeated value', 'code=a&code=b'],
    ['the same value twice', 'code=a&code=a'],
    ['repeated empty values', 'code=&code='],
    ['repeated bare names', 'code&code'],
    ['an empty and a non-empty one', 'code=&code=a'],
    ['the name percent-encoded the second time', 'code=a&%63ode=b'],
  ])('refuses %s', (_label, body) => {
    expect(expectInvalidRequest(parseForm(body))).toMatch(/code is repeated/)
  })

  it('never echoes a value in the error', () => {
    const description = expectInvalidRequest(parseForm('code=SECRET-1&code=SECRET-2'))
    expect(description).not.toMatch(/SECRET/)
  })

  it('names an unprintable parameter safely', () => {
    const description = expectInvalidRequest(parseForm('%0A%C3%A9%7F=1&%0A%C3%A9%7F=2'))
    expect(description).toBe('Parameter (unnamed) is repeated')
    const long = 'n'.repeat(500)
    expect(expectInvalidRequest(parseForm(`${long}=1&${long}=2`)).length).toBeLessThan(80)
  })
})

describe('parseForm: empty values are omitted (RFC 6749 §3.1)', () => {
  it('drops empty and bare parameters', () => {
    const parsed = parseForm('grant_type=x&scope=&state')
    expect(params(parsed)).toEqual({ grant_type: 'x' })
    expect(parsed.ok && parsed.value.has('scope')).toBe(false)
  })
})

describe('parseFormRequest: method and content type (SPEC R3.4, R7.5)', () => {
  it('accepts a POST form', () => {
    expect(params(parseFormRequest(post('a=1')))).toEqual({ a: '1' })
  })

  it.each(['GET', 'PUT', 'HEAD', 'TRACE', 'OPTIONS'])('refuses %s with 405 and Allow: POST (RFC 9110 §15.5.6)', (method) => {
    const parsed = parseFormRequest({ method, headers: { 'content-type': FORM }, body: 'a=1' })
    expect(parsed).toEqual({
      ok: false,
      error: { error: 'invalid_request', status: 405, description: 'The request must use POST', allow: ['POST'] },
    })
  })

  it('accepts the method in any case', () => {
    expect(parseFormRequest({ method: 'post', headers: { 'content-type': FORM }, body: 'a=1' }).ok).toBe(true)
  })

  it.each([
    ['missing', null],
    ['empty', ''],
    ['JSON', 'application/json'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['text', 'text/plain'],
    ['a prefix of the right type', 'application/x-www-form-urlencodedx'],
  ])('refuses a content type that is %s', (_label, contentType) => {
    expect(expectInvalidRequest(parseFormRequest(post('a=1', contentType)))).toMatch(/content type/)
  })

  it.each([
    FORM,
    'Application/X-WWW-Form-Urlencoded',
    `${FORM}; charset=UTF-8`,
    `${FORM};charset=utf-8`,
    `${FORM}; charset="UTF-8"`,
  ])('accepts %j', (contentType) => {
    expect(params(parseFormRequest(post('a=1', contentType)))).toEqual({ a: '1' })
  })

  it.each([`${FORM}; charset=iso-8859-1`, `${FORM}; charset=windows-1252`, `${FORM}; charset=utf-16`])(
    'refuses %j',
    (contentType) => {
      expect(expectInvalidRequest(parseFormRequest(post('a=1', contentType)))).toMatch(/UTF-8/)
    },
  )

  it('reads the content type from Web Headers too', () => {
    const raw: RawHttpRequest = { method: 'POST', headers: new Headers({ 'Content-Type': FORM }), body: bytes('a=1') }
    expect(params(parseFormRequest(raw))).toEqual({ a: '1' })
  })

  it('passes the size limit on', () => {
    expect(parseFormRequest(post('a=12'), 4).ok).toBe(true)
    expect(expectInvalidRequest(parseFormRequest(post('a=123'), 4))).toMatch(/too large/)
  })

  it('applies the body checks after the header checks', () => {
    expect(expectInvalidRequest(parseFormRequest(post(Uint8Array.from([0x61, 0x3d, 0xff]))))).toMatch(/UTF-8/)
    expect(expectInvalidRequest(parseFormRequest(post('a=1&a=2')))).toMatch(/repeated/)
  })
})
