// A request that won a code or a refresh token writes its grant afterwards; a revocation in
// between leaves a tombstone that stops that write (grants.ts). The tombstone lives an hour, so a
// request stalled longer (a suspended process, a hanging storage call) must not write at all:
// it may write only within half the tombstone's life after its take.
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, formPost, json } from './fixtures.js'
import { pausingHarness, type Tokens } from './pausing-harness.js'

const indexSlot = (key: string): boolean => key.startsWith('link-grants:') && !key.endsWith(':hints')

describe('a request stalled past the tombstone of a revocation does not bring the grant back (RFC 6749 §4.1.2, RFC 9700 §4.14.2, SPEC R5.2)', () => {
  it('RFC 6749 §4.1.2: a redemption that resumes an hour after a replay revoked its grant issues only dead tokens', async () => {
    const h = pausingHarness()
    const { code } = await h.mint(FULL_SCOPE, false)
    // The winner has checked and taken the code; it pauses before its first index write.
    const paused = h.pause('winner', 'before', 'add', 0, indexSlot)
    const winning = h.as('winner', () => h.redeem(code))
    await paused.reached
    const replay = await h.redeem(code) // detected: revokes the grant the code is for
    expect(json(replay).error).toBe('invalid_grant')
    h.clock.advance(3601) // the tombstone (LIFETIME_MARGIN_SECONDS) is gone
    paused.release()
    const result = await winning
    expect(result.status).toBe(200)
    // Dead: the replay revoked the grant, and a request that late may no longer write it.
    expect(await h.dead(json(result) as Tokens)).toBe(true)
  })

  it('SPEC R5.2: a refresh that resumes an hour after an unlink does not undo it', async () => {
    const h = pausingHarness()
    const t = await h.tokens((await h.mint(FULL_SCOPE)).code)
    // The refresh has checked and taken its token; it pauses before moving its index entry.
    const paused = h.pause('refresher', 'before', 'add', 0, indexSlot)
    const refreshing = h.as('refresher', () =>
      h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: t.refresh_token })),
    )
    await paused.reached
    await h.server.revokeLink('music', 'user-1')
    h.clock.advance(3601)
    paused.release()
    const result = await refreshing
    expect(result.status).toBe(200)
    const fresh = json(result) as Tokens
    expect(await h.server.verifyAccessToken(fresh.access_token)).toBeUndefined()
  })
})
