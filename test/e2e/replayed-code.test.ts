// RFC 6749 §4.1.2, SPEC R4.2: a reciprocal code presented again after B redeemed it — B after a
// crash, or anyone holding a copy — is refused and its grant revoked; party A's link stops
// claiming the grant before that, and its next resume offers B a fresh code (SPEC R4.3).
import { describe, expect, it } from 'vitest'
import { countCodes, snapshot, type Held } from '../helpers/faults.js'
import { linkAndConsent, SECRETS, twoServicesPerTest } from './two-services.js'

const startServices = twoServicesPerTest()
const READ = 'assistant.read'

/** A fetch for party B that keeps a copy of each code it redeems at A. */
function copyingFetch() {
  const copied: string[] = []
  const copy = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const form = new URLSearchParams(await request.clone().text())
    if (form.get('grant_type') === 'authorization_code') copied.push(form.get('code') ?? '')
    return fetch(request)
  }
  return { copied, fetch: copy }
}

/** Presents `code` at A's token endpoint again, authenticated as B (its client at A). */
function presentAgain(aUrl: string, code: string | undefined): Promise<Response> {
  return fetch(`${aUrl}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`music:${SECRETS.musicAtAssistant}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: code ?? '' }),
  })
}

describe('RFC 6749 §4.1.2, SPEC R4.2, R4.3: a redeemed reciprocal code presented again', () => {
  it('is refused and revokes B\'s grant; A\'s link claims nothing from then on, and its resume relinks B with a fresh code (immediate mode)', async () => {
    const copier = copyingFetch()
    const s = await startServices({ reciprocalInTokenResponse: READ, bFetch: copier.fetch })
    const codes = countCodes(s)
    const { linkId, state } = await linkAndConsent(s, READ)
    expect(state).toMatchObject({ status: 'reciprocal-granted', granted: { version: 1 } })
    const first = await s.partyB.accessToken('assistant', 'alice')

    // The copy of the code, presented again with B's credentials.
    const replay = await presentAgain(s.a.url, copier.copied[0])
    expect(replay.status).toBe(400)
    const body: unknown = await replay.json()
    expect(body).toMatchObject({ error: 'invalid_grant' })
    expect(body).not.toHaveProperty('access_token')

    // A's state stopped claiming the revoked grant (`snapshot` checks it against A's server).
    const held: Held = {}
    expect(await s.assistantAs.verifyAccessToken(first)).toBeUndefined()
    expect(await snapshot(s, linkId, held)).toMatchObject({ a: { status: 'delivering', outbox: 1 }, b: { status: 'linked' }, bLiveAtA: false })

    // A's periodic resume: a fresh code, redeemed by B before it answers; B's new tokens work.
    expect(await s.partyA.resume()).toBe(1)
    expect(await snapshot(s, linkId, held)).toMatchObject({ a: { status: 'reciprocal-granted', granted: [READ], outbox: 0 }, b: { status: 'linked', scope: READ }, bLiveAtA: true })
    expect(await s.partyA.getLink(linkId)).toMatchObject({ granted: { version: 2 } })
    expect([...codes.posted.values()]).toEqual([1, 1])
    expect([...codes.redeemed.values()]).toEqual([1, 1])
  })

  it('SPEC R5.3: a replay of an older code, whose grant a newer one already replaced, changes nothing at A', async () => {
    const copier = copyingFetch()
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.announce assistant.read', bFetch: copier.fetch })
    const { linkId } = await linkAndConsent(s, READ)
    const widened = await s.partyA.updateReciprocalScope(linkId, 'assistant.announce assistant.read')
    expect(widened).toMatchObject({ status: 'reciprocal-granted', granted: { version: 2 } })

    const replay = await presentAgain(s.a.url, copier.copied[0])
    expect(replay.status).toBe(400)
    expect(await s.partyA.getLink(linkId)).toEqual(widened)
    expect(await snapshot(s, linkId, {})).toMatchObject({ a: { status: 'reciprocal-granted' }, bLiveAtA: true })
  })

  it('SPEC R4.3: a replay while A is busy with the link (here delivering a widened code) answers 500 at once and revokes nothing — A still claims the grant, and A\'s server still honours it', async () => {
    const copier = copyingFetch()
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    let armed = false
    let holding = false
    // Party A's POST of the widened code to B (once armed) waits until the test releases it, holding A's link.
    const aFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init)
      const grant = new URLSearchParams(await request.clone().text()).get('grant_type') ?? ''
      if (armed && grant.includes('reciprocal') && !holding) {
        holding = true
        await held
      }
      return fetch(request)
    }
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.announce assistant.read', bFetch: copier.fetch, aFetch })
    const { linkId } = await linkAndConsent(s, READ)
    const first = await s.partyB.accessToken('assistant', 'alice')
    armed = true
    const widening = s.partyA.updateReciprocalScope(linkId, 'assistant.announce assistant.read')
    await expect.poll(() => holding).toBe(true)

    const replay = await presentAgain(s.a.url, copier.copied[0])
    expect(replay.status).toBe(500)
    expect(await replay.json()).not.toHaveProperty('access_token')
    expect(await s.assistantAs.verifyAccessToken(first)).toBeDefined()

    release()
    expect(await widening).toMatchObject({ status: 'reciprocal-granted', granted: { version: 2 } })
    expect(await snapshot(s, linkId, {})).toMatchObject({ a: { status: 'reciprocal-granted' }, bLiveAtA: true })
  })
})
