import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, bearer, formPost, json, makeServer } from './fixtures.js'

type H = ReturnType<typeof makeServer>
const redeem = async (h: H, code: string) => h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
const mintFor = (h: H, scope: string, subject = 'user-1', supersede = true) =>
  h.server.mintCode({ clientId: 'music', subject, scope, supersede })

describe('authorization update flow (SPEC R5.1–R5.3)', () => {
  it('SPEC R5.1: redeeming a superseding code revokes the grant it replaces', async () => {
    const h = makeServer()
    const v1 = await mintFor(h, 'assistant.read')
    expect(v1.version).toBe(1)
    const old = json(await redeem(h, v1.code))
    const v2 = await mintFor(h, FULL_SCOPE)
    expect(v2.version).toBe(2)
    // An update that only adds: until the new code is redeemed the old grant stands.
    expect(await h.server.verifyAccessToken(old.access_token as string)).toBeDefined()
    const fresh = json(await redeem(h, v2.code))
    expect(fresh.scope).toBe(FULL_SCOPE)
    expect(await h.server.verifyAccessToken(old.access_token as string)).toBeUndefined()
    const oldRefresh = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: old.refresh_token as string }))
    expect(json(oldRefresh).error).toBe('invalid_grant')
    expect(await h.server.verifyAccessToken(fresh.access_token as string)).toBeDefined()
  })

  it('SPEC R5.1: a removed scope fails at the resource check', async () => {
    const h = makeServer()
    const old = json(await redeem(h, (await mintFor(h, FULL_SCOPE)).code))
    expect((await h.server.authenticateRequest(bearer(old.access_token as string), 'assistant.announce')).ok).toBe(true)
    const fresh = json(await redeem(h, (await mintFor(h, 'assistant.read')).code))
    const withOld = await h.server.authenticateRequest(bearer(old.access_token as string), 'assistant.announce')
    expect(withOld.ok).toBe(false)
    if (!withOld.ok) expect(withOld.result.status).toBe(401)
    const withNew = await h.server.authenticateRequest(bearer(fresh.access_token as string), 'assistant.announce')
    expect(withNew.ok).toBe(false)
    if (!withNew.ok) {
      expect(withNew.result.status).toBe(403)
      expect(json(withNew.result).error).toBe('insufficient_scope')
    }
  })

  it('SPEC R5.3: an older code arriving after a newer one was redeemed fails', async () => {
    const h = makeServer()
    const older = await mintFor(h, FULL_SCOPE)
    const newer = await mintFor(h, 'assistant.read')
    const fresh = json(await redeem(h, newer.code))
    const late = await redeem(h, older.code)
    expect(json(late).error).toBe('invalid_grant')
    // The client never ends up holding more than the newest grant.
    expect((await h.server.verifyAccessToken(fresh.access_token as string))?.scope).toBe('assistant.read')
  })

  it('SPEC R5.3: an older code fails even before the newer one is redeemed', async () => {
    const h = makeServer()
    const older = await mintFor(h, FULL_SCOPE)
    const newer = await mintFor(h, 'assistant.read')
    expect(json(await redeem(h, older.code)).error).toBe('invalid_grant')
    expect((await redeem(h, newer.code)).status).toBe(200)
  })

  it('SPEC R5.2: revokeLink revokes every grant of the link and its pending codes', async () => {
    const h = makeServer()
    const superseding = json(await redeem(h, (await mintFor(h, FULL_SCOPE)).code))
    const plain = json(await redeem(h, (await mintFor(h, FULL_SCOPE, 'user-1', false)).code))
    const pendingSuperseding = await mintFor(h, FULL_SCOPE)
    const pendingPlain = await mintFor(h, FULL_SCOPE, 'user-1', false)
    const otherUser = json(await redeem(h, (await mintFor(h, FULL_SCOPE, 'user-1:x')).code))

    await h.server.revokeLink('music', 'user-1')

    expect(await h.server.verifyAccessToken(superseding.access_token as string)).toBeUndefined()
    expect(await h.server.verifyAccessToken(plain.access_token as string)).toBeUndefined()
    expect(json(await redeem(h, pendingSuperseding.code)).error).toBe('invalid_grant')
    expect(json(await redeem(h, pendingPlain.code)).error).toBe('invalid_grant')
    // Another user's link (even one whose name extends this one's) is untouched.
    expect(await h.server.verifyAccessToken(otherUser.access_token as string)).toBeDefined()
    // Linking again works.
    const relinked = json(await redeem(h, (await mintFor(h, 'assistant.read')).code))
    expect(await h.server.verifyAccessToken(relinked.access_token as string)).toBeDefined()
  })

  it('plain (non-superseding) grants of one link coexist', async () => {
    const h = makeServer()
    const a = json(await redeem(h, (await mintFor(h, FULL_SCOPE, 'user-1', false)).code))
    const b = json(await redeem(h, (await mintFor(h, FULL_SCOPE, 'user-1', false)).code))
    expect(await h.server.verifyAccessToken(a.access_token as string)).toBeDefined()
    expect(await h.server.verifyAccessToken(b.access_token as string)).toBeDefined()
    expect(await mintFor(h, FULL_SCOPE, 'user-1', false)).not.toHaveProperty('version')
  })
})
