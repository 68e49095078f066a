// Party A's authorization server: its token endpoint redeeming reciprocal codes minted up front
// (draft steps F–G), through both doors of the Node adapter; and its bearer check on an API route.
import { jsonResult } from 'reciprocal-oauth/server'
import { toNodeListener, toNodeRawListener } from 'reciprocal-oauth/node'
import { ASSISTANT_OFFER, SECRETS, basic, formPost, json, listen } from '../lib/fixtures.mjs'
import { assistantServer, mintReciprocalCodes } from '../lib/parties.mjs'

const redeem = (code) => formPost('/token', { grant_type: 'authorization_code', code }, basic('music', SECRETS.musicAtAssistant))

export async function startServers() {
  const origin = 'http://127.0.0.1'
  const assistantAs = assistantServer(origin)
  const web = await listen(toNodeListener(assistantAs.tokenEndpoint.fetch))
  const raw = await listen(toNodeListener(assistantAs.tokenEndpoint))
  // An API route of A's, behind the bearer check of B's access token.
  const api = await listen(
    toNodeRawListener(async (request) => {
      const check = await assistantAs.authenticateRequest(request, ASSISTANT_OFFER)
      return check.ok ? jsonResult(200, { user: check.token.subject }) : check.result
    }),
  )
  const [code] = await mintReciprocalCodes(assistantAs, 1)
  const redeemed = await assistantAs.tokenEndpoint.handle({ ...redeem(code), url: `${origin}/token` })
  const accessToken = json(redeemed.body)?.access_token
  const codes = (count) => mintReciprocalCodes(assistantAs, count)
  return {
    urls: { web: web.url, raw: raw.url, api: api.url, accessToken },
    prepare: { 'a-token-web': codes, 'a-token-raw': codes },
    close: () => Promise.all([web, raw, api].map(({ server }) => server.close())),
  }
}

export const scenarios = [
  {
    name: 'a-token-web',
    label: "A's token endpoint, redeeming a reciprocal code, Web door",
    server: 'web',
    prepared: true,
    request: redeem,
    expect: 200,
    vs: { oidc: 'oidc-authorization-code', ceiling: 'ceiling' },
  },
  {
    name: 'a-token-raw',
    label: "A's token endpoint, redeeming a reciprocal code, lower door (default)",
    server: 'raw',
    prepared: true,
    request: redeem,
    expect: 200,
    vs: { oidc: 'oidc-authorization-code', ceiling: 'ceiling' },
  },
  {
    name: 'a-bearer',
    label: "A's bearer check on an API route",
    server: 'api',
    request: (_i, urls) => ({ method: 'GET', path: '/api/profile', headers: { authorization: `Bearer ${urls.accessToken}` } }),
    expect: 200,
    vs: { ceiling: 'ceiling' },
  },
]
