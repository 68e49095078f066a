// Nothing party A's driver stores lives forever (issue 6 item 8, DESIGN: every stored record
// expires): once the clock has passed every lifetime, its storage holds the records of the live
// links and nothing else — not the links that were never completed, failed, or were unlinked.
import { createPartyA, MemoryStorage, type PartyA } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { type TwoServices, twoServicesPerTest } from '../e2e/two-services.js'
import { wrapStorage } from '../server/fixtures.js'

const startServices = twoServicesPerTest()

const RETENTION = 3600
const user = 'alice-at-assistant'

/** Party A over its own storage, recording every key it writes; `stored()` lists those still there. */
function recordingPartyA(s: TwoServices) {
  const inner = new MemoryStorage({ now: s.runtime.now })
  const written = new Set<string>()
  const storage = wrapStorage(inner, {
    set: (key, value, ttl) => (written.add(key), inner.set(key, value, ttl)),
    add: (key, value, ttl) => (written.add(key), inner.add(key, value, ttl)),
  })
  const options = { ...s.partyAOptions, storage, endedLinkRetentionSeconds: RETENTION }
  const partyA = createPartyA(options)
  const stored = async (): Promise<string[]> => {
    const remaining: string[] = []
    for (const key of written) if ((await inner.get(key)) !== undefined) remaining.push(key)
    return remaining.sort()
  }
  return { partyA, options, stored }
}

/** Steps A–D through `partyA`; the user approves or denies at B. */
async function linkThrough(s: TwoServices, partyA: PartyA, decision: 'approve' | 'deny' = 'approve'): Promise<string> {
  const { linkId, url } = await partyA.startLink('music', user)
  await partyA.handleCallback(await s.authorizeAtB(url, decision), user)
  return linkId
}

describe("party A's driver storage (issue 6 item 8)", () => {
  it('after links started, failed, unlinked and live, and the clock past every lifetime, only the live links remain', async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { partyA, stored } = recordingPartyA(s)

    const live: string[] = []
    for (let i = 0; i < 5; i++) {
      await partyA.startLink('music', user) // never comes back
      expect(await partyA.getLink(await linkThrough(s, partyA, 'deny'))).toMatchObject({ status: 'failed' })
      const unlinked = await linkThrough(s, partyA)
      await partyA.consent(unlinked, { scope: 'assistant.read' })
      expect(await partyA.unlink(unlinked)).toEqual(expect.objectContaining({ status: 'unlinked' }))
      const oneWay = await linkThrough(s, partyA)
      await partyA.consent(oneWay, 'refuse')
      live.push(oneWay)
    }
    const granted = await linkThrough(s, partyA)
    expect(await partyA.consent(granted, { scope: 'assistant.read' })).toMatchObject({ status: 'reciprocal-granted' })
    live.push(granted)

    s.runtime.advance(RETENTION + 1)
    expect(await stored()).toEqual(live.map((linkId) => `party-a:link:${linkId}`).sort())
    expect(await partyA.getLink(granted)).toMatchObject({ status: 'reciprocal-granted' })
  })

  it('an unlink whose peer refuses the revocation forever (decommissioned) is kept the retention period after its last attempt, then nothing is left', async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { partyA, stored } = recordingPartyA(s)
    const linkId = await linkThrough(s, partyA)
    await partyA.consent(linkId, { scope: 'assistant.read' })
    s.b.use(async (request) => (new URL(request.url).pathname === '/revoke' ? Response.json({ error: 'invalid_client' }, { status: 401 }) : s.musicHandler(request)))
    expect(await partyA.unlink(linkId)).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-peer-tokens' }] })

    // Each attempt renews its lifetime: still there past the first one's end.
    s.runtime.advance(RETENTION - 100)
    expect(await partyA.resume()).toBe(0)
    s.runtime.advance(200)
    expect(await partyA.getLink(linkId)).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-peer-tokens' }] })

    s.runtime.advance(RETENTION)
    expect(await partyA.getLink(linkId)).toBeUndefined()
    expect(await stored()).toEqual([])
  })

  it('an unlink left unfinished for a peer that is no longer configured expires with the retention period', async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { partyA, options, stored } = recordingPartyA(s)
    const linkId = await linkThrough(s, partyA)
    await partyA.consent(linkId, { scope: 'assistant.read' })
    s.b.use(async (request) => (new URL(request.url).pathname === '/revoke' ? new Response(null, { status: 503 }) : s.musicHandler(request)))
    expect(await partyA.unlink(linkId)).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-peer-tokens' }] })

    // The peer is removed from the configuration: nothing can reach the link any more.
    const music = options.peers['music']
    if (music === undefined) throw new Error('fixture without the music peer')
    const withoutMusic = createPartyA({ ...options, peers: { radio: { ...music, redirectUri: `${s.a.url}/callback/radio`, reciprocal: { ...music.reciprocal, peerClientId: 'radio' } } } })
    expect(await withoutMusic.resume()).toBe(0)
    s.runtime.advance(RETENTION + 1)
    expect(await stored()).toEqual([])
  })

  it("SPEC R8.2: a link whose refresh token died with no grant of B's behind it expires; one that backs B's grant stays", async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { partyA, stored } = recordingPartyA(s)
    const waiting = await linkThrough(s, partyA) // the user never answers the consent screen
    const granted = await linkThrough(s, partyA)
    await partyA.consent(granted, { scope: 'assistant.read' })
    // B revokes what it granted A for this user: A's refresh tokens die.
    await s.musicAs.revokeLink('assistant', 'alice')
    s.runtime.advance(3600)
    for (const linkId of [waiting, granted]) {
      await expect(partyA.accessToken(linkId)).rejects.toMatchObject({ code: 'ERR_NEEDS_RECONSENT' })
      expect(await partyA.getLink(linkId)).toMatchObject({ status: 'needs-reconsent' })
    }
    s.runtime.advance(RETENTION + 1)
    // The one backing B's grant at A stays, so that the user can still unlink it.
    expect(await stored()).toEqual([`party-a:link:${granted}`])
  })

  it("SPEC R8.2: a refresh token found dead during a delivery ends the link in needs-reconsent, not in a delivery to retry forever", async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { partyA } = recordingPartyA(s)
    const linkId = await linkThrough(s, partyA)
    await s.musicAs.revokeLink('assistant', 'alice')
    s.runtime.advance(3600)
    expect(await partyA.consent(linkId, { scope: 'assistant.read' })).toMatchObject({ status: 'needs-reconsent', error: { code: 'ERR_NEEDS_RECONSENT' } })
    expect(await partyA.resume()).toBe(0)
  })
})
