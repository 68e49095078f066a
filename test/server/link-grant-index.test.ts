// SPEC R5.1, R5.2, R7.6: cutting a link version revokes the older grants of the link right then
// (a token check no longer looks at versions), for opaque and JWT access tokens and refresh
// tokens alike; concurrent redemptions lose no grant; links do not touch one another's grants;
// a cut interrupted by a storage failure is finished by the next claim of a version.
import { type AuthorizationServerOptions, createAuthorizationServer, MemoryStorage, type RegisteredClient, staticClients, type Storage } from 'reciprocal-oauth'
import { generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, ISSUER, TOKEN_ENDPOINT, TestClock, basic, formPost, json, recordingStorage, serverOver, testRuntime, wrapStorage } from './fixtures.js'

type Tokens = { access_token: string; refresh_token: string; scope: string }

const clientNamed = (clientId: string): RegisteredClient => ({
  clientId,
  tokenEndpointAuthMethod: 'client_secret_basic',
  clientSecret: `${clientId}-secret-value`,
  scope: 'a b c',
})
// Names that would collide if a link's keys were not encoded.
const CLIENTS = ['wide', 'wide:x', 'w%3Aide'].map(clientNamed)

function harness(overrides: Partial<AuthorizationServerOptions> = {}, wrap: (inner: Storage) => Storage = (s) => s) {
  const clock = new TestClock()
  const storage = wrap(new MemoryStorage({ now: clock.now }))
  const server = createAuthorizationServer({
    issuer: ISSUER,
    tokenEndpoint: TOKEN_ENDPOINT,
    clients: staticClients(CLIENTS),
    storage,
    runtime: testRuntime(clock),
    ...overrides,
  })
  const auth = (clientId: string) => ({ authorization: basic(clientId, `${clientId}-secret-value`) })
  const mint = (scope: string, opts: { supersede?: boolean; clientId?: string; subject?: string } = {}) =>
    server.mintCode({ clientId: opts.clientId ?? 'wide', subject: opts.subject ?? 'user-1', scope, supersede: opts.supersede ?? true })
  const redeem = (code: string, clientId = 'wide') =>
    server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }, auth(clientId)))
  const tokens = async (code: string, clientId = 'wide'): Promise<Tokens> => {
    const result = await redeem(code, clientId)
    if (result.status !== 200) throw new Error(`redemption failed: ${result.body}`)
    return json(result) as Tokens
  }
  const refresh = (t: Tokens, clientId = 'wide') =>
    server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: t.refresh_token }, auth(clientId)))
  const live = async (t: Tokens): Promise<boolean> => (await server.verifyAccessToken(t.access_token)) !== undefined
  /** Whether the grant is fully dead: its access token fails and its refresh token is refused. */
  const dead = async (t: Tokens, clientId = 'wide'): Promise<boolean> =>
    !(await live(t)) && json(await refresh(t, clientId)).error === 'invalid_grant'
  return { clock, server, mint, redeem, tokens, refresh, live, dead }
}

async function jwtOptions(): Promise<Partial<AuthorizationServerOptions>> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  return { accessTokenFormat: { format: 'jwt', alg: 'ES256', privateKey, publicKey } }
}

const FORMATS = ['opaque', 'jwt'] as const
const optionsFor = async (format: (typeof FORMATS)[number]) => (format === 'jwt' ? jwtOptions() : {})

describe('SPEC R5.1, R5.2: a cut revokes every older grant of the link through its grant index', () => {
  for (const format of FORMATS) {
    it(`SPEC R5.1, R7.6: a narrowing mint revokes every older ${format} grant, superseding and plain, at once`, async () => {
      const t = harness(await optionsFor(format))
      const superseding = await t.tokens((await t.mint('a b')).code)
      const plain = await Promise.all([1, 2, 3].map(async () => t.tokens((await t.mint('a b', { supersede: false })).code)))
      for (const grant of [superseding, ...plain]) expect(await t.live(grant)).toBe(true)

      const narrower = await t.mint('a')
      expect(await t.dead(superseding)).toBe(true)
      for (const grant of plain) expect(await t.dead(grant)).toBe(true)
      // The narrower grant and plain grants made after it are not touched.
      const fresh = await t.tokens(narrower.code)
      const later = await t.tokens((await t.mint('a', { supersede: false })).code)
      expect(await t.live(fresh)).toBe(true)
      expect(await t.live(later)).toBe(true)
    })

    it(`SPEC R5.1: a widening redemption revokes every older ${format} grant, refreshed ones included`, async () => {
      const t = harness(await optionsFor(format))
      const first = await t.tokens((await t.mint('a')).code)
      const rotated = json(await t.refresh(first)) as Tokens
      const plain = await t.tokens((await t.mint('a', { supersede: false })).code)
      const wider = await t.mint('a b')
      expect(await t.live(rotated)).toBe(true)
      expect(await t.live(plain)).toBe(true)

      const fresh = await t.tokens(wider.code)
      expect(await t.live(rotated)).toBe(false)
      expect(await t.dead(plain)).toBe(true)
      expect(json(await t.refresh(rotated)).error).toBe('invalid_grant')
      expect(await t.live(fresh)).toBe(true)
    })

    it(`SPEC R5.2: unlinking revokes every ${format} grant of the link, whatever its version`, async () => {
      const t = harness(await optionsFor(format))
      const old = await t.tokens((await t.mint('a b')).code)
      const plainOld = await t.tokens((await t.mint('a b', { supersede: false })).code)
      const pendingWider = await t.mint('a b c') // minted, never redeemed: old stays live
      const plainNew = await t.tokens((await t.mint('a', { supersede: false })).code) // at the newest version
      expect(await t.live(old)).toBe(true)

      await t.server.revokeLink('wide', 'user-1')
      for (const grant of [old, plainOld, plainNew]) expect(await t.dead(grant)).toBe(true)
      expect(json(await t.redeem(pendingWider.code)).error).toBe('invalid_grant')
    })
  }

  it('SPEC R5.1: a grant kept alive by refreshes past its first lifetime is still revoked by a later cut', async () => {
    const t = harness()
    const DAY = 86_400
    let current = await t.tokens((await t.mint('a b')).code)
    // Refresh tokens live 30 days by default; refreshing every 20 days keeps the grant for 80.
    for (let i = 0; i < 4; i++) {
      t.clock.advance(20 * DAY)
      current = json(await t.refresh(current)) as Tokens
      expect(await t.live(current)).toBe(true)
    }
    await t.mint('a') // narrowing, 80 days after the grant was created
    expect(await t.dead(current)).toBe(true)
  })
})

