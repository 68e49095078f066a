// SPEC R3.4: besides 'draft' and 'google', a deployment can pass a function to answer the
// reciprocal grant's errors the way another peer expects — here through B's token endpoint.
import { staticClients } from 'reciprocal-oauth'
import { createReciprocalReceiver, GRANT_TYPE_RECIPROCAL, type OAuthErrorResponse } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { basic, formPost, json, makeServer, MUSIC } from './fixtures.js'

function tokenEndpointWith(profile: (error: OAuthErrorResponse) => OAuthErrorResponse) {
  const seen: OAuthErrorResponse[] = []
  const receiver = createReciprocalReceiver({
    clients: staticClients([MUSIC]),
    audiences: ['https://assistant.example'],
    verifyAccessToken: async () => undefined, // every access token is refused
    errorProfile: (error) => {
      seen.push(error)
      return profile(error)
    },
    onCode: async () => ({ ok: true }),
  })
  const { server } = makeServer({ extensionGrants: { [GRANT_TYPE_RECIPROCAL]: receiver.handleParsed } })
  return { seen, tokenEndpoint: server.tokenEndpoint }
}

const reciprocal = (headers = { authorization: basic('music', MUSIC.clientSecret ?? '') }) =>
  formPost({ grant_type: GRANT_TYPE_RECIPROCAL, code: 'a-code', client_id: 'music', access_token: 'an-access-token' }, headers)

describe('SPEC R3.4: an error profile given as a function', () => {
  it('maps the receiver’s errors as the token endpoint answers them', async () => {
    const { seen, tokenEndpoint } = tokenEndpointWith((error) =>
      error.error === 'invalid_token' ? { ...error, error: 'invalid_grant', status: 400, description: 'Token rejected' } : error,
    )
    const result = await tokenEndpoint.handle(reciprocal())
    expect(seen).toEqual([expect.objectContaining({ error: 'invalid_token', status: 401 })])
    expect(result.status).toBe(400)
    expect(json(result)).toEqual({ error: 'invalid_grant', error_description: 'Token rejected' })
  })

  it('RFC 6749 §5.2: a failed Basic authentication keeps 401 and its challenge; the function never sees it', async () => {
    const { seen, tokenEndpoint } = tokenEndpointWith((error) => ({ ...error, status: 418 }))
    const result = await tokenEndpoint.handle(reciprocal({ authorization: basic('music', 'wrong-secret') }))
    expect(result.status).toBe(401)
    expect(result.headers['www-authenticate']).toMatch(/^Basic /)
    expect(seen).toEqual([])
  })
})
