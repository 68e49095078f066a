// Both parties on Hono. Hono speaks Web `Request`/`Response`, so every SDK endpoint is mounted
// through its Web door, `endpoint.fetch(c.req.raw)`: the SDK reads the body itself (with its size
// limit) and answers every malformed request with an OAuth error. The same apps run on Node
// (`@hono/node-server`, or `toNodeListener(app.fetch)` from `reciprocal-oauth/node`), Workers,
// Deno and Bun.
import { Hono } from 'hono'
import { toResponse } from 'reciprocal-oauth/server'
import { MUSIC_SCOPE, RECIPROCAL_SCOPE, type Assistant, type Music } from '../shared/parties.js'

// One user stands in for your session's user (B's login and consent screens are left out).
const USER = 'alice'

/** Party A: the voice assistant. */
export function assistantApp({ partyA, authorizationServer }: Assistant): Hono {
  const app = new Hono()
  // Step A: send the user to the music service.
  app.get('/link', async (c) => c.redirect((await partyA.startLink('music', USER)).url.href, 303))
  // Steps B–D: the authorization response comes back; the token response asks for access back.
  app.get('/callback', async (c) => {
    const state = await partyA.handleCallback(c.req.url, USER)
    // Your consent page: "Let the music service … ?" with state.offered.
    return c.json({ linkId: state.linkId, status: state.status, offered: state.status === 'awaiting-consent' ? state.offered : [] })
  })
  // Step E (and F–G at the music service): the user allowed it; mint a code and POST it to B.
  app.post('/consent', async (c) => {
    const form = await c.req.formData()
    const state = await partyA.consent(String(form.get('link')), { scope: String(form.get('scope')) })
    return c.json({ status: state.status })
  })
  // The SDK's endpoints: all methods, so that they answer 405 themselves.
  app.all('/token', (c) => authorizationServer.tokenEndpoint.fetch(c.req.raw))
  app.all('/revoke', (c) => authorizationServer.revocationEndpoint.fetch(c.req.raw))
  // A's API, called by the music service with the token of the reciprocal grant.
  app.post('/api/announce', async (c) => {
    const check = await authorizationServer.authenticateRequest(c.req.raw, RECIPROCAL_SCOPE)
    if (!check.ok) return toResponse(check.result) // 401/403 with WWW-Authenticate (RFC 6750)
    return c.json({ announced: await c.req.text(), for: check.token.subject })
  })
  return app
}

/** Party B: the music service. */
export function musicApp({ partyB, authorizationServer }: Music, assistantOrigin: string): Hono {
  const app = new Hono()
  // Step B: your login and consent screens go here; this user approves at once.
  app.get('/authorize', async (c) => {
    const check = await authorizationServer.authorization.validate(c.req.url)
    if (!check.ok) return check.redirectTo === undefined ? c.json(check.error, 400) : c.redirect(check.redirectTo, 303)
    return c.redirect(await authorizationServer.authorization.approve(check.request, { subject: USER }), 303)
  })
  // The token endpoint: the initial flow's grants and the reciprocal POST of step E.
  app.all('/token', (c) => authorizationServer.tokenEndpoint.fetch(c.req.raw))
  app.all('/revoke', (c) => authorizationServer.revocationEndpoint.fetch(c.req.raw))
  // B's API, called by the assistant with the token of the initial flow.
  app.get('/api/now-playing', async (c) => {
    const check = await authorizationServer.authenticateRequest(c.req.raw, MUSIC_SCOPE)
    if (!check.ok) return toResponse(check.result)
    return c.json({ title: 'So What', for: check.token.subject })
  })
  // B uses the reciprocal grant: it calls A's API for this user (tokens refreshed ahead of expiry).
  app.post('/share', async (c) => {
    const token = await partyB.accessToken('assistant', USER)
    const answer = await fetch(`${assistantOrigin}/api/announce`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: 'So What' })
    return c.json({ status: answer.status })
  })
  return app
}
