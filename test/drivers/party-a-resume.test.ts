// A restarted party A finds the links it left unfinished on its own (SPEC R5.2, issue 6 item
// 11): the Storage port cannot list keys, so links with work left — an unlink whose revocation
// at B is not confirmed, a delivery a crash interrupted — sit in a pending log, and `resume()`
// with no argument finishes them without the application remembering a link id.
import { createPartyA, type JsonValue, type PartyAOptions } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { linkAndConsent, type TwoServices, twoServicesPerTest } from '../e2e/two-services.js'

const startServices = twoServicesPerTest()

/** A promise that settles when `signal` is called, and the signal. */
function signal(): [Promise<void>, () => void] {
  let fire: () => void = () => undefined
  const fired = new Promise<void>((resolve) => {
    fire = resolve
  })
  return [fired, fire]
}

/** Party A's options whose calls to B's `pathname` never answer (after `fire` is called). */
function hangingAt(s: TwoServices, pathname: string, fire: () => void): PartyAOptions {
  const music = s.partyAOptions.peers['music']
  if (music === undefined) throw new Error('fixture without the music peer')
  const fetchHanging: typeof fetch = (input, init) => {
    if (new URL(input instanceof Request ? input.url : String(input)).pathname !== pathname) return fetch(input, init)
    fire()
    return new Promise<Response>(() => undefined)
  }
  return { ...s.partyAOptions, peers: { music: { ...music, peer: { ...music.peer, fetch: fetchHanging } } } }
}

/** The dead process's lease on its link lapses after three request timeouts (5 s) + 5 s. */
const LEASE_LAPSES = 21

/** Linked both ways; then a process dies while it revokes A's token at B (the call never answers). */
async function unlinkDiesAtB() {
  const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
  const { linkId } = await linkAndConsent(s)
  const tokenOfAAtB = await s.partyA.accessToken(linkId)
  const [reached, fire] = signal()
  void createPartyA(hangingAt(s, '/revoke', fire)).unlink(linkId)
  await reached
  return { s, linkId, tokenOfAAtB }
}

