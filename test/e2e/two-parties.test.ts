// End to end over real HTTP: party A and party B on 127.0.0.1, talking through real fetch.
import { ErrorCode, ReciprocalError } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { type TwoServices, type TwoServicesOptions, twoServicesPerTest } from './two-services.js'

const startServices = twoServicesPerTest()

async function start(options: TwoServicesOptions = {}): Promise<TwoServices> {
  return startServices(options)
}

/** Steps A–D: the initial flow, ending with A waiting for the user's reciprocal consent. */
async function initialFlow(s: TwoServices) {
  const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
  const callback = await s.authorizeAtB(url)
  const state = await s.partyA.handleCallback(callback, 'alice-at-assistant')
  return { linkId, state }
}

async function callMusic(s: TwoServices, linkId: string): Promise<Response> {
  const token = await s.partyA.accessToken(linkId)
  return fetch(`${s.b.url}/api/now-playing`, { headers: { authorization: `Bearer ${token}` } })
}

async function callAssistant(s: TwoServices, path = '/api/announce', token?: string): Promise<Response> {
  const bearer = token ?? (await s.partyB.accessToken('assistant', 'alice'))
  return fetch(`${s.a.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${bearer}` }, body: 'Now playing: So What' })
}

describe('two parties over HTTP: the whole protocol (draft steps A–G)', () => {
  it('SPEC R1.2, R2–R4: reciprocal in the token response → consent → code → redemption → both APIs work', async () => {
    const s = await start({ reciprocalInTokenResponse: 'assistant.announce assistant.read' })
    const { linkId, state } = await initialFlow(s)
    expect(state).toMatchObject({ status: 'awaiting-consent', requested: ['assistant.announce', 'assistant.read'] })

    const granted = await s.partyA.consent(linkId, { scope: 'assistant.announce assistant.read' })
    expect(granted).toMatchObject({ status: 'reciprocal-granted', granted: { scope: ['assistant.announce', 'assistant.read'] } })

    const linkAtB = await s.partyB.getLink('assistant', 'alice')
    expect(linkAtB).toMatchObject({ status: 'linked', tokens: { scope: 'assistant.announce assistant.read' } })

    const music = await callMusic(s, linkId)
    expect(music.status).toBe(200)
    expect(await music.json()).toEqual({ user: 'alice', track: 'So What' })

    const announce = await callAssistant(s)
    expect(announce.status).toBe(200)
    // SPEC R7.9: the grant at A is about A's user, the one who consented.
    expect(s.announcements).toEqual([{ subject: 'alice-at-assistant', text: 'Now playing: So What' }])
  })

  it('SPEC R1.2: reciprocal in the authorization response works the same', async () => {
    const s = await start({ reciprocalInCallback: 'assistant.announce' })
    const { linkId, state } = await initialFlow(s)
    expect(state).toMatchObject({ status: 'awaiting-consent', requested: ['assistant.announce'] })
    expect(await s.partyA.consent(linkId, { scope: 'assistant.announce' })).toMatchObject({ status: 'reciprocal-granted' })
    expect((await callAssistant(s)).status).toBe(200)
  })

  it('SPEC R1.3: with no reciprocal from B, the pre-agreed scope is offered', async () => {
    const s = await start({ configuredReciprocal: 'assistant.read' })
    const { linkId, state } = await initialFlow(s)
    expect(state).toMatchObject({ status: 'awaiting-consent', requested: ['assistant.read'], offered: ['assistant.read'] })
    await s.partyA.consent(linkId, { scope: 'assistant.read' })
    expect((await callAssistant(s, '/api/profile')).status).toBe(200)
  })

  it('SPEC R1.3, R8.1: a B that sends no reciprocal (not built with this SDK) — one-way "none-requested", consent says what to do, an update grants', async () => {
    const s = await start()
    const { linkId, state } = await initialFlow(s)
    expect(state).toMatchObject({ status: 'one-way', reason: 'none-requested' })
    const error = await s.partyA.consent(linkId, { scope: 'assistant.read' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ReciprocalError)
    expect(error).toMatchObject({ code: ErrorCode.NothingRequested, step: 'consent' })
    expect((error as ReciprocalError).message).toMatch(/asked for no access back/)
    expect((error as ReciprocalError).hint).toMatch(/peers\.music\.reciprocal\.configured.*updateReciprocalScope/)
    expect(await s.partyA.updateReciprocalScope(linkId, 'assistant.read')).toMatchObject({ status: 'reciprocal-granted' })
    expect((await callAssistant(s, '/api/profile')).status).toBe(200)
  })

  it('SPEC R1.3: a request wider than the offer is narrowed to the offer', async () => {
    const s = await start({ reciprocalInTokenResponse: 'assistant.read admin.everything' })
    const { state } = await initialFlow(s)
    expect(state).toMatchObject({ status: 'awaiting-consent', offered: ['assistant.read'] })
  })

  it('SPEC R2.1, R7.6: partial consent — B holds only the granted scope, the other is refused at A', async () => {
    const s = await start({ reciprocalInTokenResponse: 'assistant.announce assistant.read' })
    const { linkId } = await initialFlow(s)
    await s.partyA.consent(linkId, { scope: 'assistant.read' })
    expect(await s.partyB.getLink('assistant', 'alice')).toMatchObject({ tokens: { scope: 'assistant.read' } })
    expect((await callAssistant(s, '/api/profile')).status).toBe(200)
    const refused = await callAssistant(s, '/api/announce')
    expect(refused.status).toBe(403)
    expect(refused.headers.get('www-authenticate')).toContain('insufficient_scope')
  })

  it('SPEC R2.1: refused consent ends the reciprocal leg cleanly; the initial link still works', async () => {
    const s = await start({ reciprocalInTokenResponse: 'assistant.announce' })
    const { linkId } = await initialFlow(s)
    expect(await s.partyA.consent(linkId, 'refuse')).toMatchObject({ status: 'one-way', reason: 'consent-refused' })
    expect(await s.partyB.getLink('assistant', 'alice')).toBeUndefined()
    expect((await callMusic(s, linkId)).status).toBe(200)
  })

  it('the user denying at B leaves A in a failed state with a typed error', async () => {
    const s = await start({ reciprocalInTokenResponse: 'assistant.announce' })
    const { url } = await s.partyA.startLink('music', 'alice-at-assistant')
    const state = await s.partyA.handleCallback(await s.authorizeAtB(url, 'deny'), 'alice-at-assistant')
    expect(state).toMatchObject({ status: 'failed', error: { code: ErrorCode.AuthorizationDenied, step: 'callback' } })
  })

  it('SPEC R4.3: deferred redemption — B answers first, redeems in waitUntil, and links', async () => {
    const background: Promise<unknown>[] = []
    const s = await start({ reciprocalInTokenResponse: 'assistant.announce', redemption: { waitUntil: (p) => background.push(p) } })
    const { linkId } = await initialFlow(s)
    expect(await s.partyA.consent(linkId, { scope: 'assistant.announce' })).toMatchObject({ status: 'reciprocal-granted' })
    expect(background).toHaveLength(1)
    await Promise.all(background)
    expect(await s.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'linked' })
    expect((await callAssistant(s)).status).toBe(200)
  })
})

