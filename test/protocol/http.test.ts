import { jsonResult } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { authorizationCredentials, headerValue } from '../../src/protocol/http.js'

describe('headerValue', () => {
  it('reads Web Headers case-insensitively', () => {
    const headers = new Headers({ Authorization: 'Basic abc' })
    expect(headerValue(headers, 'authorization')).toBe('Basic abc')
    expect(headerValue(headers, 'AUTHORIZATION')).toBe('Basic abc')
  })

  it('joins a Web header sent twice', () => {
    const headers = new Headers()
    headers.append('accept', 'a')
    headers.append('accept', 'b')
    expect(headerValue(headers, 'Accept')).toBe('a, b')
  })

  it('returns undefined for an absent header', () => {
    expect(headerValue(new Headers(), 'authorization')).toBeUndefined()
    expect(headerValue({}, 'authorization')).toBeUndefined()
    expect(headerValue({ authorization: undefined }, 'authorization')).toBeUndefined()
  })

  it('reads records with lower-case names (Node style)', () => {
    expect(headerValue({ 'content-type': 'text/plain' }, 'Content-Type')).toBe('text/plain')
  })

  it('reads records with any-case names', () => {
    expect(headerValue({ 'Content-Type': 'text/plain' }, 'content-type')).toBe('text/plain')
    expect(headerValue({ 'CONTENT-TYPE': 'text/plain' }, 'Content-Type')).toBe('text/plain')
  })

  it('joins array values of a record', () => {
    expect(headerValue({ 'x-forwarded-for': ['a', 'b', 'c'] }, 'X-Forwarded-For')).toBe('a, b, c')
  })

  it('keeps an empty value distinct from an absent one', () => {
    expect(headerValue({ authorization: '' }, 'authorization')).toBe('')
    expect(headerValue(new Headers({ authorization: '' }), 'authorization')).toBe('')
  })

  it('does not take a record member named "get" for a Headers object', () => {
    expect(headerValue({ get: 'x', authorization: 'Basic a' }, 'authorization')).toBe('Basic a')
  })
})

describe('jsonResult', () => {
  it('serialises the body with JSON content type and no-store (RFC 6749 §5.1)', () => {
    const result = jsonResult(200, { access_token: 'x', token_type: 'Bearer' })
    expect(result.status).toBe(200)
    expect(JSON.parse(result.body)).toEqual({ access_token: 'x', token_type: 'Bearer' })
    expect(result.headers['content-type']).toMatch(/^application\/json/)
    expect(result.headers['cache-control']).toBe('no-store')
    expect(result.headers['pragma']).toBe('no-cache')
  })

  it('renders an empty object as {}', () => {
    expect(jsonResult(200, {}).body).toBe('{}')
  })

  it('adds extra headers', () => {
    const result = jsonResult(401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="x"' })
    expect(result.headers['www-authenticate']).toBe('Basic realm="x"')
    expect(result.headers['cache-control']).toBe('no-store')
  })
})

describe('authorizationCredentials (RFC 9110 §11.4)', () => {
  it.each([
    ['Basic YTpi', 'Basic', 'YTpi'],
    ['basic   YTpi  ', 'Basic', 'YTpi'],
    ['BEARER a b', 'Bearer', 'a b'],
    ['Basic ', 'Basic', ''],
    ['Basic    ', 'Basic', ''],
  ])('reads the credentials of %j', (header, scheme, credentials) => {
    expect(authorizationCredentials(header, scheme)).toBe(credentials)
  })

  it('matches the scheme as a whole token, in any case', () => {
    expect(authorizationCredentials('Basicfoo YTpi', 'Basic')).toBeUndefined()
    expect(authorizationCredentials('Basic-x YTpi', 'Basic')).toBeUndefined()
    expect(authorizationCredentials('Bearer abc', 'Basic')).toBeUndefined()
    expect(authorizationCredentials('', 'Basic')).toBeUndefined()
  })

  it('answers null for the scheme without a space after it', () => {
    expect(authorizationCredentials('Basic', 'Basic')).toBeNull()
    expect(authorizationCredentials('Basic\tYTpi', 'Basic')).toBeNull()
  })
})
