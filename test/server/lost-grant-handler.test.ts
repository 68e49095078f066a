// SPEC R4.2, R4.3 / RFC 6749 §4.1.2: a superseding code minted with a `reference` and presented
// again after its redemption is still refused, and its grant still revoked; before the
// revocation, the lost-grant handlers are told which grant goes, so that party A's link stops
// claiming it (and offers a new code). The same for such a code its own client presents expired.
import type { LostGrant } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, formPost, json, makeServer, otherAuth } from './fixtures.js'

type H = ReturnType<typeof makeServer>
const redeem = (h: H, code: string, auth?: Record<string, string>) => h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }, auth))
const live = async (h: H, token: unknown) => (await h.server.verifyAccessToken(token as string)) !== undefined

/** A server whose handler records each replay it is told, with whether the grant's token still worked then. */
async function told(mint: { supersede: boolean; reference?: string }) {
  const h = makeServer()
  const replays: Array<LostGrant & { liveWhenTold: boolean }> = []
  let token: unknown
  h.server.registerLostGrantHandler(async (replay) => {
    replays.push({ ...replay, liveWhenTold: await live(h, token) })
  })
  const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, ...mint })
  const first = await redeem(h, code)
  token = json(first).access_token
  return { h, code, token, replays, first }
}

describe('SPEC R4.2, R4.3: lost-grant handlers (RFC 6749 §4.1.2)', () => {
  it('RFC 6749 §4.1.2: a replayed superseding code with a reference is refused, its grant revoked, and the handler told the link, version and reference first', async () => {
    const { h, code, token, replays, first } = await told({ supersede: true, reference: 'music.link-1' })
    expect(first.status).toBe(200)
    expect(replays).toEqual([])

    const again = await redeem(h, code)
    expect(again.status).toBe(400)
    expect(json(again).error).toBe('invalid_grant')
    // Told while the grant still worked: the minter stops claiming it before it is gone.
    expect(replays).toEqual([{ clientId: 'music', subject: 'user-1', version: 1, reference: 'music.link-1', reason: 'replayed', liveWhenTold: true }])
    expect(await live(h, token)).toBe(false)
  })

  it('SPEC R4.2: a code without a reference, or a plain (not superseding) code, is refused and revoked as before, and nobody is told', async () => {
    for (const mint of [{ supersede: true }, { supersede: false, reference: 'music.link-1' }]) {
      const { h, code, token, replays } = await told(mint)
      expect((await redeem(h, code)).status).toBe(400)
      expect(await live(h, token)).toBe(false)
      expect(replays).toEqual([])
    }
  })

  it('RFC 6749 §4.1.2: a replay by another client is told too (the grant is revoked all the same), and the code never yields tokens', async () => {
    const { h, code, token, replays } = await told({ supersede: true, reference: 'music.link-1' })
    const stolen = await redeem(h, code, otherAuth)
    expect(json(stolen).error).toBe('invalid_grant')
    expect(json(stolen)).not.toHaveProperty('access_token')
    expect(replays.map((r) => r.reference)).toEqual(['music.link-1'])
    expect(await live(h, token)).toBe(false)
  })

  it('SPEC R4.3: a handler that throws makes the endpoint answer 500 and leaves the grant, which its minter still claims; the retry that finds the handler working revokes it', async () => {
    const events: string[] = []
    const h = makeServer({ onEvent: (event) => void events.push(event.type) })
    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, supersede: true, reference: 'music.link-1' })
    const token = json(await redeem(h, code)).access_token
    let failing = true
    const calls: string[] = []
    h.server.registerLostGrantHandler(async ({ reference }) => {
      calls.push(reference)
      if (failing) throw new Error('party A storage unavailable')
    })
    const failed = await redeem(h, code)
    expect(failed.status).toBe(500)
    expect(json(failed)).not.toHaveProperty('access_token')
    // Not revoked while the minter could not be told: its state still claims the grant.
    expect(await live(h, token)).toBe(true)
    // The replay is reported all the same.
    expect(events).toContain('replay-detected')
    // The retry is a replay again: the handler is told again, and this time the grant goes.
    failing = false
    const retried = await redeem(h, code)
    expect(retried.status).toBe(400)
    expect(json(retried).error).toBe('invalid_grant')
    expect(calls).toEqual(['music.link-1', 'music.link-1'])
    expect(await live(h, token)).toBe(false)
  })

  it('SPEC R4.3: its own client presenting the code expired is refused, the code stays unredeemable, and the handler is told (the grant never existed)', async () => {
    const h = makeServer()
    const told: LostGrant[] = []
    h.server.registerLostGrantHandler(async (lost) => void told.push(lost))
    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, supersede: true, reference: 'music.link-1' })
    h.clock.advance(61)
    // Another client presenting it expired tells nobody.
    expect(json(await redeem(h, code, otherAuth)).error).toBe('invalid_grant')
    expect(told).toEqual([])
    const late = await redeem(h, code)
    expect(late.status).toBe(400)
    expect(json(late).error).toBe('invalid_grant')
    expect(json(late)).not.toHaveProperty('access_token')
    expect(told).toEqual([{ clientId: 'music', subject: 'user-1', version: 1, reference: 'music.link-1', reason: 'expired' }])
  })

  it('every registered handler is told, in order; a handler must be a function', async () => {
    const h = makeServer()
    const order: number[] = []
    h.server.registerLostGrantHandler(async () => void order.push(1))
    h.server.registerLostGrantHandler(async () => void order.push(2))
    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, supersede: true, reference: 'r' })
    await redeem(h, code)
    await redeem(h, code)
    expect(order).toEqual([1, 2])
    expect(() => h.server.registerLostGrantHandler('not a function' as never)).toThrow(TypeError)
  })

  it('mintCode refuses a reference that is not a string of 1 to 256 characters', async () => {
    const h = makeServer()
    for (const reference of ['', 'x'.repeat(257), 42 as unknown as string]) {
      await expect(h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, supersede: true, reference })).rejects.toThrow(TypeError)
    }
  })
})
