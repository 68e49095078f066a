// Several workers over one storage (SPEC R8.2, R4.3): they must not undo one another's work.
import { createPartyA, createPartyB } from 'reciprocal-oauth'
import { GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { SECRETS, linkAndConsent, twoServicesPerTest } from '../e2e/two-services.js'

const startServices = twoServicesPerTest()

async function linked() {
  const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
  const { linkId } = await linkAndConsent(s)
  return { s, linkId }
}

describe('workers sharing one storage', () => {
  it('SPEC R8.2: party B — two workers refreshing at once: one refresh, the grant stays live, the link keeps the new tokens', async () => {
    const { s } = await linked()
    const [one, two] = [createPartyB(s.partyBWorkerOptions), createPartyB(s.partyBWorkerOptions)]
    s.runtime.advance(3600 - 30)
    const tokens = await Promise.all([one.accessToken('assistant', 'alice'), two.accessToken('assistant', 'alice')])
    for (const token of tokens) expect(await s.assistantAs.verifyAccessToken(token)).toMatchObject({ clientId: 'music' })
    const link = await one.getLink('assistant', 'alice')
    expect(link).toMatchObject({ status: 'linked' })
    const stored = link?.status === 'linked' ? link.tokens.accessToken : ''
    expect(await s.assistantAs.verifyAccessToken(stored)).toMatchObject({ scope: 'assistant.read' })
  })

  it('SPEC R8.2: party A — two workers refreshing at once do not trip refresh-token reuse detection at B', async () => {
    const { s, linkId } = await linked()
    const [one, two] = [createPartyA(s.partyAOptions), createPartyA(s.partyAOptions)]
    s.runtime.advance(3600 - 30)
    const tokens = await Promise.all([one.accessToken(linkId), two.accessToken(linkId)])
    for (const token of tokens) expect(await s.musicAs.verifyAccessToken(token)).toMatchObject({ clientId: 'assistant' })
    expect(await one.getLink(linkId)).toMatchObject({ status: 'reciprocal-granted' })
  })

  it('SPEC R5.3: a late older code and a newer one reaching two workers at once: B ends with the newer grant, live', async () => {
    const { s, linkId } = await linked()
    const other = createPartyB(s.partyBWorkerOptions)
    const accessToken = await s.partyA.accessToken(linkId)
    const older = await s.assistantAs.mintCode({ clientId: 'music', subject: 'alice-at-assistant', scope: 'assistant.read', supersede: true })
    const newer = await s.assistantAs.mintCode({ clientId: 'music', subject: 'alice-at-assistant', scope: 'assistant.announce assistant.read', supersede: true })
    const body = (code: string) =>
      new URLSearchParams({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code, access_token: accessToken }).toString()
    const headers = {
      authorization: `Basic ${btoa(`assistant:${SECRETS.assistantAtMusic}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
    }
    await Promise.all([
      fetch(`${s.b.url}/token`, { method: 'POST', headers, body: body(newer.code) }),
      other.receiver.handle({ method: 'POST', headers, body: body(older.code) }),
    ])
    const link = await s.partyB.getLink('assistant', 'alice')
    expect(link).toMatchObject({ status: 'linked', tokens: { scope: 'assistant.announce assistant.read' } })
    const token = link?.status === 'linked' ? link.tokens.accessToken : ''
    expect(await s.assistantAs.verifyAccessToken(token)).toMatchObject({ scope: 'assistant.announce assistant.read' })
  })

  it('party A — a refresh racing an unlink on another worker never brings the link back', async () => {
    const { s, linkId } = await linked()
    const [one, two] = [createPartyA(s.partyAOptions), createPartyA(s.partyAOptions)]
    s.runtime.advance(3600 - 30)
    await Promise.all([one.accessToken(linkId).catch(() => undefined), two.unlink(linkId)])
    expect(await one.getLink(linkId)).toMatchObject({ status: 'unlinked' })
  })
})
