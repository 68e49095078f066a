// RFC 9700 §4.4 (mix-up), across the peers of one party A. A malicious peer M, when the user
// starts linking with it, bounces the user to an honest peer H with A's own `state` and PKCE
// challenge. H then redirects to A with a code of H's. Nothing may be exchanged at H for M's
// link, and M must never receive the token H issued to A.
//
// This is the attack against the old API (one `createPartyA` per peer, one storage, one redirect
// URI, callbacks routed by `iss`). It is marked `it.fails`: it documents that the old API lets
// the attack through.
import * as oauth from 'oauth4webapi'
import { afterEach, describe, expect, it } from 'vitest'
import { createPartyA } from '../../src/drivers/party-a.js'
import { ErrorCode } from '../../src/errors.js'
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
function maliciousPeer(server: Served, honest: string) {
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

describe('cross-peer mix-up (RFC 9700 §4.4), old API: one createPartyA per peer', () => {
  it.fails('a bounced callback is completed by the honest instance and M receives H\'s token', async () => {
    evil = await serve()
    services = await startTwoServices({
      reciprocalInTokenResponse: 'assistant.read',
      extraClientsAtAssistant: [
        { clientId: 'evil', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: 'evil-secret-at-assistant-0000000', scope: ASSISTANT_OFFER },
      ],
    })
    const s = services
    const m = maliciousPeer(evil, s.b.url)
    // The old API: a second instance for the second peer, sharing the storage and redirect URI.
    const partyAForEvil = createPartyA({
      ...s.partyAOptions,
      peer: m.peer,
      reciprocal: { peerClientId: 'evil', offer: ASSISTANT_OFFER, configured: 'assistant.read' },
    })
    const byIssuer = new Map([
      [s.b.url, s.partyA],
      [evil.url, partyAForEvil],
    ])

    const { linkId, url } = await partyAForEvil.startLink('alice-at-assistant')
    const callback = await browse(url, s.a.url)
    // The application routes the shared callback to the instance of the issuer that answered.
    const instance = byIssuer.get(new URL(callback).searchParams.get('iss') ?? '')
    const outcome = await instance?.handleCallback(callback, 'alice-at-assistant').catch((error: unknown) => error)
    // The application continues the link with the instance it started it with.
    await partyAForEvil.consent(linkId, { scope: 'assistant.read' }).catch(() => undefined)

    expect.soft(outcome).toMatchObject({ code: ErrorCode.CallbackInvalid })
    expect.soft(m.received.map((form) => form.get('access_token'))).toEqual([])
  })
})
