// `createPartyB` receiving reciprocal codes at its authorization server's token endpoint and
// redeeming each at party A's token endpoint — before answering (`immediate`) or after
// (`waitUntil`). A runs in the same child, so the CPU per request is both parties' work.
// 256 users, each with an access token B issued to A; the codes are minted at A up front.
import { createPartyB } from 'reciprocal-oauth'
import { toNodeListener } from 'reciprocal-oauth/node'
import { listen, reciprocalPost } from '../lib/fixtures.mjs'
import { assistantPeer, assistantServer, issueMusicToken, mintReciprocalCodes, musicServer } from '../lib/parties.mjs'

const USERS = 256

export async function startServers() {
  const origin = 'http://127.0.0.1'
  const assistantAs = assistantServer(origin)
  const a = await listen(toNodeListener(assistantAs.tokenEndpoint.fetch))
  const background = new Set()
  const waitUntil = (work) => {
    background.add(work)
    work.finally(() => background.delete(work))
  }

  /** One party B over its own authorization server; resolves its server and its users' tokens. */
  const partyB = async (redemption) => {
    const musicAs = musicServer(origin)
    createPartyB({ authorizationServer: musicAs, redemption, peers: { assistant: assistantPeer(a.url) } })
    const served = await listen(toNodeListener(musicAs.tokenEndpoint.fetch))
    const tokens = []
    for (let user = 0; user < USERS; user++) tokens.push(await issueMusicToken(musicAs, origin, `user-${user}`))
    return { served, tokens }
  }
  const immediate = await partyB('immediate')
  const deferred = await partyB({ waitUntil })

  /** Codes minted at A, each with the access token at B of the same user. */
  const posts = (b) => async (count) => {
    await Promise.all(background) // the last round's deferred redemptions end before the clock starts
    const codes = await mintReciprocalCodes(assistantAs, count, USERS)
    return codes.map((code, i) => ({ code, accessToken: b.tokens[i % USERS] }))
  }
  return {
    urls: { immediate: immediate.served.url, deferred: deferred.served.url },
    prepare: { 'party-b-immediate': posts(immediate), 'party-b-deferred': posts(deferred) },
    close: () => Promise.all([a, immediate.served, deferred.served].map(({ server }) => server.close())),
  }
}

const post = ({ code, accessToken }) => reciprocalPost('/token', code, accessToken)

export const scenarios = [
  {
    name: 'party-b-immediate',
    label: 'createPartyB receiving, redeeming at A before answering',
    server: 'immediate',
    prepared: true,
    request: post,
    expect: 200,
    vs: { ceiling: 'ceiling', composite: ['receiver-web', 'a-token-web'] },
  },
  {
    name: 'party-b-deferred',
    label: 'createPartyB receiving, redeeming at A after answering (waitUntil)',
    server: 'deferred',
    prepared: true,
    request: post,
    expect: 200,
    vs: { ceiling: 'ceiling', composite: ['receiver-web', 'a-token-web'] },
  },
]
