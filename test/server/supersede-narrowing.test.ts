// SPEC R5.1, R5.3, R7.6: an update that removes a scope revokes the older, wider grant when the
// new code is minted — not only once the client redeems it — so a client that never redeems the
// narrower code does not keep the wider grant. An update that only adds keeps the old grant live
// until the new code is redeemed.
import { type AuthorizationServerOptions, type RegisteredClient } from 'reciprocal-oauth'
import { generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, basic, formPost, json, makeServer } from './fixtures.js'

const WIDE: RegisteredClient = {
  clientId: 'wide',
  tokenEndpointAuthMethod: 'client_secret_basic',
  clientSecret: 'wide-secret-value',
  scope: 'a b c',
}
const wideAuth = { authorization: basic(WIDE.clientId, WIDE.clientSecret ?? '') }

type H = ReturnType<typeof makeServer>
type Tokens = { access_token: string; refresh_token: string; scope: string }

function harness(overrides: Partial<AuthorizationServerOptions> = {}) {
  const h = makeServer(overrides, [WIDE])
  const mint = (scope: string, supersede = true) => h.server.mintCode({ clientId: 'wide', subject: 'user-1', scope, supersede })
  const redeem = (code: string) => h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }, wideAuth))
  const tokens = async (code: string): Promise<Tokens> => {
    const result = await redeem(code)
    if (result.status !== 200) throw new Error(`redemption failed: ${result.body}`)
    return json(result) as Tokens
  }
  const refresh = (token: string) => h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: token }, wideAuth))
  const live = async (t: Tokens): Promise<boolean> => (await h.server.verifyAccessToken(t.access_token)) !== undefined
  return { h, mint, redeem, tokens, refresh, live }
}

async function jwtOptions(): Promise<Partial<AuthorizationServerOptions>> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  return { accessTokenFormat: { format: 'jwt', alg: 'ES256', privateKey, publicKey } }
}

describe('SPEC R5.1, R7.6: a narrowing update revokes the wider grant at once', () => {
  for (const format of ['opaque', 'jwt'] as const) {
    it(`SPEC R5.1: before the narrower code is redeemed, the old ${format} access token and refresh token are dead`, async () => {
      const t = harness(format === 'jwt' ? await jwtOptions() : {})
      const old = await t.tokens((await t.mint('a b')).code)
      expect(await t.live(old)).toBe(true)

      const narrower = await t.mint('a') // the user removed `b`; the client has not redeemed yet
      expect(await t.live(old)).toBe(false)
      const refused = await t.refresh(old.refresh_token)
      expect(refused.status).toBe(400)
      expect(json(refused).error).toBe('invalid_grant')

      // The new code is the newest version: it still redeems, with the narrower scope.
      const fresh = await t.tokens(narrower.code)
      expect(fresh.scope).toBe('a')
      expect((await t.h.server.verifyAccessToken(fresh.access_token))?.scope).toBe('a')
      expect((await t.refresh(fresh.refresh_token)).status).toBe(200)
      expect(await t.live(old)).toBe(false)
    })
  }

  it('SPEC R5.1: an update that swaps a scope for another is a narrowing too', async () => {
    const t = harness()
    const old = await t.tokens((await t.mint('a b')).code)
    await t.mint('a c')
    expect(await t.live(old)).toBe(false)
  })

  it('SPEC R5.1: a narrowing cuts plain grants of the link minted before it too', async () => {
    const t = harness()
    await t.tokens((await t.mint('a b')).code)
    const plain = await t.tokens((await t.mint('a b', false)).code)
    await t.mint('a')
    expect(await t.live(plain)).toBe(false)
  })
})

describe('SPEC R5.1: a widening update keeps the old grant until the new code is redeemed', () => {
  it('SPEC R5.1: the old token works while the wider code is pending, and is revoked once it is redeemed', async () => {
    const t = harness()
    const old = await t.tokens((await t.mint('a')).code)
    const wider = await t.mint('a b')
    expect(await t.live(old)).toBe(true)
    // The client keeps working meanwhile, refreshes included.
    const rotated = json(await t.refresh(old.refresh_token)) as Tokens
    expect(await t.live(rotated)).toBe(true)

    const fresh = await t.tokens(wider.code)
    expect(fresh.scope).toBe('a b')
    expect(await t.live(old)).toBe(false)
    expect(await t.live(rotated)).toBe(false)
    expect(json(await t.refresh(rotated.refresh_token)).error).toBe('invalid_grant')
    expect(await t.live(fresh)).toBe(true)
  })

  it('SPEC R5.1: re-sending the same scope is not a narrowing', async () => {
    const t = harness()
    const old = await t.tokens((await t.mint('a b')).code)
    await t.mint('b a')
    expect(await t.live(old)).toBe(true)
  })
})