describe('SPEC R4.2, R5.2: concurrent redemptions lose no grant of the index', () => {
  it('SPEC R5.2: 50 concurrent redemptions on one link, then unlinking: all 50 grants are revoked', async () => {
    const t = harness()
    const codes = await Promise.all(Array.from({ length: 50 }, () => t.mint('a b', { supersede: false })))
    const all = await Promise.all(codes.map(async (c) => t.tokens(c.code)))
    for (const grant of all) expect(await t.live(grant)).toBe(true)
    await t.server.revokeLink('wide', 'user-1')
    for (const grant of all) expect(await t.live(grant)).toBe(false)
  })

  it('SPEC R5.2: redemptions racing an unlink: no grant from a code minted before the unlink survives', async () => {
    const t = harness()
    const codes = await Promise.all(Array.from({ length: 30 }, (_, i) => t.mint('a b', { supersede: i % 3 === 0 })))
    const outcomes = await Promise.all([
      ...codes.map(async (c) => t.redeem(c.code)),
      t.server.revokeLink('wide', 'user-1').then(() => undefined),
    ])
    for (const outcome of outcomes) {
      if (outcome === undefined) continue
      if (outcome.status !== 200) {
        expect(json(outcome).error).toBe('invalid_grant')
        continue
      }
      expect(await t.dead(json(outcome) as Tokens)).toBe(true)
    }
  })
})

describe('SPEC R5.1, R5.2: the grant indexes of different links do not interfere', () => {
  it('SPEC R5.2: cutting or unlinking one link leaves the grants of every other link live', async () => {
    const t = harness()
    const subjects = ['user-1', 'user-1:x', 'user-1%3Ax', 'user', '1']
    const links = CLIENTS.flatMap((c) => subjects.map((subject) => ({ clientId: c.clientId, subject })))
    // Redeemed concurrently, so the appends to all indexes interleave.
    const grants = await Promise.all(
      links.map(async (link) => {
        const superseding = await t.tokens((await t.mint('a b', link)).code, link.clientId)
        const plain = await t.tokens((await t.mint('a b', { ...link, supersede: false })).code, link.clientId)
        return { link, superseding, plain }
      }),
    )
    const narrowed = links[0]!
    const unlinked = links[6]!
    await t.mint('a', narrowed)
    await t.server.revokeLink(unlinked.clientId, unlinked.subject)

    for (const { link, superseding, plain } of grants) {
      const touched = link === narrowed || link === unlinked
      expect(await t.live(superseding)).toBe(!touched)
      expect(await t.live(plain)).toBe(!touched)
    }
  })
})

