// SPEC R8.2, RFC 6749 §6, RFC 9700 §4.14.2 (issue 9, fault matrix): a client that lost the
// answer to its refresh still holds only the token the server rotated. Within a short grace
// period, while the successor was never used, its retry with that token rotates again — the
// unused successor revoked, so a grant never has two live refresh tokens. Once the successor was
// used, after the grace, or from another client, the old token is a replay and revokes the grant.
// Concurrent retries: exactly one rotates, the others are refused and revoke nothing.
import { type AuthorizationServerOptions, type Storage, staticClients } from 'reciprocal-oauth'
import { DEFAULT_REFRESH_TOKEN_REUSE_GRACE_SECONDS } from 'reciprocal-oauth/server'
import { type TokenRecord } from 'reciprocal-oauth/machines'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { LIFETIME_MARGIN_SECONDS } from '../../src/rules/lifetimes.js'
import { MUSIC, OTHER, TestClock, formPost, json, otherAuth, recordingStorage, serverOver } from './fixtures.js'
import { pausingHarness, type Tokens } from './pausing-harness.js'

const GRACE = DEFAULT_REFRESH_TOKEN_REUSE_GRACE_SECONDS
const hashOf = (token: string): string => createHash('sha256').update(token).digest('base64url')

function harness(overrides: Partial<AuthorizationServerOptions> = {}) {
  const clock = new TestClock()
  const { inner, storage, liveKeys } = recordingStorage(clock)
  const server = serverOver(storage, clock, { clients: staticClients([MUSIC, OTHER]), ...overrides })
  const tokens = async (): Promise<Tokens> => {
    const { code } = await server.mintCode({ clientId: 'music', subject: 'user-1', scope: MUSIC.scope })
    return json(await server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))) as Tokens
  }
  const refresh = (token: string, extra: Record<string, string> = {}, headers?: Record<string, string>) =>
    server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: token, ...extra }, headers))
  const refreshed = async (token: string): Promise<Tokens> => {
    const result = await refresh(token)
    expect(result.status, result.body).toBe(200)
    return json(result) as Tokens
  }
  const live = async (t: Tokens): Promise<boolean> => (await server.verifyAccessToken(t.access_token)) !== undefined
  /** Refresh records whose grant is live: the refresh tokens that would work. Read without presenting any. */
  const liveRefreshTokens = async (): Promise<string[]> => {
    const found: string[] = []
    for (const key of await liveKeys('refresh:')) {
      const record = await inner.get<TokenRecord>(key)
      if (record !== undefined && (await inner.get(`grant:${record.grantId}`)) !== undefined) found.push(key.slice('refresh:'.length))
    }
    return found
  }
  return { clock, inner, server, liveKeys, tokens, refresh, refreshed, live, liveRefreshTokens }
}

describe('RFC 6749 §6: a lost refresh answer is retried with the rotated token within the grace period', () => {
  it('SPEC R8.2, RFC 6749 §6: the retry rotates again; the unused successor and its access token are revoked; one live refresh token', async () => {
    const h = harness()
    const first = await h.tokens()
    const lost = await h.refreshed(first.refresh_token) // the answer the client never got
    h.clock.advance(GRACE - 1)
    const retried = await h.refreshed(first.refresh_token)
    expect(retried.refresh_token).not.toBe(lost.refresh_token)
    expect(await h.live(lost)).toBe(false)
    expect(await h.live(retried)).toBe(true)
    expect(await h.liveRefreshTokens()).toEqual([hashOf(retried.refresh_token)])
    // The retried pair is an ordinary one: it rotates on.
    expect(await h.live(await h.refreshed(retried.refresh_token))).toBe(true)
  })

  it('SPEC R8.2: a failure to store the grace after a rotation is told to the observer, and the rotated tokens still go out (not a 500, which would be the lost answer the grace is for)', async () => {
    const clock = new TestClock()
    const { storage } = recordingStorage(clock)
    const failing: Storage = { ...storage, get: storage.get.bind(storage), add: storage.add.bind(storage), take: storage.take.bind(storage), delete: storage.delete.bind(storage), set: (key, value, ttl) => (key.startsWith('refresh-grace:') ? Promise.reject(new Error('store down')) : storage.set(key, value, ttl)) }
    const failures: string[] = []
    const server = serverOver(failing, clock, { onEvent: (event) => void (event.type === 'unexpected-failure' && failures.push(event.where)) })
    const { code } = await server.mintCode({ clientId: 'music', subject: 'user-1', scope: MUSIC.scope })
    const first = json(await server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))) as Tokens
    const rotated = await server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: first.refresh_token }))
    expect(rotated.status).toBe(200)
    expect(await server.verifyAccessToken((json(rotated) as Tokens).access_token)).toBeDefined()
    expect(failures).toEqual(['token-endpoint'])
  })

  it('RFC 6749 §6: a retry whose answer is lost too may be retried again, until the first rotation’s grace ends (never extended)', async () => {
    const h = harness()
    const first = await h.tokens()
    await h.refreshed(first.refresh_token)
    h.clock.advance(GRACE / 2)
    const second = await h.refreshed(first.refresh_token)
    h.clock.advance(GRACE / 2 - 1)
    const third = await h.refreshed(first.refresh_token)
    expect(await h.live(second)).toBe(false)
    expect(await h.liveRefreshTokens()).toEqual([hashOf(third.refresh_token)])
    h.clock.advance(1)
    expect(json(await h.refresh(first.refresh_token)).error).toBe('invalid_grant')
    expect(await h.live(third)).toBe(false) // past the grace: a replay, the grant revoked
    expect(await h.liveRefreshTokens()).toEqual([])
  })

  it('RFC 6749 §6: a retry asking for a wider scope is refused and revokes nothing; the corrected retry rotates', async () => {
    const h = harness({ clients: staticClients([{ ...MUSIC, scope: `${MUSIC.scope} extra` }]) })
    const first = await h.tokens()
    const lost = await h.refreshed(first.refresh_token)
    expect(json(await h.refresh(first.refresh_token, { scope: `${MUSIC.scope} extra` })).error).toBe('invalid_scope')
    expect(await h.live(lost)).toBe(true)
    expect(await h.live(await h.refreshed(first.refresh_token))).toBe(true)
  })

  it('every record the grace needs expires, and none holds a token in the clear', async () => {
    const h = harness()
    const first = await h.tokens()
    const lost = await h.refreshed(first.refresh_token)
    const retried = await h.refreshed(first.refresh_token)
    const records = [...(await h.liveKeys('refresh-grace:')), ...(await h.liveKeys('refresh-retry:'))]
    expect(records).toHaveLength(2)
    const stored = JSON.stringify(await Promise.all((await h.liveKeys()).map(async (key) => [key, await h.inner.get(key)])))
    for (const t of [first, lost, retried]) for (const secret of [t.access_token, t.refresh_token]) expect(stored).not.toContain(secret)
    h.clock.advance(GRACE)
    expect(await h.liveKeys('refresh-grace:')).toEqual([])
    h.clock.advance(LIFETIME_MARGIN_SECONDS)
    expect(await h.liveKeys('refresh-retry:')).toEqual([])
  })
})

