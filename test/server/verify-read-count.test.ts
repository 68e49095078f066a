// SPEC R4.4, R5.3: checking a token costs the same few storage reads however many versions its
// link has. Party A retrying a delivery while party B is down mints one superseding code per
// attempt; none is redeemed, and the grant B already holds must stay cheap to check and to
// refresh. Reads are counted with a storage wrapper; no timing is measured.
import { type AuthorizationServerOptions, type JsonValue, MemoryStorage } from 'reciprocal-oauth'
import { generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, TestClock, countingStorage, formPost, json, serverOver, wrapStorage } from './fixtures.js'

type Tokens = { access_token: string; refresh_token: string; scope: string }

/** A server over a MemoryStorage whose reads (`get`) are counted. */
function countingServer(overrides: Partial<AuthorizationServerOptions> = {}) {
  const clock = new TestClock()
  const { storage, counts } = countingStorage(clock)
  const server = serverOver(storage, clock, overrides)
  const mint = (supersede = true) => server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, supersede })
  const redeem = (code: string) => server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
  const refresh = (token: string) => server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: token }))
  /** The reads `action` makes. */
  const readsOf = async (action: () => Promise<unknown>): Promise<number> => {
    const before = counts.gets
    await action()
    return counts.gets - before
  }
  return { server, mint, redeem, refresh, readsOf }
}

async function jwtOptions(): Promise<Partial<AuthorizationServerOptions>> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  return { accessTokenFormat: { format: 'jwt', alg: 'ES256', privateKey, publicKey } }
}

/**
 * A live grant with `extra` superseding codes of the same scope minted above it and never
 * redeemed; the reads of one token check and of one refresh.
 */
async function readsWithVersionsAbove(extra: number, overrides: Partial<AuthorizationServerOptions> = {}) {
  const s = countingServer(overrides)
  const tokens = json(await s.redeem((await s.mint()).code)) as Tokens
  for (let i = 0; i < extra; i++) await s.mint()
  let live = false
  const verify = await s.readsOf(async () => {
    live = (await s.server.verifyAccessToken(tokens.access_token)) !== undefined
  })
  let refreshStatus = 0
  const refresh = await s.readsOf(async () => {
    refreshStatus = (await s.refresh(tokens.refresh_token)).status
  })
  return { verify, refresh, live, refreshStatus }
}

describe('SPEC R4.4, R5.3: token checks do not depend on the number of link versions', () => {
  // Measured: an opaque token is 2 reads (its record, its grant); a JWT is 1 (its grant). Before
  // the grant index, a check also read every version above the grant's: 203 reads for an opaque
  // token with 200 versions above it, and an exception past 10,000.
  const cases = [
    { format: 'opaque', reads: 2, options: async () => ({}) },
    { format: 'jwt', reads: 1, options: jwtOptions },
  ] as const
  for (const c of cases) {
    it(`SPEC R4.4: verifying an ${c.format} access token takes ${c.reads} reads with 0 or 200 unredeemed versions above its grant`, async () => {
      const without = await readsWithVersionsAbove(0, await c.options())
      const withMany = await readsWithVersionsAbove(200, await c.options())
      expect(without.live).toBe(true)
      expect(withMany.live).toBe(true)
      expect(withMany.verify).toBe(c.reads)
      expect(withMany.verify).toBe(without.verify)
      expect(withMany.verify).toBeLessThanOrEqual(4)
    })
  }

  it('SPEC R4.4: refreshing reads as much with 200 unredeemed versions above the grant as with none', async () => {
    const without = await readsWithVersionsAbove(0)
    const withMany = await readsWithVersionsAbove(200)
    expect(withMany.refreshStatus).toBe(200)
    expect(withMany.refresh).toBe(without.refresh)
  })
})

describe('SPEC R7.5: far more versions than any probe limit never surface as an exception', () => {
  const VERSIONS = 10_050 // above the 10,000 versions a redemption reads at most

  it('SPEC R4.4: a token and its refresh keep working under 10,050 unredeemed versions; a late plain code is refused with invalid_grant', async () => {
    const s = countingServer()
    const tokens = json(await s.redeem((await s.mint()).code)) as Tokens
    const plainCode = (await s.mint(false)).code // minted under the grant's version
    for (let i = 0; i < VERSIONS; i++) await s.mint()

    expect(await s.readsOf(() => s.server.verifyAccessToken(tokens.access_token))).toBe(2)
    expect(await s.server.verifyAccessToken(tokens.access_token)).toBeDefined()
    expect((await s.refresh(tokens.refresh_token)).status).toBe(200)

    // Whether any of those versions is cut would take more than 10,000 reads to tell: the
    // redemption fails closed with a well-formed OAuth error, not a 500.
    const late = await s.redeem(plainCode)
    expect(late.status).toBe(400)
    expect(json(late).error).toBe('invalid_grant')

    // The newest code still redeems, cheaply, and replaces the old grant (SPEC R5.1).
    const newest = await s.mint()
    expect(newest.version).toBe(VERSIONS + 2)
    const fresh = json(await s.redeem(newest.code)) as Tokens
    expect(await s.server.verifyAccessToken(fresh.access_token)).toBeDefined()
    expect(await s.server.verifyAccessToken(tokens.access_token)).toBeUndefined()
  }, 60_000)
})

describe('SPEC R5.3: finding the newest version needs no up-to-date hint', () => {
  it('SPEC R5.3: with the version hint never written, versions stay consecutive and a mint reads O(log n) versions', async () => {
    const clock = new TestClock()
    const inner = new MemoryStorage({ now: clock.now })
    let gets = 0
    // Drops every write of the hint (`link:`), as if each writer had lost a race to a slower one.
    const storage = wrapStorage(inner, {
      get: async <T extends JsonValue>(key: string): Promise<T | undefined> => {
        gets++
        return inner.get<T>(key)
      },
      set: async (key, value, ttl) => (key.startsWith('link:') ? undefined : inner.set(key, value, ttl)),
    })
    const server = serverOver(storage, clock)
    const mint = () => server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, supersede: true })
    for (let i = 1; i <= 1000; i++) expect((await mint()).version).toBe(i)
    gets = 0
    expect((await mint()).version).toBe(1001)
    expect(gets).toBeLessThan(30) // a linear probe from the lost hint would read 1,000
  }, 60_000)
})
