// Nothing either party stores lives forever (issue 6 item 8; every stored record expires, and
// what is done is deleted). Two real services over HTTP link both ways; the user then updates the
// reciprocal grant N times — each update one delivery: a code minted at A, POSTed to B, redeemed
// at A, the older grant cut (SPEC R5.1). Then eight days pass — past the code lifetime, the replay
// and tombstone margins, the pending log and the retention of ended records — while both sides
// keep refreshing their tokens, so the link stays live. What the two storages hold then is what
// that one live link needs: the same whether N was 4 or 60, and the link still works both ways.
import { type MemoryStorage } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { linkAndConsent, twoServicesPerTest } from './two-services.js'

const HOUR = 3600
const BOTH = 'assistant.announce assistant.read'
const READ_ONLY = 'assistant.read'

const startServices = twoServicesPerTest()

/**
 * Records every key written to `storage` (the parties already hold this instance, so its own
 * methods are wrapped), and tells which of them are still live, counted by kind.
 */
function recordKeys(storage: MemoryStorage): () => Promise<Record<string, number>> {
  const written = new Set<string>()
  const set = storage.set.bind(storage)
  const add = storage.add.bind(storage)
  storage.set = (key, value, ttl) => (written.add(key), set(key, value, ttl))
  storage.add = (key, value, ttl) => (written.add(key), add(key, value, ttl))
  return async () => {
    const kinds: Record<string, number> = {}
    for (const key of written) {
      if ((await storage.get(key)) === undefined) continue
      const kind = key.startsWith('party-') ? key.split(':').slice(0, 2).join(':') : key.slice(0, key.indexOf(':'))
      kinds[kind] = (kinds[kind] ?? 0) + 1
    }
    return kinds
  }
}

async function storedAfter(deliveries: number) {
  const s = await startServices({ reciprocalInTokenResponse: BOTH })
  const liveA = recordKeys(s.storageA)
  const liveB = recordKeys(s.storageB)
  const { linkId } = await linkAndConsent(s, BOTH)
  for (let i = 0; i < deliveries; i++) {
    // Alternately narrowing (the older grant is cut when the code is minted) and widening (cut
    // when B redeems it).
    const scope = i % 2 === 0 ? READ_ONLY : BOTH
    expect(await s.partyA.updateReciprocalScope(linkId, scope)).toMatchObject({ status: 'reciprocal-granted', granted: { scope: scope.split(' ') } })
  }
  const rightAfter = { a: s.storageA.size(), b: s.storageB.size() }

  for (let hours = 0; hours < 8 * 24; hours += 12) {
    s.runtime.advance(12 * HOUR)
    await s.partyA.accessToken(linkId) // refreshes A's tokens at B once they are about to expire
    await s.partyB.accessToken('assistant', 'alice') // and B's at A
  }
  // Still linked both ways, with the newest grant.
  const tokenOfB = await s.partyB.accessToken('assistant', 'alice')
  const scopeAtA = deliveries % 2 === 0 ? BOTH : READ_ONLY
  expect(await s.assistantAs.verifyAccessToken(tokenOfB)).toMatchObject({ clientId: 'music', scope: scopeAtA })
  expect(await s.musicAs.verifyAccessToken(await s.partyA.accessToken(linkId))).toMatchObject({ clientId: 'assistant' })
  return { rightAfter, later: { a: await liveA(), b: await liveB() } }
}

describe('both parties over HTTP: storage follows the live links, not the history (issue 6 item 8)', () => {
  it('SPEC R3.1, R5.1, R5.3: after 4 or 60 deliveries and eight days of refreshing, both storages hold the same entries', async () => {
    const few = await storedAfter(4)
    const many = await storedAfter(60)
    // Right after the deliveries, the recent history is still there (replay markers, tombstones, …).
    expect(many.rightAfter.a).toBeGreaterThan(few.rightAfter.a)
    // Eight days later only what the one live link needs is left, whatever the history.
    expect(many.later).toEqual(few.later)
    // Per side: the driver's link record; the authorization server's live grant, its tokens, its
    // grant-index entry (with hints and slots closed within the hour), the newest link version
    // (A), and one reuse marker per refresh-token rotation within the refresh token's lifetime
    // (RFC 9700 §4.14.2: 16 rotations here, each side) — bounded by that lifetime, not by history.
    expect(many.later.a).toMatchObject({ 'party-a:link': 1, grant: 1, token: 1, refresh: 1, 'link-version': 1, 'used-refresh': 17 })
    expect(many.later.b).toMatchObject({ 'party-b:link': 1, grant: 1, token: 1, refresh: 1, 'used-refresh': 17 })
    for (const side of [many.later.a, many.later.b]) expect(side['link-grants']).toBeLessThanOrEqual(4)
  })
})
