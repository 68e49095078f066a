import { GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { AuthorizationCodeRequestSchema, AuthorizationRequestSchema, ErrorResponseSchema, IntrospectionResponseSchema, ReciprocalGrantRequestSchema, ReciprocalGrantResponseSchema, RefreshTokenRequestSchema, RevocationRequestSchema, ScopeSchema, TokenResponseSchema, formToObject } from '../../src/protocol/schemas.js'

const accepts = (schema: v.GenericSchema, input: unknown): boolean => v.safeParse(schema, input).success
const VERIFIER = 'a'.repeat(43)
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

describe('ScopeSchema (RFC 6749 §3.3)', () => {
  it('accepts a valid scope and refuses bad syntax, non-strings and huge scopes', () => {
    expect(accepts(ScopeSchema, 'a b')).toBe(true)
    expect(accepts(ScopeSchema, '')).toBe(false)
    expect(accepts(ScopeSchema, 'a  b')).toBe(false)
    expect(accepts(ScopeSchema, 'a"b')).toBe(false)
    expect(accepts(ScopeSchema, 42)).toBe(false)
    expect(accepts(ScopeSchema, 'a'.repeat(4097))).toBe(false)
  })
})

describe('ReciprocalGrantRequestSchema (SPEC R3.2)', () => {
  const valid = { grant_type: GRANT_TYPE_RECIPROCAL, code: 'c0de', client_id: 'assistant', access_token: 'at' }

  it('accepts the draft request', () => {
    expect(v.parse(ReciprocalGrantRequestSchema, valid)).toEqual(valid)
  })

  it.each(['code', 'client_id', 'access_token', 'grant_type'] as const)('refuses a request without %s', (name) => {
    const { [name]: _omitted, ...rest } = valid
    expect(accepts(ReciprocalGrantRequestSchema, rest)).toBe(false)
  })

  it('refuses another grant type, empty and oversized values', () => {
    expect(accepts(ReciprocalGrantRequestSchema, { ...valid, grant_type: 'authorization_code' })).toBe(false)
    expect(accepts(ReciprocalGrantRequestSchema, { ...valid, code: '' })).toBe(false)
    expect(accepts(ReciprocalGrantRequestSchema, { ...valid, access_token: 'x'.repeat(4097) })).toBe(false)
    expect(accepts(ReciprocalGrantRequestSchema, { ...valid, code: 1 })).toBe(false)
  })
})

describe('AuthorizationCodeRequestSchema (RFC 6749 §4.1.3, SPEC R4.1)', () => {
  it('accepts the reciprocal leg without redirect_uri or verifier', () => {
    expect(accepts(AuthorizationCodeRequestSchema, { grant_type: 'authorization_code', code: 'c' })).toBe(true)
  })

  it('accepts redirect_uri and a valid code_verifier', () => {
    const input = { grant_type: 'authorization_code', code: 'c', redirect_uri: 'https://b.example/cb', code_verifier: VERIFIER }
    expect(v.parse(AuthorizationCodeRequestSchema, input)).toEqual(input)
  })

  it.each([
    ['too short', 'a'.repeat(42)],
    ['too long', 'a'.repeat(129)],
    ['a bad character', `${'a'.repeat(42)}+`],
  ])('refuses a code_verifier %s', (_label, verifier) => {
    expect(accepts(AuthorizationCodeRequestSchema, { grant_type: 'authorization_code', code: 'c', code_verifier: verifier })).toBe(
      false,
    )
  })

  it('refuses a missing code and another grant type', () => {
    expect(accepts(AuthorizationCodeRequestSchema, { grant_type: 'authorization_code' })).toBe(false)
    expect(accepts(AuthorizationCodeRequestSchema, { grant_type: 'refresh_token', code: 'c' })).toBe(false)
  })
})

describe('RefreshTokenRequestSchema (RFC 6749 §6)', () => {
  it('accepts a refresh with and without a scope', () => {
    expect(accepts(RefreshTokenRequestSchema, { grant_type: 'refresh_token', refresh_token: 'r' })).toBe(true)
    expect(accepts(RefreshTokenRequestSchema, { grant_type: 'refresh_token', refresh_token: 'r', scope: 'a b' })).toBe(true)
  })

  it('refuses a bad scope or no token', () => {
    expect(accepts(RefreshTokenRequestSchema, { grant_type: 'refresh_token', refresh_token: 'r', scope: ' a' })).toBe(false)
    expect(accepts(RefreshTokenRequestSchema, { grant_type: 'refresh_token' })).toBe(false)
  })
})

describe('RevocationRequestSchema (RFC 7009)', () => {
  it('accepts a token with an optional hint and refuses none', () => {
    expect(accepts(RevocationRequestSchema, { token: 't' })).toBe(true)
    expect(accepts(RevocationRequestSchema, { token: 't', token_type_hint: 'refresh_token' })).toBe(true)
    expect(accepts(RevocationRequestSchema, {})).toBe(false)
  })
})

describe('AuthorizationRequestSchema (RFC 6749 §4.1.1, RFC 7636, SPEC R7.1)', () => {
  const valid = {
    response_type: 'code',
    client_id: 'assistant',
    redirect_uri: 'https://a.example/cb',
    scope: 'music.read',
    state: 'xyz',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  }

  it('accepts a PKCE S256 request', () => {
    expect(accepts(AuthorizationRequestSchema, valid)).toBe(true)
  })

  it('refuses plain PKCE, a missing challenge, a malformed challenge and other response types', () => {
    expect(accepts(AuthorizationRequestSchema, { ...valid, code_challenge_method: 'plain' })).toBe(false)
    const { code_challenge: _c, ...noChallenge } = valid
    expect(accepts(AuthorizationRequestSchema, noChallenge)).toBe(false)
    expect(accepts(AuthorizationRequestSchema, { ...valid, code_challenge: `${CHALLENGE}A` })).toBe(false)
    expect(accepts(AuthorizationRequestSchema, { ...valid, response_type: 'token' })).toBe(false)
    expect(accepts(AuthorizationRequestSchema, { ...valid, scope: 'a\\b' })).toBe(false)
  })
})

describe('TokenResponseSchema (RFC 6749 §5.1, SPEC R1.2)', () => {
  const valid = { access_token: 'at', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt', scope: 'a' }

  it('keeps the reciprocal member (SPEC R1.2)', () => {
    const parsed = v.parse(TokenResponseSchema, { ...valid, reciprocal: 'assistant.announce' })
    expect(parsed.reciprocal).toBe('assistant.announce')
  })

  it('keeps unknown extension members (looseObject)', () => {
    const parsed = v.parse(TokenResponseSchema, { ...valid, id_token: 'x.y.z', custom: { nested: true } })
    expect(parsed).toMatchObject({ id_token: 'x.y.z', custom: { nested: true } })
  })

  it('accepts the minimal response', () => {
    expect(accepts(TokenResponseSchema, { access_token: 'at', token_type: 'Bearer' })).toBe(true)
  })

  it.each([
    ['no access_token', { token_type: 'Bearer' }],
    ['an empty access_token', { access_token: '', token_type: 'Bearer' }],
    ['no token_type', { access_token: 'at' }],
    ['a negative expires_in', { access_token: 'at', token_type: 'Bearer', expires_in: -1 }],
    ['a fractional expires_in', { access_token: 'at', token_type: 'Bearer', expires_in: 1.5 }],
    ['a string expires_in', { access_token: 'at', token_type: 'Bearer', expires_in: '3600' }],
    ['a non-string reciprocal', { access_token: 'at', token_type: 'Bearer', reciprocal: ['a'] }],
    ['an array', []],
    ['null', null],
  ])('refuses %s', (_label, input) => {
    expect(accepts(TokenResponseSchema, input)).toBe(false)
  })
})

describe('ErrorResponseSchema (RFC 6749 §5.2)', () => {
  it('accepts an error, keeps extra members, refuses no error', () => {
    expect(v.parse(ErrorResponseSchema, { error: 'invalid_grant', error_uri: 'https://x' })).toMatchObject({ error_uri: 'https://x' })
    expect(accepts(ErrorResponseSchema, { error_description: 'x' })).toBe(false)
    expect(accepts(ErrorResponseSchema, { error: 400 })).toBe(false)
  })
})

describe('ReciprocalGrantResponseSchema (SPEC R3.4)', () => {
  it('accepts {} and any object, refuses non-objects', () => {
    expect(accepts(ReciprocalGrantResponseSchema, {})).toBe(true)
    expect(v.parse(ReciprocalGrantResponseSchema, { linked: true })).toEqual({ linked: true })
    expect(accepts(ReciprocalGrantResponseSchema, null)).toBe(false)
    expect(accepts(ReciprocalGrantResponseSchema, 'ok')).toBe(false)
    expect(accepts(ReciprocalGrantResponseSchema, [])).toBe(false)
  })
})

describe('IntrospectionResponseSchema (RFC 7662)', () => {
  it('accepts active and inactive answers and keeps extras', () => {
    expect(accepts(IntrospectionResponseSchema, { active: false })).toBe(true)
    const parsed = v.parse(IntrospectionResponseSchema, { active: true, client_id: 'a', sub: 'u', scope: 's', exp: 1, aud: 'x' })
    expect(parsed).toMatchObject({ active: true, aud: 'x' })
  })

  it('refuses a missing or non-boolean active', () => {
    expect(accepts(IntrospectionResponseSchema, {})).toBe(false)
    expect(accepts(IntrospectionResponseSchema, { active: 'true' })).toBe(false)
  })
})

describe('formToObject', () => {
  it('copies a parsed form and leaves out the named parameters', () => {
    const params = new Map([
      ['grant_type', 'refresh_token'],
      ['refresh_token', 'r'],
      ['client_id', 'a'],
    ])
    expect(formToObject(params)).toEqual({ grant_type: 'refresh_token', refresh_token: 'r', client_id: 'a' })
    expect(formToObject(params, ['client_id'])).toEqual({ grant_type: 'refresh_token', refresh_token: 'r' })
  })

  it('cannot be tricked into prototype pollution by a __proto__ parameter', () => {
    const result = formToObject(new Map([['__proto__', 'x']]))
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>)['x']).toBeUndefined()
  })
})
