import { type PeerConfig, ReciprocalError } from 'reciprocal-oauth'
import { deliverReciprocalCode, exchangeCode, redeemReciprocalCode, refreshTokenSet, revokeToken, validateCallback } from 'reciprocal-oauth/client'
import { describe, expect, it } from 'vitest'
import {
  ACCESS_TOKEN,
  AUTH_CODE,
  CODE,
  REFRESH_TOKEN,
  SECRETS,
  STATE,
  VERIFIER,
  expectNoSecrets,
  expectReciprocalError,
  fakeFetch,
  json,
  peerConfig,
} from './fixtures.js'

const echo = SECRETS.join(' ')

/** Peers that echo every secret back in every place an answer can carry text. */
const hostilePeers: Array<[string, () => PeerConfig]> = [
  ['error_description', () => peerConfig({ fetch: fakeFetch(() => json({ error: 'invalid_grant', error_description: echo }, 400)).fetch })],
  ['error code itself', () => peerConfig({ fetch: fakeFetch(() => json({ error: CODE, error_uri: echo }, 400)).fetch })],
  ['WWW-Authenticate', () =>
    peerConfig({
      fetch: fakeFetch(() => new Response(echo, { status: 401, headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${echo}"` } })).fetch,
    })],
  ['non-JSON 500 body', () => peerConfig({ fetch: fakeFetch(() => new Response(echo, { status: 500 })).fetch })],
  ['non-JSON 200 body', () => peerConfig({ fetch: fakeFetch(() => new Response(echo, { status: 200 })).fetch })],
  ['malformed token response', () => peerConfig({ fetch: fakeFetch(() => json({ access_token: 42, token_type: echo })).fetch })],
  ['fetch error carrying the secrets', () => {
    const fetch = (async () => {
      throw new TypeError(`fetch failed: ${echo}`, { cause: new Error(echo) })
    }) as typeof globalThis.fetch
    return peerConfig({ fetch })
  }],
]

describe('SPEC R7.4, R8.4: no thrown error carries a secret, code or token', () => {
  it.each(hostilePeers)('every client step redacts a peer echoing secrets in its %s', async (_name, makePeer) => {
    const pending = { state: STATE, codeVerifier: VERIFIER, redirectUri: 'https://a.example/cb', scope: 'x' }
    const url = new URL(`https://a.example/cb?code=${AUTH_CODE}&state=${STATE}`)
    const steps = [
      () => deliverReciprocalCode(makePeer(), { code: CODE, accessToken: ACCESS_TOKEN }),
      () => redeemReciprocalCode(makePeer(), CODE, { now: 0 }),
      () => refreshTokenSet(makePeer(), { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN }, { now: 0 }),
      () => revokeToken(makePeer(), REFRESH_TOKEN, 'refresh_token'),
      () => exchangeCode(makePeer(), pending, validateCallback(makePeer(), pending, url), { now: 0 }),
    ]
    for (const step of steps) {
      let outcome: unknown
      try {
        outcome = await step()
      } catch (error) {
        outcome = error
      }
      // Some hostile answers are still successes for some steps (e.g. a 200 revocation); failures must be clean.
      if (outcome instanceof Error) {
        expect(outcome).toBeInstanceOf(ReciprocalError)
        expectNoSecrets(outcome as ReciprocalError)
        // The cause is a summary, never oauth4webapi's error with its Response and parsed body.
        const cause = (outcome as ReciprocalError).cause
        expect(cause === undefined || (typeof cause === 'object' && cause !== null && !(cause instanceof Error) && !('response' in cause))).toBe(true)
      }
    }
  })

  it('a callback error response echoing secrets is redacted', async () => {
    const peer = peerConfig({ fetch: fakeFetch(() => json({})).fetch })
    const pending = { state: STATE, codeVerifier: VERIFIER, redirectUri: 'https://a.example/cb', scope: 'x' }
    const url = new URL('https://a.example/cb')
    url.searchParams.set('error', 'access_denied')
    url.searchParams.set('error_description', echo)
    url.searchParams.set('state', STATE)
    await expectReciprocalError(() => validateCallback(peer, pending, url))
    url.searchParams.set('error', CODE)
    const error = await expectReciprocalError(() => validateCallback(peer, pending, url))
    expect(error.message).toContain('unknown')
  })
})
