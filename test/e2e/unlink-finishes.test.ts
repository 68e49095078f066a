// Unlinking at party A (SPEC R5.2) must leave B with no access at A even when B cannot be
// reached, and must record — and later finish — the revocation of A's tokens at B.
import { createPartyA, ErrorCode } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { linkAndConsent, twoServicesPerTest } from './two-services.js'

const startServices = twoServicesPerTest()

async function linked() {
  const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
  const { linkId } = await linkAndConsent(s)
  const tokenOfBAtA = await s.partyB.accessToken('assistant', 'alice')
  const tokenOfAAtB = await s.partyA.accessToken(linkId)
  return { s, linkId, tokenOfBAtA, tokenOfAAtB }
}

describe('SPEC R5.2: unlinking at party A finishes, and says when it has not', () => {
  it("B's revocation endpoint answers 503: B's token at A is dead already, the state keeps what is left, unlinking again finishes", async () => {
    const { s, linkId, tokenOfBAtA, tokenOfAAtB } = await linked()
    let down = true
    s.b.use(async (request) =>
      down && new URL(request.url).pathname === '/revoke' ? Response.json({ error: 'temporarily_unavailable' }, { status: 503 }) : s.musicHandler(request),
    )
    const first = await s.partyA.unlink(linkId)
    expect(first).toMatchObject({
      status: 'unlinked',
      outbox: [{ type: 'revoke-peer-tokens', tokens: { accessToken: tokenOfAAtB } }],
      error: { code: ErrorCode.PeerUnavailable, step: 'revoke', retryable: true },
    })
    expect(await s.assistantAs.verifyAccessToken(tokenOfBAtA)).toBeUndefined()
    expect(await s.musicAs.verifyAccessToken(tokenOfAAtB)).toBeDefined()

    down = false
    const second = await s.partyA.unlink(linkId)
    expect(second).toEqual({ status: 'unlinked', linkId, peerId: 'music', userId: 'alice-at-assistant', updatedAt: expect.any(Number), outbox: [] })
    expect(await s.musicAs.verifyAccessToken(tokenOfAAtB)).toBeUndefined()
  })

  it("SPEC R5.2, R8.1: A's own revocation of B's grant fails (its storage): unlink resolves with a typed error, and unlinking again revokes the grant", async () => {
    const { s, linkId, tokenOfBAtA, tokenOfAAtB } = await linked()
    let storageDown = true
    const partyA = createPartyA({
      ...s.partyAOptions,
      authorizationServer: {
        mintCode: (input) => s.assistantAs.mintCode(input),
        revokeLink: (clientId, subject) => (storageDown ? Promise.reject(new Error('storage unavailable')) : s.assistantAs.revokeLink(clientId, subject)),
      },
    })
    const first = await partyA.unlink(linkId)
    expect(first).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-local-grant' }], error: { code: ErrorCode.Configuration, step: 'revoke', retryable: true } })
    expect(JSON.stringify(first)).not.toContain('storage unavailable')
    // A's tokens at B did not wait for it; B's grant at A is still to be revoked, and the state says so.
    expect(await s.musicAs.verifyAccessToken(tokenOfAAtB)).toBeUndefined()
    expect(await s.assistantAs.verifyAccessToken(tokenOfBAtA)).toBeDefined()

    storageDown = false
    const second = await partyA.unlink(linkId)
    expect(second).toEqual({ status: 'unlinked', linkId, peerId: 'music', userId: 'alice-at-assistant', updatedAt: expect.any(Number), outbox: [] })
    expect(await s.assistantAs.verifyAccessToken(tokenOfBAtA)).toBeUndefined()
  })

  it('SPEC R8.1: asking an unlinked link for a token, or anything else, says it was unlinked and how to link again', async () => {
    const { s, linkId } = await linked()
    await s.partyA.unlink(linkId)
    const refused = s.partyA.accessToken(linkId)
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.InvalidState, hint: expect.stringMatching(/unlinked.*startLink\(\)/) })
    await expect(refused).rejects.not.toMatchObject({ hint: expect.stringContaining('Finish the initial flow') })
    await expect(s.partyA.updateReciprocalScope(linkId, 'assistant.read')).rejects.toMatchObject({
      code: ErrorCode.InvalidState,
      hint: expect.stringMatching(/unlinked.*startLink\(\)/),
    })
    // Resuming a finished unlink has nothing left to do: it resolves the state as it is.
    expect(await s.partyA.resume(linkId)).toMatchObject({ status: 'unlinked', outbox: [] })
  })

  it('any later operation on the link finishes a pending unlink before it answers', async () => {
    const { s, linkId, tokenOfAAtB } = await linked()
    let down = true
    s.b.use(async (request) => (down && new URL(request.url).pathname === '/revoke' ? new Response(null, { status: 503 }) : s.musicHandler(request)))
    await s.partyA.unlink(linkId)
    down = false
    await expect(s.partyA.accessToken(linkId)).rejects.toMatchObject({ code: ErrorCode.InvalidState })
    expect(await s.partyA.getLink(linkId)).toMatchObject({ status: 'unlinked', outbox: [] })
    expect(await s.musicAs.verifyAccessToken(tokenOfAAtB)).toBeUndefined()
  })

  it("a crash while B's revocation endpoint hangs: B's token at A is dead already, and a new process resumes and finishes", async () => {
    const { s, linkId, tokenOfBAtA, tokenOfAAtB } = await linked()
    const music = s.partyAOptions.peers['music']
    if (music === undefined) throw new Error('fixture without the music peer')
    let reachedRevocation: () => void = () => undefined
    const hanging = new Promise<void>((resolve) => {
      reachedRevocation = resolve
    })
    // The process that dies: its call to B's revocation endpoint never returns.
    const crashing = createPartyA({
      ...s.partyAOptions,
      peers: {
        music: {
          ...music,
          peer: {
            ...music.peer,
            fetch: (input, init) => {
              if (new URL(String(input)).pathname !== '/revoke') return fetch(input, init)
              reachedRevocation()
              return new Promise<Response>(() => undefined)
            },
          },
        },
      },
    })
    void crashing.unlink(linkId)
    await hanging
    expect(await s.assistantAs.verifyAccessToken(tokenOfBAtA)).toBeUndefined()
    expect(await s.partyA.getLink(linkId)).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-peer-tokens', tokens: { accessToken: tokenOfAAtB } }] })

    // The dead process's lease on the link lapses after three request timeouts (5 s) + 5 s.
    s.runtime.advance(21)
    const restarted = createPartyA(s.partyAOptions)
    expect(await restarted.resume(linkId)).toMatchObject({ status: 'unlinked', outbox: [] })
    expect(await s.musicAs.verifyAccessToken(tokenOfAAtB)).toBeUndefined()
  })
})
