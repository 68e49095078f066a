// Party B's unlink (SPEC R5.2, issue 6 item 11): B's own grant to A is revoked first (no network),
// what remains at A is kept in the `unlinked` state with its typed error, and a second unlink, a
// retry, any later operation on the link, or a resume after a restart finishes it.
import { createPartyB, ErrorCode, type PartyB } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { twoServicesPerTest } from '../e2e/two-services.js'

const startServices = twoServicesPerTest()

/** How A's revocation endpoint behaves for party B: as normal, down (503), or never answering. */
type Revocation = 'answers' | 'fails' | 'hangs'

/** Both parties linked both ways; B's requests to A's revocation endpoint go through `control`. */
async function linkedBothWays() {
  const control = { revocation: 'answers' as Revocation, revocationsSent: 0 }
  let reachedHang: () => void = () => undefined
  const hung = new Promise<void>((resolve) => {
    reachedHang = resolve
  })
  const bFetch: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    if (new URL(url).pathname === '/revoke') {
      control.revocationsSent++
      if (control.revocation === 'fails') return Response.json({ error: 'temporarily_unavailable' }, { status: 503 })
      if (control.revocation === 'hangs') {
        reachedHang()
        return new Promise<Response>(() => undefined) // the process "dies" waiting for this answer
      }
    }
    return fetch(input, init)
  }
  const s = await startServices({ reciprocalInTokenResponse: 'assistant.read', bFetch })
  const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
  await s.partyA.handleCallback(await s.authorizeAtB(url), 'alice-at-assistant')
  await s.partyA.consent(linkId, { scope: 'assistant.read' })
  const tokenOfBAtA = await s.partyB.accessToken('assistant', 'alice')
  const tokenOfAAtB = await s.partyA.accessToken(linkId)
  /** Whether B's grant at its own authorization server (A's token at B) still works. */
  const localGrantLive = async () => (await s.musicAs.verifyAccessToken(tokenOfAAtB)) !== undefined
  /** Whether A's grant to B (B's token at A) still works. */
  const peerTokensLive = async () => (await s.assistantAs.verifyAccessToken(tokenOfBAtA)) !== undefined
  return { s, linkId, control, hung, tokenOfBAtA, localGrantLive, peerTokensLive }
}

