// Every ErrorCode users are invited to switch on is one the SDK really throws (SPEC R8.1): each
// row triggers its code through the function that throws it, with a fake peer (no network).
import { createPartyB, ErrorCode, MemoryStorage, type PartyAState, staticClients } from 'reciprocal-oauth'
import { deliverReciprocalCode, discoverPeer, exchangeCode, redeemReciprocalCode, refreshTokenSet, validateCallback } from 'reciprocal-oauth/client'
import { startPartyA, stepPartyA } from 'reciprocal-oauth/machines'
import { describe, expect, it } from 'vitest'
import { LinkGuard } from '../../src/drivers/link-guard.js'
import {
  ACCESS_TOKEN, AUTH_CODE, CODE, expectReciprocalError, failingFetch, fakeFetch, hangingFetch, json, peerConfig,
  REFRESH_TOKEN, STATE, VERIFIER,
} from '../client/fixtures.js'

const now = 1_700_000_000
const pending = { state: STATE, codeVerifier: VERIFIER, redirectUri: 'https://a.example/cb', scope: 'music.play' }
const tokens = { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN, expiresAt: now + 3600, scope: 'music.play' }
const answering = (status: number, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  peerConfig({ fetch: fakeFetch(() => json(body, status, headers)).fetch })
const ctx = { now, offer: 'assistant.read' }
const fresh = (): PartyAState => startPartyA({ linkId: 'music.l1', peerId: 'music', userId: 'alice', pending, now })
const afterTokens = (reciprocalFromToken?: string): PartyAState =>
  stepPartyA(fresh(), { type: 'tokens-received', tokens, ...(reciprocalFromToken === undefined ? {} : { reciprocalFromToken }) }, ctx)
const consent = (state: PartyAState, scope = ['assistant.read']) => () => stepPartyA(state, { type: 'consent-granted', scope }, ctx)
const refused = (): PartyAState => stepPartyA(afterTokens('assistant.read'), { type: 'consent-refused' }, ctx)

const rows: Record<ErrorCode, () => unknown> = {
  [ErrorCode.Configuration]: () => discoverPeer('not a url', { fetch: failingFetch() }),
  [ErrorCode.InvalidState]: () => stepPartyA(fresh(), { type: 'code-posted' }, ctx),
  [ErrorCode.CallbackInvalid]: () => validateCallback(answering(200), pending, `https://a.example/cb?code=x&state=wrong`),
  [ErrorCode.AuthorizationDenied]: () => validateCallback(answering(200), pending, `https://a.example/cb?error=access_denied&state=${STATE}`),
  [ErrorCode.TokenExchangeFailed]: () => {
    const peer = answering(400, { error: 'invalid_grant' })
    return exchangeCode(peer, pending, validateCallback(peer, pending, `https://a.example/cb?code=${AUTH_CODE}&state=${STATE}`), { now })
  },
  [ErrorCode.NothingToOffer]: consent(afterTokens('admin')),
  [ErrorCode.NothingRequested]: consent(afterTokens()),
  [ErrorCode.ConsentRefused]: consent(refused()),
  [ErrorCode.ConsentInvalid]: consent(afterTokens('assistant.read'), ['admin']),
  [ErrorCode.PeerRejected]: () => deliverReciprocalCode(answering(400, { error: 'unsupported_grant_type' }), { code: CODE, accessToken: ACCESS_TOKEN }),
  [ErrorCode.PeerUnauthorized]: () => redeemReciprocalCode(answering(401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="a"' }), CODE, { now }),
  [ErrorCode.PeerForbidden]: () => deliverReciprocalCode(answering(403, { error: 'insufficient_scope' }), { code: CODE, accessToken: ACCESS_TOKEN }),
  [ErrorCode.PeerUnavailable]: () => redeemReciprocalCode(answering(503), CODE, { now }),
  [ErrorCode.InvalidResponse]: () => redeemReciprocalCode(answering(200, { token_type: 'Bearer' }), CODE, { now }),
  [ErrorCode.Network]: () => redeemReciprocalCode(peerConfig({ fetch: failingFetch() }), CODE, { now }),
  [ErrorCode.Timeout]: () => redeemReciprocalCode(peerConfig({ fetch: hangingFetch(), timeoutMs: 10 }), CODE, { now }),
  [ErrorCode.RedemptionFailed]: () => redeemReciprocalCode(answering(400, { error: 'invalid_grant' }), CODE, { now }),
  [ErrorCode.NeedsReconsent]: () => refreshTokenSet(answering(400, { error: 'invalid_grant' }), tokens, { now }),
  [ErrorCode.LinkBusy]: async () => {
    const storage = new MemoryStorage()
    await storage.add('lease:link', 'another worker', 60)
    return new LinkGuard(storage, { now: () => now, randomBytes: (n) => new Uint8Array(n) }, 0.001).run('link', async () => undefined)
  },
  [ErrorCode.StorageFailed]: () => {
    const down = (): Promise<never> => Promise.reject(new Error('connection lost'))
    const storage = { get: down, set: down, add: down, delete: down, take: down }
    const partyB = createPartyB({ peers: { assistant: peerConfig({}) }, clients: staticClients([]), audiences: ['https://b.example'], verifyAccessToken: async () => undefined, storage })
    return partyB.getLink('assistant', 'alice')
  },
}

describe('SPEC R8.1: every ErrorCode is thrown somewhere', () => {
  it.each(Object.entries(rows))('%s', async (code, trigger) => {
    expect((await expectReciprocalError(trigger)).code).toBe(code)
  })
})
