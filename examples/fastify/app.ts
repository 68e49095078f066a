// Both parties on Fastify. Fastify reads the body itself, so each SDK endpoint is mounted through
// its lower door, `endpoint.handle(raw)`, with the bytes Fastify read: in a plugin scope of their
// own whose only content-type parser keeps the body as a Buffer, whatever its type (the endpoint
// checks the type and answers an OAuth error), and whose body limit is the endpoint's.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify'
import { invalidRequest, renderOAuthError, type Endpoint, type HttpResult } from 'reciprocal-oauth/server'
import { MUSIC_SCOPE, RECIPROCAL_SCOPE, type Assistant, type Music, type Origins } from '../shared/parties.js'

// One user stands in for your session's user (B's login and consent screens are left out).
const USER = 'alice'

/** Sends what the SDK answered (an OAuth error, a bearer challenge) as it is. */
function send(reply: FastifyReply, result: HttpResult): FastifyReply {
  return reply.code(result.status).headers(result.headers).send(result.body)
}

/** A plugin serving SDK endpoints by path, through their lower door. */
function sdkEndpoints(endpoints: Readonly<Record<string, Endpoint>>) {
  return async (scope: FastifyInstance) => {
    // This scope only: no JSON or other parser runs before the endpoint; the raw bytes reach it.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
    // A body over the limit is an OAuth error too (SPEC R7.5), not Fastify's 413.
    scope.setErrorHandler((error: FastifyError, _request, reply) =>
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? send(reply, renderOAuthError(invalidRequest('The request body is too large'))) : reply.send(error),
    )
    for (const [path, endpoint] of Object.entries(endpoints)) {
      // Every method: the endpoint answers 405 with `Allow: POST` itself.
      scope.all(path, { bodyLimit: endpoint.bodyLimitBytes }, async (request, reply) => {
        // headersDistinct: every value of a repeated Authorization, which the endpoint refuses.
        const raw = { method: request.method, headers: request.raw.headersDistinct, body: request.body as Buffer | undefined }
        return send(reply, await endpoint.handle(raw))
      })
    }
  }
}

/** Party A: the voice assistant. */
export function assistantApp({ partyA, authorizationServer }: Assistant, origins: Origins): FastifyInstance {
  const app = Fastify()
  void app.register(sdkEndpoints({ '/token': authorizationServer.tokenEndpoint, '/revoke': authorizationServer.revocationEndpoint }))
  // The app's own forms (Fastify has no form parser built in).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  )
  // Step A: send the user to the music service.
  app.get('/link', async (_request, reply) => reply.redirect((await partyA.startLink('music', USER)).url.href, 303))
  // Steps B–D. The callback URL is rebuilt on the configured origin, never on the Host header.
  app.get('/callback', async (request) => {
    const state = await partyA.handleCallback(new URL(request.url, origins.assistant), USER)
    // Your consent page: "Let the music service … ?" with state.offered.
    return { linkId: state.linkId, status: state.status, offered: state.status === 'awaiting-consent' ? state.offered : [] }
  })
  // Step E (and F–G at the music service): the user allowed it; mint a code and POST it to B.
  app.post<{ Body: { link?: string; scope?: string } }>('/consent', async (request) => {
    const state = await partyA.consent(String(request.body.link), { scope: String(request.body.scope) })
    return { status: state.status }
  })
  // A's API, called by the music service with the token of the reciprocal grant.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => done(null, body))
  app.post('/api/announce', async (request, reply) => {
    const check = await authorizationServer.authenticateRequest({ method: request.method, headers: request.raw.headersDistinct }, RECIPROCAL_SCOPE)
    if (!check.ok) return send(reply, check.result) // 401/403 with WWW-Authenticate (RFC 6750)
    return { announced: request.body, for: check.token.subject }
  })
  return app
}

/** Party B: the music service. */
export function musicApp({ partyB, authorizationServer }: Music, origins: Origins): FastifyInstance {
  const app = Fastify()
  // The token endpoint: the initial flow's grants and the reciprocal POST of step E.
  void app.register(sdkEndpoints({ '/token': authorizationServer.tokenEndpoint, '/revoke': authorizationServer.revocationEndpoint }))
  // Step B: your login and consent screens go here; this user approves at once.
  app.get('/authorize', async (request, reply) => {
    const check = await authorizationServer.authorization.validate(new URL(request.url, origins.music))
    if (!check.ok) return check.redirectTo === undefined ? reply.code(400).send(check.error) : reply.redirect(check.redirectTo, 303)
    return reply.redirect(await authorizationServer.authorization.approve(check.request, { subject: USER }), 303)
  })
  // B's API, called by the assistant with the token of the initial flow.
  app.get('/api/now-playing', async (request, reply) => {
    const check = await authorizationServer.authenticateRequest({ method: request.method, headers: request.raw.headersDistinct }, MUSIC_SCOPE)
    if (!check.ok) return send(reply, check.result)
    return { title: 'So What', for: check.token.subject }
  })
  // B uses the reciprocal grant: it calls A's API for this user (tokens refreshed ahead of expiry).
  app.post('/share', async () => {
    const token = await partyB.accessToken('assistant', USER)
    const answer = await fetch(`${origins.assistant}/api/announce`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: 'So What' })
    return { status: answer.status }
  })
  return app
}
