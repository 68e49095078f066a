// SPEC R8.1: one observer on both services sees every step of a link's life, in order, and
// nothing secret (SPEC R7.4, R8.4).
import { type ReciprocalEvent } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { expectNothingSecretIn } from '../helpers/reachable-strings.js'
import { linkAndConsent, SECRETS, twoServicesPerTest } from '../e2e/two-services.js'

const startServices = twoServicesPerTest()

describe('party events over HTTP (SPEC R8.1)', () => {
  it('link started → callback accepted → code minted → redeemed → received → delivered → unlinked', async () => {
    const events: ReciprocalEvent[] = []
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read', onEvent: (event) => void events.push(event) })
    const { linkId } = await linkAndConsent(s, 'assistant.read')
    const tokens = [await s.partyA.accessToken(linkId), await s.partyB.accessToken('assistant', 'alice')]
    await s.partyA.unlink(linkId)

    const seen = events.map((e) => `${e.source}:${e.type}`)
    const inOrder = [
      'party-a:link-started',
      'authorization-server:code-minted', // B's authorization server: the initial flow's code
      'authorization-server:code-redeemed',
      'party-a:callback-accepted',
      'authorization-server:code-minted', // A's: the reciprocal code
      'authorization-server:code-redeemed', // A's: B redeems it (immediate redemption, inside onCode)
      'party-b:link-granted',
      'reciprocal-receiver:code-received', // accepted once onCode said yes
      'party-a:code-delivered',
      'party-a:unlinked',
    ]
    expect(seen.filter((entry) => inOrder.includes(entry))).toEqual(inOrder)
    expect(seen).toContain('authorization-server:link-revoked')
    expect(events.find((e) => e.type === 'code-delivered')).toMatchObject({ linkId, peerId: 'music', scope: 'assistant.read', version: 1 })
    expect(events.find((e) => e.type === 'code-received')).toMatchObject({ clientId: 'assistant', subject: 'alice' })
    expect(events.filter((e) => e.type === 'unexpected-failure')).toEqual([])
    expectNothingSecretIn(events, [...tokens, ...Object.values(SECRETS)])
  })
})
