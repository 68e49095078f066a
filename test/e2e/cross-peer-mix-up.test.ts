// RFC 9700 §4.4 (mix-up), across the peers of one party A. A malicious peer M, when the user
// starts linking with it, bounces the user to an honest peer H with A's own `state` and PKCE
// challenge. H then redirects to A with a code of H's. Nothing may be exchanged at H for M's
// link, and M must never receive the token H issued to A.
// (Before issue 6, one `createPartyA` per peer over one storage let this through: commit
// 99eb1af has that test against the old API.)
import { createPartyA, ErrorCode, type PartyA, type PartyAPeer } from 'reciprocal-oauth'
import * as oauth from 'oauth4webapi'
import { afterEach, describe, expect, it } from 'vitest'
import { serve, type Served } from '../helpers/serve.js'
import { ASSISTANT_OFFER, MUSIC_SCOPE, startTwoServices, type TwoServices } from './two-services.js'

let services: TwoServices | undefined
let evil: Served | undefined
afterEach(async () => {
  await Promise.all([services?.close(), evil?.close()])
  services = undefined
  evil = undefined
})

/** The malicious peer: its authorization endpoint bounces to H; its token endpoint records what it gets. */
function maliciousPeer(server: Served, honest: string, redirectUriAtHonest?: string) {
  const received: URLSearchParams[] = []
  server.use(async (request) => {
    const url = new URL(request.url)
    if (url.pathname === '/authorize') {
      // A's own state and PKCE challenge, replayed at H with A's client id and redirect URI at H.
      const bounce = new URL(`${honest}/authorize`)
      for (const name of ['response_type', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method']) {
        bounce.searchParams.set(name, url.searchParams.get(name) ?? '')
      }
      bounce.searchParams.set('client_id', 'assistant')
      if (redirectUriAtHonest !== undefined) bounce.searchParams.set('redirect_uri', redirectUriAtHonest)
      bounce.searchParams.set('scope', MUSIC_SCOPE)
      return Response.redirect(bounce, 302)
    }
    if (url.pathname === '/token') {
      received.push(new URLSearchParams(await request.text()))
      return Response.json({})
    }
    return new Response('not found', { status: 404 })
  })
  return {
    received,
    peer: {
      as: {
        issuer: server.url,
        authorization_endpoint: `${server.url}/authorize`,
        token_endpoint: `${server.url}/token`,
        authorization_response_iss_parameter_supported: true,
      },
      client: { client_id: 'assistant-at-evil' },
      clientAuth: oauth.ClientSecretBasic('assistant-secret-at-evil-00000000'),
      allowInsecureRequests: true,
    },
  }
}

/** Plays the user's browser: follows redirects until one points at A. */
async function browse(start: URL, a: string): Promise<string> {
  let location = start.href
  for (let hop = 0; hop < 5 && !location.startsWith(a); hop++) {
    const response = await fetch(location, { redirect: 'manual' })
    location = new URL(response.headers.get('location') ?? '', location).href
  }
  return location
}

const EVIL_CLIENT = { clientId: 'evil', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: 'evil-secret-at-assistant-0000000', scope: ASSISTANT_OFFER } as const

/** H (the music service of the fixture), M, and one party A serving both over one storage. */
async function twoPeers(options: { shareRedirectUri: boolean; honestSendsIss: boolean }) {
  evil = await serve()
  services = await startTwoServices({ reciprocalInTokenResponse: 'assistant.read', extraClientsAtAssistant: [EVIL_CLIENT] })
  const s = services
  const honestRedirect = `${s.a.url}/callback`
  const m = maliciousPeer(evil, s.b.url, honestRedirect)
  const music = s.partyAOptions.peers['music']
  if (music === undefined) throw new Error('fixture without the music peer')
  const honest: PartyAPeer = {
    ...music,
    peer: { ...music.peer, as: { ...music.peer.as, authorization_response_iss_parameter_supported: options.honestSendsIss } },
  }
  const partyA: PartyA = createPartyA({
    ...s.partyAOptions,
    peers: {
      music: honest,
      evil: {
        peer: m.peer,
        redirectUri: options.shareRedirectUri ? honestRedirect : `${s.a.url}/callback/evil`,
        scope: 'evil.read',
        reciprocal: { peerClientId: 'evil', offer: ASSISTANT_OFFER, configured: 'assistant.read' },
      },
    },
  })
  // Count what reaches H's token endpoint as an authorization-code exchange.
  let exchangesAtHonest = 0
  s.b.use(async (request) => {
    if (new URL(request.url).pathname === '/token' && new URLSearchParams(await request.clone().text()).get('grant_type') === 'authorization_code') {
      exchangesAtHonest++
    }
    return s.musicHandler(request)
  })
  /** The user's browser ends at A's callback; an H without RFC 9207 sends no `iss`. */
  const callbackOf = async (url: URL): Promise<string> => {
    const callback = new URL(await browse(url, s.a.url))
    if (!options.honestSendsIss) callback.searchParams.delete('iss')
    return callback.href
  }
  return { s, m, partyA, callbackOf, exchanges: () => exchangesAtHonest }
}

describe('cross-peer mix-up (RFC 9700 §4.4): one party A, two peers, one storage', () => {
  it.each([
    ['one shared redirect URI, both peers send iss (RFC 9207)', { shareRedirectUri: true, honestSendsIss: true }],
    ['a redirect URI per peer, the honest peer sends no iss', { shareRedirectUri: false, honestSendsIss: false }],
  ])('RFC 9700 §4.4: a callback bounced from M to H is refused, nothing is exchanged at H, nothing is POSTed to M — %s', async (_name, options) => {
    const { s, m, partyA, callbackOf, exchanges } = await twoPeers(options)
    const { linkId, url } = await partyA.startLink('evil', 'alice-at-assistant')
    expect(linkId.startsWith('evil.')).toBe(true)
    const callback = await callbackOf(url)
    await expect(partyA.handleCallback(callback, 'alice-at-assistant')).rejects.toMatchObject({ code: ErrorCode.CallbackInvalid, step: 'callback' })
    expect(exchanges()).toBe(0)
    // M's link never got tokens, so there is nothing to consent to and nothing to send M.
    expect(await partyA.getLink(linkId)).toMatchObject({ status: 'awaiting-callback', peerId: 'evil' })
    await expect(partyA.consent(linkId, { scope: 'assistant.read' })).rejects.toMatchObject({ code: ErrorCode.InvalidState })
    expect(m.received).toEqual([])

    // The same party A links to H as it should.
    const honest = await partyA.startLink('music', 'alice-at-assistant')
    const linked = await partyA.handleCallback(await callbackOf(honest.url), 'alice-at-assistant')
    expect(linked).toMatchObject({ status: 'awaiting-consent', peerId: 'music' })
    expect(await partyA.consent(honest.linkId, { scope: 'assistant.read' })).toMatchObject({ status: 'reciprocal-granted' })
    expect(exchanges()).toBe(1)
    expect(m.received).toEqual([])
  })

  it.each([
    ["at the honest peer's redirect URI, path-absolute", undefined, '/callback'],
    ["at the honest peer's redirect URI, absolute", 'a', '/callback'],
    ["at M's redirect path on another origin", 'https://elsewhere.example', '/callback/evil'],
  ])('RFC 9700 §4.4: a callback whose iss names a peer registered at another redirect URI is refused, nothing is exchanged — %s', async (_name, origin, path) => {
    const { s, m, partyA } = await twoPeers({ shareRedirectUri: false, honestSendsIss: true })
    const { linkId, url } = await partyA.startLink('evil', 'alice-at-assistant')
    const query = new URLSearchParams({ code: 'code-of-m', state: url.searchParams.get('state') ?? '', iss: m.peer.as.issuer })
    const arrived = `${origin === 'a' ? s.a.url : (origin ?? '')}${path}?${query}`
    await expect(partyA.handleCallback(arrived, 'alice-at-assistant')).rejects.toMatchObject({ code: ErrorCode.CallbackInvalid, step: 'callback' })
    expect(m.received).toEqual([])
    expect(await partyA.getLink(linkId)).toMatchObject({ status: 'awaiting-callback', peerId: 'evil' })
  })

  it('RFC 9700 §4.4: a stored link whose peer is not the one its id names is never delivered', async () => {
    const { s, m, partyA, callbackOf } = await twoPeers({ shareRedirectUri: true, honestSendsIss: true })
    const honest = await partyA.startLink('music', 'alice-at-assistant')
    await partyA.handleCallback(await callbackOf(honest.url), 'alice-at-assistant')
    // The record of H's link, copied under a link id that names M.
    const forgedId = `evil.${honest.linkId.slice('music.'.length)}`
    const record = await s.storageA.get<{ state: Record<string, string> }>(`party-a:link:${honest.linkId}`)
    if (record === undefined) throw new Error('no stored link')
    await s.storageA.set(`party-a:link:${forgedId}`, { ...record, state: { ...record.state, linkId: forgedId } })
    await expect(partyA.consent(forgedId, { scope: 'assistant.read' })).rejects.toMatchObject({ code: ErrorCode.InvalidState })
    expect(m.received).toEqual([])
  })

  it("RFC 9700 §4.4: a state index entry in one peer's namespace that names another peer's link completes nothing", async () => {
    const { s, m, partyA, callbackOf, exchanges } = await twoPeers({ shareRedirectUri: true, honestSendsIss: true })
    const evil = await partyA.startLink('evil', 'alice-at-assistant')
    const honest = await partyA.startLink('music', 'alice-at-assistant')
    // H's state index entry, rewritten to name M's link (as only a writer of this storage could).
    const state = honest.url.searchParams.get('state') ?? ''
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(state)))
    const hash = btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    await s.storageA.set(`party-a:state:music:${hash}`, evil.linkId, 600)
    await expect(partyA.handleCallback(await callbackOf(honest.url), 'alice-at-assistant')).rejects.toMatchObject({ code: ErrorCode.CallbackInvalid })
    expect(exchanges()).toBe(0)
    expect(await partyA.getLink(evil.linkId)).toMatchObject({ status: 'awaiting-callback' })
    expect(m.received).toEqual([])
  })

  it('RFC 9700 §4.4: peers that could not be told apart are refused at construction', async () => {
    services = await startTwoServices()
    const music = services.partyAOptions.peers['music']
    if (music === undefined) throw new Error('fixture without the music peer')
    const withoutIss: PartyAPeer = { ...music, peer: { ...music.peer, as: { ...music.peer.as, issuer: 'https://other.example', authorization_response_iss_parameter_supported: false } } }
    const sameIssuer: PartyAPeer = { ...music, reciprocal: { ...music.reciprocal, peerClientId: 'music-2' } }
    const options = services.partyAOptions
    const build = (peers: Record<string, PartyAPeer>) => () => createPartyA({ ...options, peers })
    expect(build({ music, other: withoutIss })).toThrow(TypeError)
    expect(build({ music, twin: sameIssuer })).toThrow(TypeError)
    const distinct: PartyAPeer = { ...withoutIss, redirectUri: 'https://assistant.example/callback/other', reciprocal: { ...music.reciprocal, peerClientId: 'other' } }
    expect(build({ music, other: distinct })).not.toThrow()
    expect(build({ 'no.dots': music })).toThrow(TypeError)
    expect(build({})).toThrow(TypeError)
  })
})
