// SPEC R8.1, R8.4: the public party-A, party-B and client APIs, fed malformed input or talking to
// peers that answer garbage, throw (or store) typed errors — and no property of those errors,
// enumerable or not, down the `cause` chain, carries a code, token, state, PKCE verifier or secret.
import { createPartyA, ErrorCode, type JsonValue, ReciprocalError, type ReciprocalEvent, type Storage } from 'reciprocal-oauth'
import { discoverPeer, validateCallback } from 'reciprocal-oauth/client'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { expectNothingSecretIn } from '../helpers/reachable-strings.js'
import { linkAndConsent, SECRETS, twoServicesPerTest } from './two-services.js'

const startServices = twoServicesPerTest()

const CODE = 'SECRETcode-4xq9Vd2kLm'
const STATE = 'SECRETstate-8Jw3Rt6yPa'
const TOKEN = 'SECRETtoken-5Nb7Hc1zQe'
/** What a test sends or the fixture holds; every value an error could copy from. */
const secrets = [CODE, STATE, TOKEN, ...Object.values(SECRETS)]

async function thrown(action: () => unknown): Promise<unknown> {
  try {
    await action()
  } catch (error) {
    return error
  }
  throw new Error('expected the action to throw')
}

/** A peer that puts every secret it has seen into every part of every answer. */
function echoing(request: Request, seen: string[]): Response {
  const echo = seen.join(' ')
  return new Response(JSON.stringify({ error: 'invalid_request', error_description: echo, access_token: echo }), {
    status: new URL(request.url).pathname === '/revoke' ? 503 : 400,
    headers: { 'content-type': 'application/json', 'www-authenticate': `Bearer error="invalid_token", error_description="${echo}"` },
  })
}

