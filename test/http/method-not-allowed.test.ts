// A method an endpoint does not serve is a client mistake: 405 with `Allow`, never a 5xx and never
// a bare 400 (SPEC R7.5, RFC 9110 §15.5.6), through both doors of every POST-only endpoint.
import { staticClients } from 'reciprocal-oauth'
import { createReciprocalReceiver, type ErrorProfile, type HttpResult, type RawHttpRequest } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { makeServer, musicAuth } from '../server/fixtures.js'

interface Doors {
  handle(raw: RawHttpRequest): Promise<HttpResult>
  fetch(request: Request): Promise<Response>
}

function receiver(errorProfile: ErrorProfile): Doors {
  return createReciprocalReceiver({
    clients: staticClients([]),
    audiences: ['https://music.example'],
    verifyAccessToken: async () => undefined,
    errorProfile,
    onCode: async () => ({ ok: true }),
  })
}

const { server } = makeServer()
const endpoints: [string, Doors][] = [
  ["A's token endpoint", server.tokenEndpoint],
  ["A's revocation endpoint", server.revocationEndpoint],
  ["B's reciprocal receiver, draft profile", receiver('draft')],
  ["B's reciprocal receiver, Google profile", receiver('google')],
]
// What a Web Request can carry; TRACE, CONNECT and TRACK only reach the lower door.
const FETCH_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
const headers = { 'content-type': 'application/x-www-form-urlencoded', ...musicAuth }

describe('SPEC R7.5, RFC 9110 §15.5.6: a POST-only endpoint answers any other method with 405 and Allow: POST', () => {
  it.each(endpoints)('%s, lower door', async (_name, endpoint) => {
    for (const method of [...FETCH_METHODS, 'TRACE', 'CONNECT', 'TRACK', 'get', 'PROPFIND']) {
      const result = await endpoint.handle({ method, headers, body: 'grant_type=authorization_code&code=x' })
      expect(result.status, method).toBe(405)
      expect(result.headers['allow']).toBe('POST')
      expect(result.headers['cache-control']).toBe('no-store')
      expect(JSON.parse(result.body)).toEqual({ error: 'invalid_request', error_description: 'The request must use POST' })
    }
  })

  it.each(endpoints)('%s, Request door', async (_name, endpoint) => {
    for (const method of FETCH_METHODS) {
      const hasBody = method !== 'GET' && method !== 'HEAD'
      const request = new Request('https://example.test/token', { method, headers, ...(hasBody ? { body: 'grant_type=authorization_code' } : {}) })
      const response = await endpoint.fetch(request)
      expect(response.status, method).toBe(405)
      expect(response.headers.get('allow')).toBe('POST')
      expect(await response.json()).toMatchObject({ error: 'invalid_request' })
    }
  })
})
