// SPEC R5.1, R5.2: the cost of a cut (an unlink, a narrowing update) follows the number of live
// grants of the link, not the number of grants it ever had. Reads are counted with a storage
// wrapper; no timing is measured. Measured before the low-water mark: an unlink or a narrowing
// mint after 2,000 superseded grants read 2,005 times, an unlink after 2,000 expired grants
// 2,006 times — every index slot the link ever had (25 and 26 after 20 grants). Now 11, 11 and 9,
// after 20 grants or 2,000.
import { type AuthorizationServerOptions } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, TestClock, countingStorage, formPost, json, serverOver } from './fixtures.js'

type Tokens = { access_token: string; refresh_token: string; scope: string }

function countingServer(overrides: Partial<AuthorizationServerOptions> = {}) {
  const clock = new TestClock()
  const { storage, counts } = countingStorage(clock)
  const server = serverOver(storage, clock, overrides)
  const mint = (scope = FULL_SCOPE, supersede = true) => server.mintCode({ clientId: 'music', subject: 'user-1', scope, supersede })
  const tokens = async (code: string): Promise<Tokens> => {
    const result = await server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
    if (result.status !== 200) throw new Error(`redemption failed: ${result.body}`)
    return json(result) as Tokens
  }
  const live = async (t: Tokens): Promise<boolean> => (await server.verifyAccessToken(t.access_token)) !== undefined
  const readsOf = async (action: () => Promise<unknown>): Promise<number> => {
    const before = counts.gets
    await action()
    return counts.gets - before
  }
  return { clock, server, mint, tokens, live, readsOf }
}

type Server = ReturnType<typeof countingServer>

/** `n` deliveries of the update flow: each superseding code is redeemed, which revokes the grant before it. */
async function afterSupersededGrants(n: number) {
  const s = countingServer()
  let last: Tokens | undefined
  for (let i = 0; i < n; i++) last = await s.tokens((await s.mint()).code)
  return { s, last: last! }
}

/** `n` plain grants, each expired (with its index entry) before the next one is created. */
async function afterExpiredGrants(n: number) {
  const s = countingServer({ refreshTokens: false, accessTokenTtlSeconds: 600 })
  for (let i = 0; i < n; i++) {
    await s.tokens((await s.mint(FULL_SCOPE, false)).code)
    s.clock.advance(600 + 3600 + 1) // the grant's lifetime and its index entry's margin
  }
  return s
}

describe('SPEC R5.1, R5.2: a cut reads as much after 2,000 ended grants as after 20', () => {
  const cuts = [
    { name: 'SPEC R5.2: unlinking', cut: (s: Server) => s.server.revokeLink('music', 'user-1') },
    { name: 'SPEC R5.1: a narrowing mint', cut: (s: Server) => s.mint('assistant.read') },
  ]
  for (const { name, cut } of cuts) {
    it(`${name} after 2,000 superseded grants reads as much as after 20, and revokes the live grant`, async () => {
      const reads: number[] = []
      for (const n of [20, 2_000]) {
        const { s, last } = await afterSupersededGrants(n)
        reads.push(await s.readsOf(() => cut(s)))
        expect(await s.live(last)).toBe(false)
      }
      expect(reads[1]).toBe(reads[0])
      expect(reads[1]).toBeLessThanOrEqual(12)
    }, 60_000)
  }

  it('SPEC R5.2: unlinking after 2,000 expired grants reads as much as after 20, and a live grant made before still dies', async () => {
    const reads: number[] = []
    for (const n of [20, 2_000]) {
      const s = await afterExpiredGrants(n)
      const current = await s.tokens((await s.mint(FULL_SCOPE, false)).code)
      reads.push(await s.readsOf(() => s.server.revokeLink('music', 'user-1')))
      expect(await s.live(current)).toBe(false)
    }
    expect(reads[1]).toBe(reads[0])
    expect(reads[1]).toBeLessThanOrEqual(12)
  }, 60_000)
})