describe('SPEC R8.4: no error of the public API carries a secret in any property', () => {
  it('SPEC R8.1, R8.4: party A takes a relative callback URL (Node\'s req.url) and completes the link', async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { url } = await s.partyA.startLink('music', 'alice-at-assistant')
    const callback = new URL(await s.authorizeAtB(url))
    const state = await s.partyA.handleCallback(`${callback.pathname}${callback.search}`, 'alice-at-assistant')
    expect(state).toMatchObject({ status: 'awaiting-consent', peerId: 'music' })
  })

  it('SPEC R8.4: party A refuses malformed callback URLs with ERR_CALLBACK_INVALID, and no property of the error holds the code or state', async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const query = `code=${CODE}&state=${STATE}`
    const malformed: unknown[] = [
      `/callback?${query}`, // relative, no such link
      `callback?${query}`, // relative to a directory
      `//evil.example/callback?${query}`,
      `/\\evil.example/callback?${query}`,
      `http://[${CODE}/callback?${query}`,
      `\u0000${CODE}`,
      `${s.a.url}/callback?${query}&iss=${s.b.url}&iss=${s.b.url}`,
      `${s.a.url}/callback?${query}&iss=https://unknown.example`,
      { toString: () => `${STATE} ${CODE}` },
    ]
    for (const callbackUrl of malformed) {
      const error = await thrown(() => s.partyA.handleCallback(callbackUrl as string, 'alice-at-assistant'))
      expect(error).toMatchObject({ code: ErrorCode.CallbackInvalid })
      expectNothingSecretIn(error, secrets)
    }
  })

  it('SPEC R8.4: bad scopes and bad configuration are refused without echoing what was passed', async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
    await s.partyA.handleCallback(await s.authorizeAtB(url), 'alice-at-assistant')
    for (const scope of [`assistant.read "${TOKEN}"`, `${TOKEN}\u0000`]) {
      const consent = await thrown(() => s.partyA.consent(linkId, { scope }))
      expect(consent).toMatchObject({ code: ErrorCode.ConsentInvalid })
      expectNothingSecretIn(consent, secrets)
    }
    const music = s.partyAOptions.peers['music']
    if (music === undefined) throw new Error('fixture without the music peer')
    for (const peer of [{ ...music, redirectUri: `/${TOKEN}` }, { ...music, scope: `"${TOKEN}"` }, { ...music, reciprocal: { ...music.reciprocal, offer: `"${TOKEN}"` } }]) {
      const error = await thrown(() => createPartyA({ ...s.partyAOptions, peers: { music: peer } }))
      expect(error).toBeInstanceOf(TypeError)
      expectNothingSecretIn(error, secrets)
    }
  })

  it('SPEC R8.4: party A and party B facing a peer that echoes every secret into every answer', async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
    const callback = await s.authorizeAtB(url)
    const seen = [...secrets, ...new URL(callback).searchParams.values()]
    await s.partyA.handleCallback(callback, 'alice-at-assistant')
    const link = await s.partyA.getLink(linkId)
    if (link === undefined || !('peerTokens' in link)) throw new Error('not linked')
    seen.push(link.peerTokens.accessToken, link.peerTokens.refreshToken ?? '')

    // A's token endpoint echoes: B's redemption fails, so does A's delivery.
    s.a.use(async (request) => echoing(request, seen))
    const delivered = await s.partyA.consent(linkId, { scope: 'assistant.read' })
    expect(delivered).toMatchObject({ status: 'delivery-failed' })
    expectNothingSecretIn(delivered.status === 'delivery-failed' ? delivered.error : undefined, seen)
    expectNothingSecretIn(await s.partyB.getLink('assistant', 'alice'), [CODE, STATE, TOKEN, ...Object.values(SECRETS)])
    expectNothingSecretIn(await s.partyB.resume('assistant', 'alice'), seen)
    expectNothingSecretIn(await thrown(() => s.partyB.accessToken('assistant', 'nobody')), seen)

    // B's token and revocation endpoints echo: A's refresh and revocation fail.
    s.b.use(async (request) => echoing(request, seen))
    s.runtime.advance(3600)
    const refresh = await thrown(() => s.partyA.accessToken(linkId))
    expect(refresh).toBeInstanceOf(ReciprocalError)
    expectNothingSecretIn(refresh, seen)
    const unlinked = await s.partyA.unlink(linkId)
    expect(unlinked).toMatchObject({ status: 'unlinked', error: { step: 'revoke' } })
    expectNothingSecretIn(unlinked.status === 'unlinked' ? unlinked.error : undefined, seen)

    // A new link whose token exchange meets the echoing B: the failed state's error is clean too.
    s.b.use(async (request) => (new URL(request.url).pathname === '/token' ? echoing(request, seen) : s.musicHandler(request)))
    const again = await s.partyA.startLink('music', 'alice-at-assistant')
    const failed = await s.partyA.handleCallback(await s.authorizeAtB(again.url), 'alice-at-assistant')
    expect(failed).toMatchObject({ status: 'failed', error: { step: 'token-exchange' } })
    expectNothingSecretIn(failed, seen)
  })

  it('SPEC R8.4: client steps: relative and garbage callback URLs, a garbage issuer, a garbage discovery answer', async () => {
    const peer = {
      as: { issuer: 'https://b.example', authorization_endpoint: 'https://b.example/authorize', token_endpoint: 'https://b.example/token' },
      client: { client_id: 'assistant' },
      clientAuth: oauth.ClientSecretBasic(TOKEN),
      fetch: (async () => new Response(`{"issuer": "${TOKEN}", ${CODE}`, { status: 200, headers: { 'content-type': 'application/json' } })) as typeof fetch,
    }
    const pending = { state: STATE, codeVerifier: `${CODE}-verifier-0123456789-abcdefghijklmnop`, redirectUri: 'https://a.example/cb', scope: 'music.play' }
    secrets.push(pending.codeVerifier)
    // Relative to the redirect URI: accepted.
    expect(validateCallback(peer, pending, `/cb?code=${CODE}&state=${STATE}`).params.get('code')).toBe(CODE)
    for (const garbage of [`http://[${CODE}?state=${STATE}`, `/cb?code=${CODE}&state=wrong-${STATE}`, `/cb?code=${CODE}&code=${CODE}&state=${STATE}`]) {
      const error = await thrown(() => validateCallback(peer, { ...pending, redirectUri: `not a url ${STATE}` }, garbage))
      expect(error).toMatchObject({ code: ErrorCode.CallbackInvalid })
      expectNothingSecretIn(error, secrets)
    }
    expectNothingSecretIn(await thrown(() => discoverPeer(`not an issuer ${TOKEN}`)), secrets)
    expectNothingSecretIn(await thrown(() => discoverPeer('https://b.example', { fetch: peer.fetch })), secrets)
  })

  it('SPEC R8.1, R8.4: a store whose errors quote the key and the record they failed on (as PostgreSQL\'s detail quotes a failing row): ERR_STORAGE_FAILED, and no property of the error or event holds what the record held', async () => {
    let failing = false
    /** Every string of every record the failing store was handed, and every key: what its errors quote. */
    const quoted = new Set<string>()
    const collect = (value: unknown): void => {
      if (typeof value === 'string' && value.length >= 16) quoted.add(value)
      else if (typeof value === 'object' && value !== null) Object.values(value).forEach(collect)
    }
    const quoting = (operation: string, key: string, value?: JsonValue): Error => {
      collect(key)
      collect(value)
      const row = `(${key}, ${JSON.stringify(value ?? null)})`
      return Object.assign(new Error(`${operation} failed: Failing row contains ${row}`), { name: 'DatabaseError', code: '23514', detail: `Failing row contains ${row}`, key, value })
    }
    const wrapStorage = (storage: Storage): Storage => {
      const refuse = (operation: string, key: string, value?: JsonValue): void => {
        if (failing && /^(lease:)?party-[ab]:/.test(key)) throw quoting(operation, key, value)
      }
      return {
        get: async <T extends JsonValue>(key: string) => (refuse('get', key), storage.get<T>(key)),
        set: async (key, value, ttl) => (refuse('set', key, value), storage.set(key, value, ttl)),
        add: async (key, value, ttl) => (refuse('add', key, value), storage.add(key, value, ttl)),
        delete: async (key) => (refuse('delete', key), storage.delete(key)),
        take: async <T extends JsonValue>(key: string) => (refuse('take', key), storage.take<T>(key)),
      }
    }
    const events: ReciprocalEvent[] = []
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read', wrapStorage, onEvent: (event) => void events.push(event) })
    const failed: unknown[] = []
    const whileFailing = async (operation: () => Promise<unknown>): Promise<void> => {
      failing = true
      failed.push(await thrown(operation))
      failing = false
    }
    // The store fails under each operation: holding the pending `state` and PKCE verifier, a link's
    // tokens at both parties, the refreshed ones.
    await whileFailing(() => s.partyA.startLink('music', 'alice-at-assistant'))
    const { linkId } = await linkAndConsent(s)
    await whileFailing(() => s.partyA.getLink(linkId))
    s.runtime.advance(3_601)
    await whileFailing(() => s.partyA.accessToken(linkId))
    await whileFailing(() => s.partyB.accessToken('assistant', 'alice'))
    await whileFailing(() => s.partyB.unlink('assistant', 'alice'))
    // What the records held, now that the parties hold tokens: the refreshed ones too.
    const link = await s.partyA.getLink(linkId)
    collect(link)
    collect(await s.partyB.getLink('assistant', 'alice'))
    expect(link).toMatchObject({ status: 'reciprocal-granted' })

    const storageEvents = events.filter((event) => event.type === 'unexpected-failure' && event.error.code === ErrorCode.StorageFailed)
    expect(failed.map((error) => (error as ReciprocalError).code)).toEqual(Array(5).fill(ErrorCode.StorageFailed))
    expect(failed.every((error) => error instanceof ReciprocalError && error.retryable)).toBe(true)
    expect(storageEvents).toHaveLength(5)
    // Only the name survives: a SQLSTATE is not a Node-style code, and the message may quote the row.
    expect(failed[0]).toMatchObject({ message: 'The storage failed (set: DatabaseError)', cause: { name: 'DatabaseError' } })
    expect(quoted.size).toBeGreaterThan(10)
    expectNothingSecretIn(failed, [...quoted, ...secrets])
    expectNothingSecretIn(storageEvents, [...quoted, ...secrets])
  })
})
