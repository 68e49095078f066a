import { withReciprocalParameter, withReciprocalScope } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { expectNothingSecretIn } from '../helpers/reachable-strings.js'

describe('adding the reciprocal scope request (SPEC R1.2)', () => {
  it('SPEC R1.2: withReciprocalScope returns a new token response with reciprocal', () => {
    const body = { access_token: 'at', token_type: 'Bearer' }
    const result = withReciprocalScope(body, 'music.play music.read')
    expect(result).toEqual({ access_token: 'at', token_type: 'Bearer', reciprocal: 'music.play music.read' })
    expect(body).not.toHaveProperty('reciprocal')
  })

  it('SPEC R1.2: withReciprocalParameter adds the query parameter and keeps the others', () => {
    const url = new URL(withReciprocalParameter('https://a.example/cb?code=c&state=s', 'music.play music.read'))
    expect(url.searchParams.get('code')).toBe('c')
    expect(url.searchParams.get('state')).toBe('s')
    expect(url.searchParams.get('reciprocal')).toBe('music.play music.read')
    expect(withReciprocalParameter(new URL('https://a.example/cb'), 'x')).toBe('https://a.example/cb?reciprocal=x')
  })

  it('SPEC R7.4, R8.4: a malformed redirect URL is refused by an error that carries neither the code nor the state', () => {
    let thrown: unknown
    try {
      withReciprocalParameter('/cb?code=SECRET-CODE-1&state=SECRET-STATE-1', 'music.play')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(TypeError)
    expectNothingSecretIn(thrown, ['SECRET-CODE-1', 'SECRET-STATE-1'])
  })

  it('refuses a value that is not an RFC 6749 §3.3 scope', () => {
    for (const bad of ['', 'a  b', 'a"b']) {
      expect(() => withReciprocalScope({}, bad)).toThrow(TypeError)
      expect(() => withReciprocalParameter('https://a.example/cb', bad)).toThrow(TypeError)
    }
    expect(() => withReciprocalParameter('/relative', 'x')).toThrow(TypeError)
  })
})