describe('SPEC R5.1, R7.6: comparing with the previous version suffices (transitivity)', () => {
  it('SPEC R7.6: widen (pending) then narrow below the pending scope cuts every older grant', async () => {
    const t = harness()
    const first = await t.tokens((await t.mint('a b')).code)
    await t.mint('a b c') // adds c: `first` stays live
    expect(await t.live(first)).toBe(true)
    const last = await t.mint('a c') // drops b from the pending version, and so from `first`
    expect(await t.live(first)).toBe(false)
    expect((await t.tokens(last.code)).scope).toBe('a c')
  })

  it('SPEC R7.6: narrow then widen again: the grant cut by the narrowing stays dead', async () => {
    const t = harness()
    const first = await t.tokens((await t.mint('a b')).code)
    await t.mint('a')
    const again = await t.mint('a b') // a widening of the previous version: takes no cut itself
    expect(await t.live(first)).toBe(false)
    expect((await t.tokens(again.code)).scope).toBe('a b')
    expect(await t.live(first)).toBe(false)
  })

  it('SPEC R5.2: after unlinking, the next code needs no cut and the chain goes on', async () => {
    const t = harness()
    const before = await t.tokens((await t.mint('a b c')).code)
    await t.h.server.revokeLink('wide', 'user-1')
    expect(await t.live(before)).toBe(false)
    const relinked = await t.tokens((await t.mint('a')).code)
    expect(await t.live(relinked)).toBe(true)
    // A widening after the relink behaves as before: the relinked grant lives until redemption.
    const wider = await t.mint('a b')
    expect(await t.live(relinked)).toBe(true)
    await t.tokens(wider.code)
    expect(await t.live(relinked)).toBe(false)
  })
})

describe('SPEC R5.3: a late older code never wins', () => {
  it('SPEC R5.3: an older wider code is refused after a narrowing, redeemed or not', async () => {
    const t = harness()
    const older = await t.mint('a b')
    const newer = await t.mint('a')
    expect(json(await t.redeem(older.code)).error).toBe('invalid_grant')
    const fresh = await t.tokens(newer.code)
    expect(fresh.scope).toBe('a')
    expect(json(await t.redeem(older.code)).error).toBe('invalid_grant')
    expect(await t.live(fresh)).toBe(true)
  })

  it('SPEC R5.3: an older narrower code is refused after a widening, and does not revoke the newer grant', async () => {
    const t = harness()
    const older = await t.mint('a')
    const newer = await t.mint('a b')
    const fresh = await t.tokens(newer.code)
    expect(json(await t.redeem(older.code)).error).toBe('invalid_grant')
    expect(await t.live(fresh)).toBe(true)
    expect((await t.h.server.verifyAccessToken(fresh.access_token))?.scope).toBe('a b')
  })

  it('SPEC R5.3: concurrent narrowing and widening mints: only the newest code redeems, and nothing wider than it survives', async () => {
    const t = harness()
    const first = await t.tokens((await t.mint('a b c')).code)
    const scopes = ['a', 'a b', 'b c', 'a b c', 'c', 'a c']
    const minted = await Promise.all(scopes.map((scope) => t.mint(scope)))
    const outcomes = await Promise.all(minted.map((m) => t.redeem(m.code)))
    const winners = outcomes.filter((r) => r.status === 200)
    expect(winners).toHaveLength(1)
    const newest = minted.reduce((a, b) => ((a.version ?? 0) > (b.version ?? 0) ? a : b))
    const winner = json(winners[0]!) as Tokens
    expect(winner.scope).toBe(scopes[minted.indexOf(newest)])
    expect(await t.live(first)).toBe(false)
  })
})

// Keep the fixtures' music client covered too: the update flow of SPEC R5.1 through it.
describe('SPEC R5.1 with the reference client', () => {
  it('SPEC R5.1: removing a scope from music revokes its old tokens before the new code is redeemed', async () => {
    const h: H = makeServer()
    const redeem = (code: string) => h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
    const old = json(await redeem((await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, supersede: true })).code))
    await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: 'assistant.read', supersede: true })
    expect(await h.server.verifyAccessToken(old.access_token as string)).toBeUndefined()
  })
})
