// The full link, draft steps A–G, between two services in one child: the user agent follows A's
// authorization URL to B (1), B redirects to A's callback (2), where A exchanges the code at B (3);
// the user consents at A (4), A posts the reciprocal code to B (5), which redeems it at A (6) before
// answering. Six HTTP round trips, against the floor of six bare ones (ceiling.mjs), one user at a
// time: the figure is the latency of a link, not the throughput under load. `startLink`
// (step A's URL, no HTTP) runs up front in the child.
import { ClientSecretBasic, createPartyA, createPartyB } from 'reciprocal-oauth'
import { nodeFetch, toNodeListener } from 'reciprocal-oauth/node'
import { ASSISTANT_OFFER, MUSIC_SCOPE, SECRETS, json, listen, send } from '../lib/fixtures.mjs'
import { assistantPeer, assistantServer, musicServer } from '../lib/parties.mjs'

/**
 * A server whose routes are set once both servers know each other's origin. Mounted as README
 * shows a Node application: the token endpoints through `toNodeListener(endpoint)` (the lower
 * door), the application's own routes as plain Node handlers, with no Web `Request` built.
 */
async function routed() {
  const routes = {}
  // A route that throws answers 500 (a miss the runner counts), as toNodeListener would.
  const served = await listen((request, response) =>
    Promise.resolve((routes[request.url.split('?', 1)[0]] ?? notFound)(request, response)).catch((error) => answer(response, 500, { error: String(error?.code ?? error) })),
  )
  return { ...served, routes }
}
const notFound = (_request, response) => answer(response, 404, { error: 'not found' })
const answer = (response, status, body, headers = {}) => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(body))
}
/** The request body as text. */
async function text(request) {
  let body = ''
  request.setEncoding('utf8')
  for await (const chunk of request) body += chunk
  return body
}

export async function startServers() {
  const [a, b] = [await routed(), await routed()]
  const assistantAs = assistantServer(a.url)
  const musicAs = musicServer(b.url, { callback: `${a.url}/callback`, extra: { reciprocalScope: () => ASSISTANT_OFFER } })
  createPartyB({ authorizationServer: musicAs, peers: { assistant: assistantPeer(a.url) } })
  const partyA = createPartyA({
    peers: {
      music: {
        peer: {
          as: { issuer: b.url, authorization_endpoint: `${b.url}/authorize`, token_endpoint: `${b.url}/token`, authorization_response_iss_parameter_supported: true },
          client: { client_id: 'assistant' },
          clientAuth: ClientSecretBasic(SECRETS.assistantAtMusic),
          allowInsecureRequests: true,
          fetch: nodeFetch,
        },
        redirectUri: `${a.url}/callback`,
        scope: MUSIC_SCOPE,
        reciprocal: { peerClientId: 'music', offer: ASSISTANT_OFFER },
      },
    },
    authorizationServer: assistantAs,
  })

  let users = 0
  // B's login and consent screens are not the subject: every authorization is approved at once.
  b.routes['/authorize'] = async (request, response) => {
    const check = await musicAs.authorization.validate(`${b.url}${request.url}`)
    if (!check.ok) return answer(response, 400, check.error)
    response.writeHead(302, { location: await musicAs.authorization.approve(check.request, { subject: `b-user-${users++}` }) })
    response.end()
  }
  b.routes['/token'] = toNodeListener(musicAs.tokenEndpoint)
  a.routes['/token'] = toNodeListener(assistantAs.tokenEndpoint)
  // The user of the browser session: a header stands in for the session cookie.
  a.routes['/callback'] = async (request, response) => answer(response, 200, await partyA.handleCallback(request.url, request.headers['x-user']))
  a.routes['/consent'] = async (request, response) => answer(response, 200, await partyA.consent(await text(request), { scope: ASSISTANT_OFFER }))

  return {
    urls: { a: a.url, b: b.url },
    prepare: {
      flow: async (count) => {
        const links = []
        for (let i = 0; i < count; i++) {
          const user = `a-user-${links.length}-${Math.random().toString(36).slice(2)}`
          const { url } = await partyA.startLink('music', user)
          links.push({ user, authorize: url.pathname + url.search })
        }
        return links
      },
    },
    close: () => Promise.all([a.server.close(), b.server.close()]),
  }
}

export const scenarios = [
  {
    name: 'flow',
    label: 'full link A–G, two services, one user at a time',
    prepared: true,
    loops: 1,
    unit: async ({ pool }, { user, authorize }) => {
      const redirect = await send(pool('b'), { method: 'GET', path: authorize })
      const location = redirect.headers.location
      if (redirect.status !== 302 || typeof location !== 'string') return `authorize: ${redirect.status} ${redirect.text}`
      const callbackUrl = new URL(location)
      const callback = await send(pool('a'), { method: 'GET', path: callbackUrl.pathname + callbackUrl.search, headers: { 'x-user': user } })
      const linked = json(callback.text)
      if (linked?.status !== 'awaiting-consent') return `callback: ${callback.status} ${callback.text}`
      const consent = await send(pool('a'), { method: 'POST', path: '/consent', body: linked.linkId })
      const granted = json(consent.text)
      return granted?.status === 'reciprocal-granted' || `consent: ${consent.status} ${consent.text}`
    },
    vs: { ceiling: 'floor-flow', floor: 'floor-flow' },
  },
]