describe('party A: resume() with no argument, after a restart (SPEC R5.2)', () => {
  it("finishes an unlink whose revocation at B hung when the process died: A's token at B is revoked", async () => {
    const { s, linkId, tokenOfAAtB } = await unlinkDiesAtB()
    expect(await s.partyA.getLink(linkId)).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-peer-tokens', tokens: { accessToken: tokenOfAAtB } }] })
    expect(await s.musicAs.verifyAccessToken(tokenOfAAtB)).toBeDefined()

    s.runtime.advance(LEASE_LAPSES)
    const restarted = createPartyA(s.partyAOptions)
    expect(await restarted.resume()).toBe(1)
    expect(await s.musicAs.verifyAccessToken(tokenOfAAtB)).toBeUndefined()
    expect(await restarted.getLink(linkId)).toMatchObject({ status: 'unlinked', outbox: [] })
    expect(await restarted.resume()).toBe(0)
  })

  it('delivers again a delivery the process died in: B ends with a grant that works at A', async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
    await s.partyA.handleCallback(await s.authorizeAtB(url), 'alice-at-assistant')
    // The process dies while it POSTs the code to B's token endpoint.
    const [reached, fire] = signal()
    void createPartyA(hangingAt(s, '/token', fire)).consent(linkId, { scope: 'assistant.read' })
    await reached
    expect(await s.partyA.getLink(linkId)).toMatchObject({ status: 'code-minted' })

    s.runtime.advance(LEASE_LAPSES)
    const restarted = createPartyA(s.partyAOptions)
    expect(await restarted.resume()).toBe(1)
    expect(await restarted.getLink(linkId)).toMatchObject({ status: 'reciprocal-granted', granted: { scope: ['assistant.read'] } })
    expect(await s.assistantAs.verifyAccessToken(await s.partyB.accessToken('assistant', 'alice'))).toBeDefined()
    expect(await restarted.resume()).toBe(0)
  })

  it('leaves nothing in the log once links are at rest, and a link another worker holds for later', async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { linkId } = await linkAndConsent(s)
    expect(await s.partyA.resume()).toBe(0)
    const [reached, fire] = signal()
    void createPartyA(hangingAt(s, '/revoke', fire)).unlink(linkId)
    await reached
    // The dying worker still holds the link's lease: resume leaves the link to it, for now.
    expect(await s.partyA.resume()).toBe(0)
    s.runtime.advance(LEASE_LAPSES)
    expect(await s.partyA.resume()).toBe(1)
  })

  it("RFC 9700 §4.14.2: B's refresh token rotated during a delivery is stored before the mint, so a crash there loses no access to B", async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
    await s.partyA.handleCallback(await s.authorizeAtB(url), 'alice-at-assistant')
    s.runtime.advance(3600 - 30) // B's access token is now within the refresh margin
    // The process dies while A's own authorization server mints the code, after the refresh.
    const [reached, fire] = signal()
    const hangingMint = { ...s.partyAOptions.authorizationServer, mintCode: () => (fire(), new Promise<never>(() => undefined)) }
    void createPartyA({ ...s.partyAOptions, authorizationServer: hangingMint }).consent(linkId, { scope: 'assistant.read' })
    await reached
    s.runtime.advance(LEASE_LAPSES)
    const restarted = createPartyA(s.partyAOptions)
    expect(await restarted.resume()).toBe(1)
    expect(await restarted.getLink(linkId)).toMatchObject({ status: 'reciprocal-granted' })
    expect(await s.musicAs.verifyAccessToken(await restarted.accessToken(linkId))).toMatchObject({ clientId: 'assistant' })
  })

  it('leaves the link of a peer this instance is not configured for in the log, for an instance that is', async () => {
    const { s, linkId, tokenOfAAtB } = await unlinkDiesAtB()
    s.runtime.advance(LEASE_LAPSES)
    // An older worker during a rolling deploy, say, configured with other peers only.
    const music = s.partyAOptions.peers['music']
    if (music === undefined) throw new Error('fixture without the music peer')
    const other = { ...music, redirectUri: `${s.a.url}/callback/other`, reciprocal: { ...music.reciprocal, peerClientId: 'other' } }
    expect(await createPartyA({ ...s.partyAOptions, peers: { other } }).resume()).toBe(0)
    expect(await createPartyA(s.partyAOptions).resume()).toBe(1)
    expect(await s.musicAs.verifyAccessToken(tokenOfAAtB)).toBeUndefined()
  })

  it('finishes every other link before it reports the one it could not (a record altered in storage)', async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    const { linkId } = await linkAndConsent(s)
    const tokenOfAAtB = await s.partyA.accessToken(linkId)
    // A record copied under a link id naming another link, logged ahead of the real one.
    const record = await s.storageA.get<{ state: { [key: string]: JsonValue | undefined } }>(`party-a:link:${linkId}`)
    if (record === undefined) throw new Error('no stored link')
    const forgedId = 'music.forged'
    await s.storageA.set(`party-a:link:${forgedId}`, { state: { ...record.state, status: 'delivering', scope: ['assistant.read'], attempt: 1 } })
    const next = (await s.storageA.get<number>('party-a:pending:next')) ?? 0
    await s.storageA.set(`party-a:pending:${next}`, { link: forgedId }, 3600)
    await s.storageA.set('party-a:pending:next', next + 1, 3600)
    const [reached, fire] = signal()
    void createPartyA(hangingAt(s, '/revoke', fire)).unlink(linkId)
    await reached
    s.runtime.advance(LEASE_LAPSES)
    await expect(createPartyA(s.partyAOptions).resume()).rejects.toMatchObject({ code: 'ERR_INVALID_STATE' })
    expect(await s.musicAs.verifyAccessToken(tokenOfAAtB)).toBeUndefined()
  })
})
