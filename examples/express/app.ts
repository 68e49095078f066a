// Both parties on Express. Express requests are Node's `IncomingMessage`, so each SDK endpoint is
// mounted through its lower door with `toNodeListener(endpoint)`: the body is read straight from
// the stream into bytes, with the endpoint's size limit, and no Web `Request` is built. Mount
// them BEFORE any body parser: a parser that runs first consumes the stream (see
// docs/integrations/express.md for a route behind a global parser).
import express, { type Express, type Response } from 'express'
import type { HttpResult } from 'reciprocal-oauth/server'
import { toNodeListener } from 'reciprocal-oauth/node'
import { MUSIC_SCOPE, RECIPROCAL_SCOPE, type Assistant, type Music, type Origins } from '../shared/parties.js'

// One user stands in for your session's user (B's login and consent screens are left out).
const USER = 'alice'

/** Sends what the SDK answered (an OAuth error, a bearer challenge) as it is. */
function send(res: Response, result: HttpResult): void {
  res.status(result.status).set(result.headers).send(result.body)
}

/** Party A: the voice assistant. */
export function assistantApp({ partyA, authorizationServer }: Assistant, origins: Origins): Express {
  const app = express()
  // The SDK's endpoints first, for every method (they answer 405 themselves).
  app.all('/token', toNodeListener(authorizationServer.tokenEndpoint))
  app.all('/revoke', toNodeListener(authorizationServer.revocationEndpoint))
  // Then the body parser of the app's own forms.
  app.use(express.urlencoded({ extended: false }))
  // Step A: send the user to the music service.
  app.get('/link', async (_req, res) => res.redirect(303, (await partyA.startLink('music', USER)).url.href))
  // Steps B–D. The callback URL is rebuilt on the configured origin, never on the Host header.
  app.get('/callback', async (req, res) => {
    const state = await partyA.handleCallback(new URL(req.originalUrl, origins.assistant), USER)
    // Your consent page: "Let the music service … ?" with state.offered.
    res.json({ linkId: state.linkId, status: state.status, offered: state.status === 'awaiting-consent' ? state.offered : [] })
  })
  // Step E (and F–G at the music service): the user allowed it; mint a code and POST it to B.
  app.post('/consent', async (req, res) => {
    const form = req.body as { link?: string; scope?: string }
    const state = await partyA.consent(String(form.link), { scope: String(form.scope) })
    res.json({ status: state.status })
  })
  // A's API, called by the music service with the token of the reciprocal grant.
  app.post('/api/announce', express.text({ type: '*/*' }), async (req, res) => {
    // headersDistinct: every value of a repeated Authorization, which the check then refuses.
    const check = await authorizationServer.authenticateRequest({ method: req.method, headers: req.headersDistinct }, RECIPROCAL_SCOPE)
    if (!check.ok) return send(res, check.result) // 401/403 with WWW-Authenticate (RFC 6750)
    res.json({ announced: req.body as string, for: check.token.subject })
  })
  return app
}

/** Party B: the music service. */
export function musicApp({ partyB, authorizationServer }: Music, origins: Origins): Express {
  const app = express()
  // The token endpoint: the initial flow's grants and the reciprocal POST of step E.
  app.all('/token', toNodeListener(authorizationServer.tokenEndpoint))
  app.all('/revoke', toNodeListener(authorizationServer.revocationEndpoint))
  // Step B: your login and consent screens go here; this user approves at once.
  app.get('/authorize', async (req, res) => {
    const check = await authorizationServer.authorization.validate(new URL(req.originalUrl, origins.music))
    if (!check.ok) return check.redirectTo === undefined ? void res.status(400).json(check.error) : res.redirect(303, check.redirectTo)
    res.redirect(303, await authorizationServer.authorization.approve(check.request, { subject: USER }))
  })
  // B's API, called by the assistant with the token of the initial flow.
  app.get('/api/now-playing', async (req, res) => {
    const check = await authorizationServer.authenticateRequest({ method: req.method, headers: req.headersDistinct }, MUSIC_SCOPE)
    if (!check.ok) return send(res, check.result)
    res.json({ title: 'So What', for: check.token.subject })
  })
  // B uses the reciprocal grant: it calls A's API for this user (tokens refreshed ahead of expiry).
  app.post('/share', async (_req, res) => {
    const token = await partyB.accessToken('assistant', USER)
    const answer = await fetch(`${origins.assistant}/api/announce`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: 'So What' })
    res.json({ status: answer.status })
  })
  return app
}