describe('party B: unlinking finishes, and says when it has not (SPEC R5.2, RFC 7009)', () => {
  it('SPEC R5.2: a peer revocation that fails (503) is pending in the state with its typed error, while B\'s own grant is already revoked; a second unlink finishes it', async () => {
    const { s, control, tokenOfBAtA, localGrantLive, peerTokensLive } = await linkedBothWays()
    control.revocation = 'fails'
    const failed = await s.partyB.unlink('assistant', 'alice')
    expect(failed).toMatchObject({
      status: 'unlinked',
      outbox: [{ type: 'revoke-peer-tokens', tokens: { accessToken: tokenOfBAtA } }],
      error: { code: ErrorCode.PeerUnavailable, step: 'revoke', retryable: true },
    })
    expect(await s.partyB.getLink('assistant', 'alice')).toEqual(failed)
    expect(await localGrantLive()).toBe(false)
    expect(await peerTokensLive()).toBe(true)

    control.revocation = 'answers'
    const done = await s.partyB.unlink('assistant', 'alice')
    expect(done).toMatchObject({ status: 'unlinked', outbox: [] })
    expect(done).not.toHaveProperty('error')
    expect(await peerTokensLive()).toBe(false)
    expect(await localGrantLive()).toBe(false)
  })

  it.each<[string, (partyB: PartyB) => Promise<unknown>]>([
    ['resume of the link', (b) => b.resume('assistant', 'alice')],
    ['resume', (b) => b.resume()],
    ['accessToken (any later operation)', (b) => b.accessToken('assistant', 'alice').catch(() => undefined)],
  ])('SPEC R5.2: after a failed peer revocation, %s finishes the unlink', async (_name, operation) => {
    const { s, control, peerTokensLive } = await linkedBothWays()
    control.revocation = 'fails'
    await s.partyB.unlink('assistant', 'alice')
    control.revocation = 'answers'
    await operation(s.partyB)
    expect(await s.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'unlinked', outbox: [] })
    expect(await peerTokensLive()).toBe(false)
  })

  it('SPEC R5.2: accessToken after an unlink, finished or not, is refused: B holds no link', async () => {
    const { s, control } = await linkedBothWays()
    control.revocation = 'fails'
    await s.partyB.unlink('assistant', 'alice')
    await expect(s.partyB.accessToken('assistant', 'alice')).rejects.toMatchObject({
      code: ErrorCode.InvalidState,
      hint: expect.stringContaining('unlinked'),
    })
  })

  it.each<[string, (partyB: PartyB) => Promise<unknown>]>([
    ['resume', (b) => b.resume()],
    ['unlink', (b) => b.unlink('assistant', 'alice')],
  ])('SPEC R5.2: a driver that died while A\'s revocation endpoint hung: the restarted driver\'s %s finishes the unlink', async (_name, operation) => {
    const { s, control, hung, localGrantLive, peerTokensLive } = await linkedBothWays()
    control.revocation = 'hangs'
    void s.partyB.unlink('assistant', 'alice') // never settles: the process is gone
    await hung
    // B's own grant went first, before the network call that never came back.
    expect(await localGrantLive()).toBe(false)
    expect(await s.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-peer-tokens' }] })
    expect(await peerTokensLive()).toBe(true)

    // A new process over the same storage, once the dead worker's lease lapsed (3 × 5 s + 5 s).
    control.revocation = 'answers'
    s.runtime.advance(21)
    const restarted = createPartyB(s.partyBWorkerOptions)
    await operation(restarted)
    expect(await restarted.getLink('assistant', 'alice')).toEqual({ peerClientId: 'assistant', userId: 'alice', status: 'unlinked', updatedAt: expect.any(Number), outbox: [] })
    expect(await peerTokensLive()).toBe(false)
    expect(await restarted.resume()).toBe(0)
  })

  it('SPEC R5.2, R7.9: a code carried by a token of the grant an unfinished unlink removes is refused, and the unlink finished', async () => {
    const { s, linkId, localGrantLive, peerTokensLive } = await linkedBothWays()
    const local = s.partyBOptions.authorizationServer as { revokeLink: (clientId: string, subject: string) => Promise<void> }
    const revokeLink = local.revokeLink
    local.revokeLink = async () => {
      throw new Error('storage outage')
    }
    expect(await s.partyB.unlink('assistant', 'alice')).toMatchObject({ outbox: [{ type: 'revoke-local-grant' }], error: { code: ErrorCode.Configuration, retryable: true } })
    expect(await localGrantLive()).toBe(true)
    local.revokeLink = revokeLink
    // A, still holding a working token at B, delivers an update code.
    expect(await s.partyA.updateReciprocalScope(linkId, 'assistant.read')).not.toMatchObject({ status: 'reciprocal-granted' })
    expect(await s.partyB.getLink('assistant', 'alice')).toEqual({ peerClientId: 'assistant', userId: 'alice', status: 'unlinked', updatedAt: expect.any(Number), outbox: [] })
    expect(await localGrantLive()).toBe(false)
    expect(await peerTokensLive()).toBe(false)
  })

  it('SPEC R5.2: a peer without a revocation endpoint: the unlink is done at once and keeps no tokens', async () => {
    const { s, control } = await linkedBothWays()
    const assistant = s.partyBOptions.peers['assistant']
    if (assistant === undefined) throw new Error('fixture without the assistant peer')
    const { revocation_endpoint: _none, ...as } = assistant.as
    const withoutRevocation = createPartyB({ ...s.partyBWorkerOptions, peers: { assistant: { ...assistant, as } } })
    expect(await withoutRevocation.unlink('assistant', 'alice')).toEqual({ peerClientId: 'assistant', userId: 'alice', status: 'unlinked', updatedAt: expect.any(Number), outbox: [] })
    expect(control.revocationsSent).toBe(0)
  })
})
