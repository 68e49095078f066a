// A's authorization server holds one reciprocal grant per user and peer (its client id): every
// link of that user with that peer shares it. Unlinking a link that never delivered a code — one
// abandoned before its callback, failed, or left without consent — must not revoke the grant
// another link delivered, while that link still reports it (SPEC R5.2, R7.6).
import { createPartyA, type PartyA } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { linkAndConsent, type TwoServices, twoServicesPerTest } from './two-services.js'

const startServices = twoServicesPerTest()

const USER = 'alice-at-assistant'

/** A second link of the same user with the same peer, left in one state or another. */
const abandoned: Array<[string, (s: TwoServices, partyA: PartyA) => Promise<string>]> = [
  ['waiting for its callback', async (_s, partyA) => (await partyA.startLink('music', USER)).linkId],
  [
    'failed (the user denied at B)',
    async (s, partyA) => {
      const { linkId, url } = await partyA.startLink('music', USER)
      await partyA.handleCallback(await s.authorizeAtB(url, 'deny'), USER)
      return linkId
    },
  ],
  [
    'waiting for consent',
    async (s, partyA) => {
      const { linkId, url } = await partyA.startLink('music', USER)
      await partyA.handleCallback(await s.authorizeAtB(url), USER)
      return linkId
    },
  ],
]

describe('SPEC R5.2: one grant per user and peer at A', () => {
  it.each(abandoned)("unlinking another link of the same user and peer, %s, leaves the live link's grant working", async (_name, leave) => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { linkId } = await linkAndConsent(s)
    const tokenOfBAtA = await s.partyB.accessToken('assistant', 'alice')

    const other = await leave(s, s.partyA)
    expect(await s.partyA.unlink(other)).toMatchObject({ status: 'unlinked' })

    expect(await s.partyA.getLink(linkId)).toMatchObject({ status: 'reciprocal-granted' })
    expect(await s.assistantAs.verifyAccessToken(tokenOfBAtA)).toBeDefined()
  })

  it('two peers with one client id at A are refused at construction: they would share one grant per user', async () => {
    const services = await startServices()
    const options = services.partyAOptions
    const music = options.peers['music']
    if (music === undefined) throw new Error('fixture without the music peer')
    const twin = { ...music, redirectUri: `${services.a.url}/callback/twin`, peer: { ...music.peer, as: { ...music.peer.as, issuer: 'https://twin.example' } } }
    expect(() => createPartyA({ ...options, peers: { music, twin } })).toThrow(TypeError)
    expect(() => createPartyA({ ...options, peers: { music, twin: { ...twin, reciprocal: { ...music.reciprocal, peerClientId: 'twin' } } } })).not.toThrow()
  })
})
