// SPEC R3.1: a reciprocal code is kept only as its hash. Party A's outbox holds the POST of the
// code it minted (`post-code`), but never the code: the code travels from the mint to the POST
// in the memory of one worker, and a worker that lost it mints a fresh one.
import { describe, expect, it } from 'vitest'
import { wrapStorage } from '../server/fixtures.js'
import { linkAndConsent, twoServicesPerTest } from './two-services.js'

const services = twoServicesPerTest()

describe('SPEC R3.1: the reciprocal code is never stored in the clear', () => {
  it('no value party A or its authorization server stores, and no state getLink shows, carries the code B redeemed', async () => {
    const written: string[] = []
    const redeemed: string[] = []
    const seenWhilePosting: string[] = []
    let linkIdSeen: string | undefined
    const s = await services({
      reciprocalInTokenResponse: 'assistant.read assistant.announce',
      wrapStorage: (storage, party) =>
        party === 'a'
          ? wrapStorage(storage, {
              set: (key, value, ttl) => (written.push(JSON.stringify(value)), storage.set(key, value, ttl)),
              add: (key, value, ttl) => (written.push(JSON.stringify(value)), storage.add(key, value, ttl)),
            })
          : storage,
      // B's redemption at A carries the code: capture it, and what A's link says meanwhile (A
      // is still waiting for B's answer to its POST, with the POST in its outbox).
      bFetch: async (input, init) => {
        const body = init?.body
        if (body instanceof URLSearchParams && body.get('grant_type') === 'authorization_code') {
          redeemed.push(body.get('code') ?? '')
          if (linkIdSeen !== undefined) seenWhilePosting.push(JSON.stringify(await s.partyA.getLink(linkIdSeen)))
        }
        return fetch(input, init)
      },
    })
    const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
    linkIdSeen = linkId
    await s.partyA.handleCallback(await s.authorizeAtB(url), 'alice-at-assistant')
    expect(await s.partyA.consent(linkId, { scope: 'assistant.read' })).toMatchObject({ status: 'reciprocal-granted' })

    expect(redeemed).toHaveLength(1)
    const [code] = redeemed as [string]
    expect(code.length).toBeGreaterThan(20)
    expect(seenWhilePosting).toHaveLength(1)
    expect(seenWhilePosting[0]).toContain('"post-code"')
    expect(seenWhilePosting[0]).not.toContain(code)
    expect(written.length).toBeGreaterThan(0)
    expect(written.filter((value) => value.includes(code))).toEqual([])
  })

  it('an update mints and delivers a fresh code the same way', async () => {
    const s = await services({ reciprocalInTokenResponse: 'assistant.read assistant.announce' })
    const { linkId } = await linkAndConsent(s)
    const updated = await s.partyA.updateReciprocalScope(linkId, 'assistant.read assistant.announce')
    expect(updated).toMatchObject({ status: 'reciprocal-granted', outbox: [] })
  })
})