describe('SPEC R5.1, R7.6: a cut interrupted by a storage failure is finished by the next version', () => {
  /**
   * A storage whose `set` throws once after `arm()`: on the first revocation (the tombstone a
   * cut's scan writes first for each grant it revokes).
   */
  function failingOnce() {
    let armed = false
    const wrap = (inner: Storage): Storage =>
      wrapStorage(inner, {
        set: async (key, value, ttl) => {
          if (armed && key.startsWith('revoked-grant:')) {
            armed = false
            throw new Error('storage unavailable')
          }
          return inner.set(key, value, ttl)
        },
      })
    return { wrap, arm: () => void (armed = true) }
  }

  it('SPEC R5.1, R7.6: a narrowing mint that fails while revoking is retried, and the wider grant dies', async () => {
    const failure = failingOnce()
    const t = harness({}, failure.wrap)
    const wide = await t.tokens((await t.mint('a b')).code)
    // The narrowing claims its cut version, then fails on the first revocation — mintCode
    // rejects and no code exists.
    failure.arm()
    await expect(t.mint('a')).rejects.toThrow()
    // Party A retries the same update: not a narrowing of the (cut) version it failed on, but
    // its claim finishes that version's revocations first.
    const retried = await t.mint('a')
    expect(await t.dead(wide)).toBe(true)
    expect((await t.tokens(retried.code)).scope).toBe('a')
  })

  it('SPEC R5.1: a widening redemption that fails while revoking answers 500; the next delivery finishes the cut', async () => {
    const failure = failingOnce()
    const t = harness({}, failure.wrap)
    const old = await t.tokens((await t.mint('a')).code)
    const wider = await t.mint('a b')
    // The redemption writes its cut, then fails on the first revocation.
    failure.arm()
    const failed = await t.redeem(wider.code)
    expect(failed.status).toBe(500)
    expect(json(failed).error).toBe('server_error')
    const redelivered = await t.mint('a b')
    expect(await t.dead(old)).toBe(true)
    expect(await t.live(await t.tokens(redelivered.code))).toBe(true)
  })

  it('SPEC R5.2: an unlink that fails while revoking rejects; calling it again revokes everything', async () => {
    const failure = failingOnce()
    const t = harness({}, failure.wrap)
    const grant = await t.tokens((await t.mint('a b')).code)
    failure.arm()
    await expect(t.server.revokeLink('wide', 'user-1')).rejects.toThrow()
    await t.server.revokeLink('wide', 'user-1')
    expect(await t.dead(grant)).toBe(true)
  })
})

describe('SPEC R5.1, R5.2: a cut removes the index entries of the grants it revokes', () => {
  it('SPEC R5.1: after a narrowing cut of 50 grants, an hour later the index holds only the live grant and its hints', async () => {
    const clock = new TestClock()
    const { storage, liveKeys } = recordingStorage(clock)
    const server = serverOver(storage, clock)
    const redeem = async (code: string) => json(await server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))) as Tokens
    const mint = (scope: string, supersede: boolean) => server.mintCode({ clientId: 'music', subject: 'user-1', scope, supersede })
    await redeem((await mint(FULL_SCOPE, true)).code)
    for (let i = 0; i < 49; i++) await redeem((await mint(FULL_SCOPE, false)).code)
    expect(await liveKeys('link-grants:')).toHaveLength(51) // 50 entries and the hints

    const narrower = await redeem((await mint('assistant.read', true)).code)
    clock.advance(3601)
    // The 50 revoked entries were closed, and closed slots end after an hour.
    expect(await liveKeys('link-grants:')).toEqual(['link-grants:music:user-1:50', 'link-grants:music:user-1:hints'])
    expect(await server.verifyAccessToken(narrower.access_token)).toBeUndefined() // an hour: the access token expired
    expect((await server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: narrower.refresh_token }))).status).toBe(200)
  })
})

describe('SPEC R5.1, R5.2: the low-water mark never passes a live grant', () => {
  it('SPEC R5.2: 30 rounds of concurrent redemptions, refreshes and cuts while grants expire: each cut and the final unlink leave no older grant live', async () => {
    // Short lifetimes, so that grants and their index entries end all along (grant 2 h, entry 3 h).
    const t = harness({ accessTokenTtlSeconds: 600, refreshTokenTtlSeconds: 7200 })
    let seed = 7
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    let held: Tokens[] = []
    for (let round = 0; round < 30; round++) {
      const scope = ['a b c', 'a b', 'a'][random(3)]!
      // Plain codes under the current version and refreshes of what is held, all at once, with
      // a superseding code that cuts every older grant when it is redeemed.
      const plain = await Promise.all(Array.from({ length: 1 + random(4) }, async () => t.mint(scope, { supersede: false })))
      const superseding = await t.mint(scope)
      const outcomes = await Promise.all([
        ...plain.map(async (c) => t.redeem(c.code)),
        ...held.map(async (h) => t.refresh(h)),
        t.redeem(superseding.code),
      ])
      const issued = outcomes.filter((r) => r.status === 200).map((r) => json(r) as Tokens)
      // Whatever the interleaving, every grant but the superseding code's is of an older version,
      // so its redemption (or the redeemer's own check) left only that one live.
      held = []
      for (const tokens of [...issued, ...held]) if (await t.live(tokens)) held.push(tokens)
      expect(held).toHaveLength(1)
      expect(held[0]!.scope).toBe(scope)
      t.clock.advance(random(3) * 3600) // 0–2 h: some grants end, and their entries after them
      held = (await Promise.all(held.map(async (h) => ((await t.live(h)) ? h : undefined)))).filter((h) => h !== undefined)
    }
    await t.server.revokeLink('wide', 'user-1')
    for (const tokens of held) expect(await t.dead(tokens)).toBe(true)
  }, 30_000)
})
