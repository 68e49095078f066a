import { applyErrorProfile, insufficientScope, invalidClient, invalidGrant, invalidRequest, invalidScope, invalidToken, methodNotAllowed, type OAuthErrorResponse, renderOAuthError, serverError, unauthorizedClient, unsupportedGrantType } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'

describe('error constructors (RFC 6749 §5.2, RFC 6750 §3.1)', () => {
  it.each([
    ['invalidRequest', invalidRequest, 'invalid_request', 400],
    ['invalidGrant', invalidGrant, 'invalid_grant', 400],
    ['unauthorizedClient', unauthorizedClient, 'unauthorized_client', 400],
    ['unsupportedGrantType', unsupportedGrantType, 'unsupported_grant_type', 400],
    ['invalidScope', invalidScope, 'invalid_scope', 400],
  ] as const)('%s → %s %d, no challenge', (_name, make, error, status) => {
    expect(make('why')).toEqual({ error, status, description: 'why' })
    expect(make()).toEqual({ error, status })
  })

  it('invalidClient is 401, with a Basic challenge only when the client used Basic', () => {
    expect(invalidClient('why')).toEqual({ error: 'invalid_client', status: 401, description: 'why' })
    expect(invalidClient('why', true)).toEqual({ error: 'invalid_client', status: 401, description: 'why', challenge: 'Basic' })
    expect(invalidClient()).toEqual({ error: 'invalid_client', status: 401 })
  })

  it('invalidToken is 401 with a Bearer challenge', () => {
    expect(invalidToken('expired')).toEqual({ error: 'invalid_token', status: 401, description: 'expired', challenge: 'Bearer' })
  })

  it('insufficientScope is 403 with a Bearer challenge naming the scope', () => {
    expect(insufficientScope('music.link')).toEqual({
      error: 'insufficient_scope',
      status: 403,
      challenge: 'Bearer',
      scope: 'music.link',
    })
  })

  it('serverError is 500 with a fixed, detail-free description', () => {
    const err = serverError()
    expect(err.error).toBe('server_error')
    expect(err.status).toBe(500)
    expect(err.challenge).toBeUndefined()
    expect(err).toEqual(serverError())
  })
})