describe('RFC 9700 §4.14.2: outside the grace, the rotated token is a replay as before', () => {
  it('RFC 9700 §4.14.2, adversarial: once the successor was used, the rotated token revokes the grant, even within the grace', async () => {
    const h = harness()
    const first = await h.tokens()
    const second = await h.refreshed(first.refresh_token)
    const third = await h.refreshed(second.refresh_token)
    expect(json(await h.refresh(first.refresh_token)).error).toBe('invalid_grant')
    expect(await h.live(third)).toBe(false)
    expect(await h.liveRefreshTokens()).toEqual([])
  })

  it('RFC 9700 §4.14.2, adversarial: after the grace period the rotated token revokes the grant', async () => {
    const h = harness()
    const first = await h.tokens()
    const second = await h.refreshed(first.refresh_token)
    h.clock.advance(GRACE)
    expect(json(await h.refresh(first.refresh_token)).error).toBe('invalid_grant')
    expect(await h.live(second)).toBe(false)
  })

  it('RFC 6749 §6, adversarial: the rotated token presented by another client within the grace has leaked: the grant is revoked', async () => {
    const h = harness()
    const first = await h.tokens()
    const second = await h.refreshed(first.refresh_token)
    expect(json(await h.refresh(first.refresh_token, {}, otherAuth)).error).toBe('invalid_grant')
    expect(await h.live(second)).toBe(false)
    expect(await h.liveRefreshTokens()).toEqual([])
  })

  it('RFC 9700 §4.14.2, adversarial: the successor a retry revoked, presented later, is a replay and revokes the grant', async () => {
    const h = harness()
    const first = await h.tokens()
    const lost = await h.refreshed(first.refresh_token)
    const retried = await h.refreshed(first.refresh_token)
    expect(json(await h.refresh(lost.refresh_token)).error).toBe('invalid_grant')
    expect(await h.live(retried)).toBe(false)
  })

  it('RFC 9700 §4.14.2: refreshTokenReuseGraceSeconds: 0 turns the grace off: an immediate retry revokes the grant', async () => {
    const h = harness({ refreshTokenReuseGraceSeconds: 0 })
    const first = await h.tokens()
    const second = await h.refreshed(first.refresh_token)
    expect(json(await h.refresh(first.refresh_token)).error).toBe('invalid_grant')
    expect(await h.live(second)).toBe(false)
    expect(await h.liveKeys('refresh-grace:')).toEqual([])
  })

  it('a negative or fractional grace period is refused as misuse', () => {
    for (const refreshTokenReuseGraceSeconds of [-1, 1.5, Number.NaN]) expect(() => harness({ refreshTokenReuseGraceSeconds })).toThrow(/refreshTokenReuseGraceSeconds/)
  })
})

