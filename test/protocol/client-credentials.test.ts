import { extractClientCredentials, type HeaderBag, type Parsed, type PresentedClientCredentials } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { CLIENT_AUTH_PARAMETERS, JWT_BEARER_ASSERTION_TYPE } from '../../src/protocol/client-credentials.js'

/** RFC 6749 §2.3.1: form-urlencode id and secret, then Basic-encode "id:secret" as UTF-8. */
function basic(id: string, secret: string): string {
  const encode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2)
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`, 'utf8').toString('base64')}`
}
const rawBasic = (text: string): string => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`

function extract(headers: HeaderBag, params: Record<string, string> = {}): Parsed<PresentedClientCredentials> {
  return extractClientCredentials(headers, new Map(Object.entries(params)))
}

function ok(parsed: Parsed<PresentedClientCredentials>): PresentedClientCredentials {
  if (!parsed.ok) throw new Error(`expected success, got ${parsed.error.error}: ${parsed.error.description}`)
  return parsed.value
}

function refused(parsed: Parsed<PresentedClientCredentials>, error: string, challenge?: 'Basic'): void {
  expect(parsed.ok).toBe(false)
  if (parsed.ok) return
  expect(parsed.error.error).toBe(error)
  expect(parsed.error.status).toBe(error === 'invalid_client' ? 401 : 400)
  expect(parsed.error.challenge).toBe(challenge)
}

describe('client_secret_basic (RFC 6749 §2.3.1)', () => {
  it('reads id and secret', () => {
    expect(ok(extract({ authorization: basic('music', 's3cret') }))).toEqual({
      method: 'client_secret_basic',
      clientId: 'music',
      secret: 's3cret',
    })
  })

  it('form-decodes an id and a secret that contain ":" "+" "%" and spaces', () => {
    const id = 'urn:client:a+b%'
    const secret = 'p:a+s s%25w:rd'
    expect(ok(extract({ authorization: basic(id, secret) }))).toEqual({ method: 'client_secret_basic', clientId: id, secret })
  })

  it('splits at the first raw colon, so the secret may keep raw colons', () => {
    expect(ok(extract({ authorization: rawBasic('id:a:b') }))).toMatchObject({ clientId: 'id', secret: 'a:b' })
  })

  it('decodes a UTF-8 id', () => {
    expect(ok(extract({ authorization: basic('clïent', 'sécret') }))).toMatchObject({ clientId: 'clïent', secret: 'sécret' })
  })

  it('accepts the scheme in any case and an empty secret', () => {
    const header = basic('a', '').replace('Basic', 'bAsIc')
    expect(ok(extract({ authorization: header }))).toMatchObject({ clientId: 'a', secret: '' })
  })

  it('reads the header from Web Headers and from a record in any case', () => {
    expect(ok(extract(new Headers({ Authorization: basic('a', 'b') }))).clientId).toBe('a')
    expect(ok(extract({ Authorization: basic('a', 'b') })).clientId).toBe('a')
  })

  it.each([
    ['no credentials', 'Basic'],
    ['empty credentials', 'Basic '],
    ['no colon', rawBasic('justanid')],
    ['an empty id', rawBasic(':secret')],
    ['invalid base64', 'Basic !!!!'],
    ['base64url characters', 'Basic YT-_Yg'],
    ['bytes that are not UTF-8', `Basic ${Buffer.from([0x61, 0x3a, 0xff]).toString('base64')}`],
    ['a bad percent-escape', rawBasic('a:%zz')],
    ['two tokens', `${basic('a', 'b')} extra`],
    ['a space inside the token (atob would skip it)', 'Basic YT pi'],
    ['a tab after the scheme', 'Basic\tYTpi'],
    ['padding inside the token', 'Basic YQ==Yg=='],
    ['spaces only', `Basic${' '.repeat(64)}`],
  ])('refuses malformed Basic: %s', (_label, header) => {
    refused(extract({ authorization: header }), 'invalid_client', 'Basic')
  })

  it('never echoes the header in the error', () => {
    const parsed = extract({ authorization: rawBasic('SECRET-ID-without-colon') })
    expect(JSON.stringify(parsed)).not.toMatch(/SECRET/)
  })
})

describe('non-Basic Authorization headers', () => {
  it.each(['Bearer abc.def', 'Digest username="a"', 'DPoP xyz', 'Basicfoo'])('refuses %j as invalid_client', (header) => {
    refused(extract({ authorization: header }, { client_id: 'a' }), 'invalid_client', 'Basic')
  })
})

describe('client_secret_post (RFC 6749 §2.3.1, SPEC R7.11)', () => {
  it('reads client_id and client_secret from the body', () => {
    expect(ok(extract({}, { client_id: 'music', client_secret: 's3cret' }))).toEqual({
      method: 'client_secret_post',
      clientId: 'music',
      secret: 's3cret',
    })
  })

  it('refuses a secret without client_id, with no Basic challenge', () => {
    refused(extract({}, { client_secret: 's3cret' }), 'invalid_client')
  })
})

describe('SPEC R7.11: one method, one client', () => {
  it('accepts a body client_id equal to the Basic id (the draft puts client_id in the body)', () => {
    expect(ok(extract({ authorization: basic('music', 's') }, { client_id: 'music' }))).toMatchObject({
      method: 'client_secret_basic',
      clientId: 'music',
    })
  })

  it('refuses a body client_id that differs from the Basic id', () => {
    refused(extract({ authorization: basic('music', 's') }, { client_id: 'assistant' }), 'invalid_client', 'Basic')
  })

  it('refuses Basic and client_secret at once', () => {
    refused(extract({ authorization: basic('music', 's') }, { client_id: 'music', client_secret: 's' }), 'invalid_request')
  })

  it('refuses Basic and a client assertion at once', () => {
    refused(
      extract({ authorization: basic('music', 's') }, {
        client_assertion: 'a.b.c',
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      }),
      'invalid_request',
    )
  })

  it('refuses client_secret and a client assertion at once', () => {
    refused(
      extract({}, {
        client_id: 'music',
        client_secret: 's',
        client_assertion: 'a.b.c',
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      }),
      'invalid_request',
    )
  })
})

describe('private_key_jwt (RFC 7523 §2.2)', () => {
  it('reads the assertion and the optional client_id', () => {
    expect(ok(extract({}, { client_assertion: 'h.p.s', client_assertion_type: JWT_BEARER_ASSERTION_TYPE }))).toEqual({
      method: 'private_key_jwt',
      clientId: undefined,
      assertion: 'h.p.s',
    })
    expect(
      ok(extract({}, { client_id: 'music', client_assertion: 'h.p.s', client_assertion_type: JWT_BEARER_ASSERTION_TYPE })),
    ).toEqual({ method: 'private_key_jwt', clientId: 'music', assertion: 'h.p.s' })
  })

  it.each([
    ['missing', {}],
    ['wrong', { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' }],
  ])('refuses a %s assertion type', (_label, extra: Record<string, string>) => {
    refused(extract({}, { client_assertion: 'h.p.s', ...extra }), 'invalid_request')
  })
})

describe('public clients and no credentials', () => {
  it('reads a bare client_id as method none', () => {
    expect(ok(extract({}, { client_id: 'spa' }))).toEqual({ method: 'none', clientId: 'spa' })
  })

  it('refuses a request with no credentials at all', () => {
    refused(extract({}), 'invalid_client')
    refused(extract({ authorization: undefined }, { grant_type: 'authorization_code' }), 'invalid_client')
  })
})

describe('CLIENT_AUTH_PARAMETERS', () => {
  it('lists the credential parameters', () => {
    expect([...CLIENT_AUTH_PARAMETERS].sort()).toEqual(
      ['client_assertion', 'client_assertion_type', 'client_id', 'client_secret'].sort(),
    )
  })
})
