// Nothing party A's driver stores lives forever (issue 6 item 8, DESIGN: every stored record
// expires): once the clock has passed every lifetime, its storage holds the records of the live
// links and nothing else — not the links that were never completed, failed, or were unlinked.
import { afterEach, describe, expect, it } from 'vitest'
import { createPartyA } from '../../src/drivers/party-a.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { startTwoServices, type TwoServices } from '../e2e/two-services.js'
import { wrapStorage } from '../server/fixtures.js'

let services: TwoServices | undefined
afterEach(async () => {
  await services?.close()
  services = undefined
})

const RETENTION = 3600

describe("party A's driver storage (issue 6 item 8)", () => {
  it('after links started, failed, unlinked and live, and the clock past every lifetime, only the live links remain', async () => {
    services = await startTwoServices({ reciprocalInTokenResponse: 'assistant.read' })
    const s = services
    // The driver over its own storage, recording every key it writes.
    const inner = new MemoryStorage({ now: s.runtime.now })
    const written = new Set<string>()
    const storage = wrapStorage(inner, {
      set: (key, value, ttl) => (written.add(key), inner.set(key, value, ttl)),
      add: (key, value, ttl) => (written.add(key), inner.add(key, value, ttl)),
    })
    const partyA = createPartyA({ ...s.partyAOptions, storage, endedLinkRetentionSeconds: RETENTION })
    const user = 'alice-at-assistant'
    const linkThrough = async (decision: 'approve' | 'deny' = 'approve') => {
      const { linkId, url } = await partyA.startLink('music', user)
      await partyA.handleCallback(await s.authorizeAtB(url, decision), user)
      return linkId
    }

    const live: string[] = []
    for (let i = 0; i < 5; i++) {
      await partyA.startLink('music', user) // never comes back
      expect(await partyA.getLink(await linkThrough('deny'))).toMatchObject({ status: 'failed' })
      const unlinked = await linkThrough()
      await partyA.consent(unlinked, { scope: 'assistant.read' })
      expect(await partyA.unlink(unlinked)).toEqual(expect.objectContaining({ status: 'unlinked' }))
      const oneWay = await linkThrough()
      await partyA.consent(oneWay, 'refuse')
      live.push(oneWay)
    }
    const granted = await linkThrough()
    expect(await partyA.consent(granted, { scope: 'assistant.read' })).toMatchObject({ status: 'reciprocal-granted' })
    live.push(granted)

    s.runtime.advance(RETENTION + 1)
    const remaining: string[] = []
    for (const key of written) if ((await inner.get(key)) !== undefined) remaining.push(key)
    expect(remaining.sort()).toEqual(live.map((linkId) => `party-a:link:${linkId}`).sort())
    expect(await partyA.getLink(granted)).toMatchObject({ status: 'reciprocal-granted' })
  })
})