describe('RFC 9700 §4.14.2: concurrent retries and uses never leave two live refresh tokens', () => {
  /** The pausing harness, with the first pair rotated once (the answer lost). */
  async function rotatedOnce() {
    const h = pausingHarness()
    const first = await h.tokens((await h.mint(MUSIC.scope ?? '')).code)
    const refresh = (token: string): Promise<{ status: number; body: Record<string, unknown> }> =>
      h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: token })).then((r) => ({ status: r.status, body: json(r) }))
    const lost = (await refresh(first.refresh_token)).body as Tokens
    const liveRefreshTokens = async (): Promise<number> => {
      const grants = await h.liveRecords('grant:')
      return [...(await h.liveRecords('refresh:')).values()].filter((record) => grants.has(`grant:${(record as TokenRecord).grantId}`)).length
    }
    const live = async (t: Tokens): Promise<boolean> => (await h.server.verifyAccessToken(t.access_token)) !== undefined
    return { h, first, lost, refresh, liveRefreshTokens, live }
  }
  const isClaim = (key: string) => key.startsWith('refresh-retry:')
  const isRefresh = (key: string) => key.startsWith('refresh:')

  it('RFC 9700 §4.14.2: 20 concurrent retries of the rotated token → exactly one 200; the others refused, nothing revoked', async () => {
    const r = await rotatedOnce()
    const results = await Promise.all(Array.from({ length: 20 }, () => r.refresh(r.first.refresh_token)))
    const won = results.filter((result) => result.status === 200)
    expect(won).toHaveLength(1)
    expect(results.filter((result) => result.body.error === 'invalid_grant')).toHaveLength(19)
    const winner = won[0]!.body as Tokens
    expect(await r.live(winner)).toBe(true)
    expect(await r.live(r.lost)).toBe(false)
    expect(await r.liveRefreshTokens()).toBe(1)
    expect((await r.refresh(winner.refresh_token)).status).toBe(200)
  })

  it('RFC 9700 §4.14.2, adversarial: the winning retry held right after its take; every other retry answers first, revoking nothing', async () => {
    const r = await rotatedOnce()
    const held = r.h.pause('winner', 'after', 'take', 0, isRefresh)
    const winner = r.h.as('winner', () => r.refresh(r.first.refresh_token))
    await held.reached
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => r.h.as(`other-${i}`, () => r.refresh(r.first.refresh_token))))
    for (const other of others) expect(other.body.error).toBe('invalid_grant')
    held.release()
    const won = await winner
    expect(won.status).toBe(200)
    expect(await r.live(won.body as Tokens)).toBe(true)
    expect(await r.liveRefreshTokens()).toBe(1)
  })

  it('RFC 9700 §4.14.2, adversarial: the successor used while a retry holds its claim → the retry is a replay; no live refresh token', async () => {
    const r = await rotatedOnce()
    const held = r.h.pause('retry', 'after', 'add', 0, isClaim)
    const retry = r.h.as('retry', () => r.refresh(r.first.refresh_token))
    await held.reached
    const used = await r.refresh(r.lost.refresh_token)
    expect(used.status).toBe(200)
    held.release()
    expect((await retry).body.error).toBe('invalid_grant')
    expect(await r.live(used.body as Tokens)).toBe(false)
    expect(await r.liveRefreshTokens()).toBe(0)
  })

  it('RFC 9700 §4.14.2, adversarial: the successor presented while the retry holds its take → the grant is revoked; the retry’s tokens are dead', async () => {
    const r = await rotatedOnce()
    const held = r.h.pause('retry', 'after', 'take', 0, isRefresh)
    const retry = r.h.as('retry', () => r.refresh(r.first.refresh_token))
    await held.reached
    expect((await r.refresh(r.lost.refresh_token)).body.error).toBe('invalid_grant')
    held.release()
    const retried = await retry
    expect(retried.status).toBe(200) // it won the take; but the grant was revoked meanwhile
    expect(await r.live(retried.body as Tokens)).toBe(false)
    expect(await r.liveRefreshTokens()).toBe(0)
  })

  it('RFC 9700 §4.14.2, adversarial: the successor’s rotation held right after its take → the retry is a replay; no live refresh token', async () => {
    const r = await rotatedOnce()
    const held = r.h.pause('holder', 'after', 'take', 0, isRefresh)
    const used = r.h.as('holder', () => r.refresh(r.lost.refresh_token))
    await held.reached
    expect((await r.refresh(r.first.refresh_token)).body.error).toBe('invalid_grant')
    held.release()
    expect(await r.live((await used).body as Tokens)).toBe(false)
    expect(await r.liveRefreshTokens()).toBe(0)
  })

  it('RFC 9700 §4.14.2: 10 uses of the successor and 10 retries of the rotated token at once → never two live refresh tokens', async () => {
    const r = await rotatedOnce()
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => r.refresh(i % 2 === 0 ? r.lost.refresh_token : r.first.refresh_token)))
    expect(results.filter((result) => result.status === 200).length).toBeLessThanOrEqual(2)
    expect(await r.liveRefreshTokens()).toBeLessThanOrEqual(1)
  })
})
