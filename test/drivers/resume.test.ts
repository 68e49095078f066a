// Crash safety: every state is persisted before it is acted on, so a new process over the same
// storage picks a link up where the old one stopped (DESIGN §1, SPEC R4.3).
import { createPartyA, createPartyB, ErrorCode } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { twoServicesPerTest } from '../e2e/two-services.js'

const startServices = twoServicesPerTest()

describe('resuming after a restart', () => {
  it('party A: a new process over the same storage takes the consent of a link started before', async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
    await s.partyA.handleCallback(await s.authorizeAtB(url), 'alice-at-assistant')
    const restarted = createPartyA(s.partyAOptions)
    expect(await restarted.getLink(linkId)).toMatchObject({ status: 'awaiting-consent' })
    expect(await restarted.consent(linkId, { scope: 'assistant.read' })).toMatchObject({ status: 'reciprocal-granted' })
  })

  it('party A: a callback cannot be replayed, in the same process or another', async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { url } = await s.partyA.startLink('music', 'alice-at-assistant')
    const callback = await s.authorizeAtB(url)
    await s.partyA.handleCallback(callback, 'alice-at-assistant')
    await expect(s.partyA.handleCallback(callback, 'alice-at-assistant')).rejects.toMatchObject({ code: ErrorCode.CallbackInvalid })
    await expect(createPartyA(s.partyAOptions).handleCallback(callback, 'alice-at-assistant')).rejects.toMatchObject({ code: ErrorCode.CallbackInvalid })
  })

  /** B accepts a code with 200, then "crashes" before its redemption reaches A: its fetch never answers. */
  async function codeLeftPending() {
    let reachedNetwork: () => void = () => undefined
    const crashedWorkerSent = new Promise<void>((resolve) => {
      reachedNetwork = resolve
    })
    const services = await startServices({
      reciprocalInTokenResponse: 'assistant.read',
      redemption: { waitUntil: () => undefined },
      bFetch: () => {
        reachedNetwork()
        return new Promise<Response>(() => undefined)
      },
    })
    const s = services
    const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
    await s.partyA.handleCallback(await s.authorizeAtB(url), 'alice-at-assistant')
    expect(await s.partyA.consent(linkId, { scope: 'assistant.read' })).toMatchObject({ status: 'reciprocal-granted' })
    expect(await s.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'redeeming', pending: { code: expect.any(String) } })
    // A new process over the same storage, with a working network.
    const assistant = s.partyBOptions.peers['assistant']
    if (assistant === undefined) throw new Error('fixture without the assistant peer')
    const { fetch: _hanging, ...working } = assistant
    // The crashed worker held the link's lease and sent its request; the lease lapses after three
    // request timeouts (5 s here) + 5 s.
    await crashedWorkerSent
    s.runtime.advance(21)
    return { s, restart: () => createPartyB({ ...s.partyBWorkerOptions, peers: { assistant: working } }) }
  }

  it('SPEC R4.3: party B: a code accepted with 200 whose deferred redemption died is redeemed by resume', async () => {
    const { restart } = await codeLeftPending()
    const restarted = restart()
    expect(await restarted.resume()).toBe(1)
    expect(await restarted.getLink('assistant', 'alice')).toMatchObject({ status: 'linked', tokens: { scope: 'assistant.read' } })
    expect(await restarted.resume()).toBe(0)
  })

  it('SPEC R7.10: workers resuming the same code at once redeem it once: the link stays linked, its tokens live', async () => {
    const { s, restart } = await codeLeftPending()
    const workers = [restart(), restart(), restart()]
    const counts = await Promise.all(workers.map((w) => w.resume()))
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1)
    const link = await workers[0]?.getLink('assistant', 'alice')
    expect(link).toMatchObject({ status: 'linked', tokens: { scope: 'assistant.read' } })
    const token = link?.status === 'linked' ? link.tokens.accessToken : ''
    // No replay reached A, so A did not revoke the tokens it issued (SPEC R4.2).
    expect(await s.assistantAs.verifyAccessToken(token)).toMatchObject({ clientId: 'music', scope: 'assistant.read' })
  })

  it("SPEC R4.3: a resume while the crashed worker's lease is still fresh leaves the code alone", async () => {
    const { s, restart } = await codeLeftPending()
    s.runtime.advance(-21)
    expect(await restart().resume()).toBe(0)
    expect(await s.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'redeeming' })
  })
})