describe('renderOAuthError (SPEC R3.4)', () => {
  it('renders the JSON body with error and error_description', () => {
    const result = renderOAuthError(invalidGrant('The code has expired'))
    expect(result.status).toBe(400)
    expect(JSON.parse(result.body)).toEqual({ error: 'invalid_grant', error_description: 'The code has expired' })
  })

  it('omits error_description when there is none', () => {
    expect(JSON.parse(renderOAuthError(invalidRequest()).body)).toEqual({ error: 'invalid_request' })
  })

  it('always sends no-store, no-cache and a JSON content type', () => {
    for (const err of [invalidRequest(), invalidClient(undefined, true), invalidToken(), insufficientScope('s'), serverError()]) {
      const { headers } = renderOAuthError(err)
      expect(headers['cache-control']).toBe('no-store')
      expect(headers['pragma']).toBe('no-cache')
      expect(headers['content-type']).toMatch(/^application\/json/)
    }
  })

  it('sends no WWW-Authenticate without a challenge', () => {
    expect(renderOAuthError(invalidClient('x')).headers['www-authenticate']).toBeUndefined()
    expect(renderOAuthError(invalidRequest('x')).headers['www-authenticate']).toBeUndefined()
  })

  it('sends a Basic challenge with a realm (RFC 6749 §5.2)', () => {
    expect(renderOAuthError(invalidClient('x', true)).headers['www-authenticate']).toBe('Basic realm="oauth"')
    expect(renderOAuthError({ ...invalidClient('x', true), realm: 'token' }).headers['www-authenticate']).toBe(
      'Basic realm="token"',
    )
  })

  it('sends a Bearer challenge with realm, error and description (RFC 6750 §3)', () => {
    const result = renderOAuthError({ ...invalidToken('The access token expired'), realm: 'music' })
    expect(result.status).toBe(401)
    expect(result.headers['www-authenticate']).toBe(
      'Bearer realm="music", error="invalid_token", error_description="The access token expired"',
    )
  })

  it('sends the needed scope in an insufficient_scope challenge', () => {
    const result = renderOAuthError(insufficientScope('music.link reciprocal'))
    expect(result.status).toBe(403)
    expect(result.headers['www-authenticate']).toBe('Bearer realm="oauth", error="insufficient_scope", scope="music.link reciprocal"')
  })

  it('strips ", \\ and control characters from the description, in the body and in the header', () => {
    const result = renderOAuthError(invalidToken('bad "token"\\\r\nX-Injected: 1\u0000\u007f é'))
    const body = JSON.parse(result.body) as { error_description: string }
    expect(body.error_description).toBe('bad tokenX-Injected: 1 ')
    const challenge = result.headers['www-authenticate'] ?? ''
    expect(challenge).not.toMatch(/[\r\n\u0000\u007f\\]/)
    // exactly the quotes that delimit the three parameters
    expect(challenge.match(/"/g)?.length).toBe(6)
  })

  it('drops a description that is empty after sanitising', () => {
    const result = renderOAuthError(invalidToken('\r\n"'))
    expect(JSON.parse(result.body)).toEqual({ error: 'invalid_token' })
    expect(result.headers['www-authenticate']).toBe('Bearer realm="oauth", error="invalid_token"')
  })

  it('sanitises the realm too', () => {
    const result = renderOAuthError({ ...invalidClient('x', true), realm: 'a"b\r\nc' })
    expect(result.headers['www-authenticate']).toBe('Basic realm="abc"')
  })

  it('RFC 9110 §15.5.6: renders a 405 with its Allow header', () => {
    const result = renderOAuthError(methodNotAllowed(['POST'], 'The request must use POST'))
    expect(result.status).toBe(405)
    expect(result.headers['allow']).toBe('POST')
    expect(JSON.parse(result.body)).toEqual({ error: 'invalid_request', error_description: 'The request must use POST' })
    expect(renderOAuthError(methodNotAllowed(['GET', 'POST'])).headers['allow']).toBe('GET, POST')
    expect(renderOAuthError(invalidRequest('x')).headers['allow']).toBeUndefined()
  })

  it('renders server_error as 500 without a challenge', () => {
    const result = renderOAuthError(serverError())
    expect(result.status).toBe(500)
    expect(JSON.parse(result.body)).toMatchObject({ error: 'server_error' })
    expect(result.headers['www-authenticate']).toBeUndefined()
  })
})

describe('applyErrorProfile (SPEC R3.4)', () => {
  const fourXX: OAuthErrorResponse[] = [
    invalidRequest('a'),
    invalidClient('c'),
    invalidGrant('d'),
    unauthorizedClient(),
    unsupportedGrantType(),
    invalidScope(),
    invalidToken('e'),
    insufficientScope('music.link'),
  ]

  describe("'draft': 400 if not valid", () => {
    it.each(fourXX.map((err) => [err.error, err.status, err] as const))('%s %d → 400 without challenge', (_e, _s, err) => {
      const mapped = applyErrorProfile(err, 'draft')
      expect(mapped.status).toBe(400)
      expect(mapped.error).toBe(err.error) // the client can still tell why
      expect(mapped.description).toBe(err.description)
      expect(mapped.challenge).toBeUndefined()
      expect(renderOAuthError(mapped).headers['www-authenticate']).toBeUndefined()
    })

    it('RFC 6749 §5.2: a failed HTTP Basic authentication stays 401 with its Basic challenge', () => {
      const mapped = applyErrorProfile(invalidClient('b', true), 'draft')
      expect(mapped).toEqual(invalidClient('b', true))
      const result = renderOAuthError(mapped)
      expect(result.status).toBe(401)
      expect(result.headers['www-authenticate']).toMatch(/^Basic realm=/)
    })

    it('RFC 9110 §15.5.6, SPEC R7.5: a 405 stays 405 with its Allow header', () => {
      const err = methodNotAllowed(['POST'], 'The request must use POST')
      expect(applyErrorProfile(err, 'draft')).toEqual(err)
      expect(renderOAuthError(applyErrorProfile(err, 'draft')).headers['allow']).toBe('POST')
    })

    it('keeps 5xx as they are', () => {
      expect(applyErrorProfile(serverError(), 'draft')).toEqual(serverError())
      const unavailable: OAuthErrorResponse = { error: 'temporarily_unavailable', status: 503 }
      expect(applyErrorProfile(unavailable, 'draft')).toEqual(unavailable)
    })

    it('does not modify its input', () => {
      const err = invalidToken('x')
      applyErrorProfile(err, 'draft')
      expect(err).toEqual(invalidToken('x'))
    })
  })

  describe("'google': Linked Account Sign-In", () => {
    it('turns insufficient_scope into 403 insufficient_permission', () => {
      const mapped = applyErrorProfile(insufficientScope('music.link'), 'google')
      expect(mapped.status).toBe(403)
      expect(mapped.error).toBe('insufficient_permission')
      expect(JSON.parse(renderOAuthError(mapped).body)).toMatchObject({ error: 'insufficient_permission' })
    })

    it('keeps invalid_token 401 with WWW-Authenticate: Bearer', () => {
      const result = renderOAuthError(applyErrorProfile(invalidToken('expired'), 'google'))
      expect(result.status).toBe(401)
      expect(result.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/)
    })

    it('keeps invalid_client 401 and invalid_request 400', () => {
      expect(applyErrorProfile(invalidClient('x', true), 'google')).toEqual(invalidClient('x', true))
      expect(applyErrorProfile(invalidRequest('x'), 'google')).toEqual(invalidRequest('x'))
      expect(applyErrorProfile(invalidGrant('x'), 'google').status).toBe(400)
    })

    it('keeps a 405 with its Allow header', () => {
      const err = methodNotAllowed(['POST'])
      expect(applyErrorProfile(err, 'google')).toEqual(err)
    })

    it('keeps 5xx as they are', () => {
      expect(applyErrorProfile(serverError(), 'google')).toEqual(serverError())
    })
  })
})