describe('two parties over HTTP: client authentication methods (SPEC R3.2, R3.3)', () => {
  it('B authenticates at A with private_key_jwt (RFC 7523), A at B with client_secret_post', async () => {
    const s = await start({
      reciprocalInTokenResponse: 'assistant.announce',
      musicAuthAtAssistant: 'private_key_jwt',
      assistantAuthAtMusic: 'client_secret_post',
    })
    const { linkId } = await initialFlow(s)
    expect(await s.partyA.consent(linkId, { scope: 'assistant.announce' })).toMatchObject({ status: 'reciprocal-granted' })
    expect(await s.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'linked' })
    expect((await callAssistant(s)).status).toBe(200)
    expect((await callMusic(s, linkId)).status).toBe(200)
    // Revocation at A (RFC 7009) also authenticates with a fresh assertion.
    const tokenAtA = await s.partyB.accessToken('assistant', 'alice')
    expect(await s.partyB.unlink('assistant', 'alice')).toMatchObject({ status: 'unlinked' })
    expect((await callAssistant(s, '/api/announce', tokenAtA)).status).toBe(401)
    expect((await callMusic(s, linkId)).status).toBe(401)
  })
})

describe('two parties over HTTP: update flow and unlinking (SPEC R5)', () => {
  async function linked(scope: string) {
    const s = await start({ reciprocalInTokenResponse: 'assistant.announce assistant.read' })
    const { linkId } = await initialFlow(s)
    await s.partyA.consent(linkId, { scope })
    return { s, linkId }
  }

  it('SPEC R5.1: adding a scope — a new code, B redeems it, the new scope works', async () => {
    const { s, linkId } = await linked('assistant.read')
    expect((await callAssistant(s, '/api/announce')).status).toBe(403)
    const updated = await s.partyA.updateReciprocalScope(linkId, 'assistant.read assistant.announce')
    expect(updated).toMatchObject({ status: 'reciprocal-granted', granted: { scope: ['assistant.announce', 'assistant.read'], version: 2 } })
    expect((await callAssistant(s, '/api/announce')).status).toBe(200)
  })

  it('SPEC R5.1: removing a scope — the removed scope fails at the resource server, even with the old token', async () => {
    const { s, linkId } = await linked('assistant.announce assistant.read')
    const oldToken = await s.partyB.accessToken('assistant', 'alice')
    await s.partyA.updateReciprocalScope(linkId, 'assistant.read')
    const removed = await callAssistant(s, '/api/announce')
    expect(removed.status).toBe(403)
    // The old grant is revoked: its token no longer works at all.
    expect((await callAssistant(s, '/api/announce', oldToken)).status).toBe(401)
    expect((await callAssistant(s, '/api/profile')).status).toBe(200)
  })

  it('SPEC R5.2: unlink at A revokes both directions', async () => {
    const { s, linkId } = await linked('assistant.announce')
    const tokenAtB = await s.partyB.accessToken('assistant', 'alice')
    const tokenAtA = await s.partyA.accessToken(linkId)
    expect(await s.partyA.unlink(linkId)).toMatchObject({ status: 'unlinked' })
    expect((await callAssistant(s, '/api/announce', tokenAtB)).status).toBe(401)
    const music = await fetch(`${s.b.url}/api/now-playing`, { headers: { authorization: `Bearer ${tokenAtA}` } })
    expect(music.status).toBe(401)
  })

  it('SPEC R5.2: unlink at B revokes both directions', async () => {
    const { s, linkId } = await linked('assistant.announce')
    const tokenAtB = await s.partyB.accessToken('assistant', 'alice')
    const tokenAtA = await s.partyA.accessToken(linkId)
    expect(await s.partyB.unlink('assistant', 'alice')).toMatchObject({ status: 'unlinked' })
    expect((await callAssistant(s, '/api/announce', tokenAtB)).status).toBe(401)
    const music = await fetch(`${s.b.url}/api/now-playing`, { headers: { authorization: `Bearer ${tokenAtA}` } })
    expect(music.status).toBe(401)
  })
})

describe('two parties over HTTP: lasting links (SPEC R8.2)', () => {
  it('tokens are refreshed before expiry on both sides; concurrent callers share one refresh', async () => {
    const s = await start({ reciprocalInTokenResponse: 'assistant.announce' })
    const { linkId } = await initialFlow(s)
    await s.partyA.consent(linkId, { scope: 'assistant.announce' })
    const beforeA = await s.partyA.accessToken(linkId)
    const beforeB = await s.partyB.accessToken('assistant', 'alice')
    s.runtime.advance(3600 - 30)
    const [a1, a2, a3] = await Promise.all([s.partyA.accessToken(linkId), s.partyA.accessToken(linkId), s.partyA.accessToken(linkId)])
    expect(a1).not.toBe(beforeA)
    expect(new Set([a1, a2, a3]).size).toBe(1)
    const [b1, b2] = await Promise.all([s.partyB.accessToken('assistant', 'alice'), s.partyB.accessToken('assistant', 'alice')])
    expect(b1).not.toBe(beforeB)
    expect(b1).toBe(b2)
    expect((await callMusic(s, linkId)).status).toBe(200)
    expect((await callAssistant(s)).status).toBe(200)
  })

  it('a dead refresh token moves the link to needs-reconsent', async () => {
    const s = await start({ reciprocalInTokenResponse: 'assistant.announce' })
    const { linkId } = await initialFlow(s)
    await s.partyA.consent(linkId, { scope: 'assistant.announce' })
    await s.musicAs.revokeLink('assistant', 'alice')
    s.runtime.advance(3600)
    await expect(s.partyA.accessToken(linkId)).rejects.toMatchObject({ code: ErrorCode.NeedsReconsent })
    expect(await s.partyA.getLink(linkId)).toMatchObject({ status: 'needs-reconsent' })
  })
})
