// Every record the authorization server stores expires, and what is done is deleted (SPEC R3.1,
// R5.1–R5.3; issue 6 item 8): after many deliveries of the update flow on one link, once the
// clock passes the code lifetime and the margins (but not the grant lifetime), storage holds what
// the one live grant needs — a small constant, whatever the number of deliveries. And the
// lifetimes never cost a guarantee: a link whose only activity is refreshing its grant still sees
// a narrowing update revoke the wider grant at once, after any number of days.
import { type AuthorizationServerOptions, type RegisteredClient, staticClients } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, REVOCATION_ENDPOINT, TestClock, basic, formPost, json, recordingStorage, serverOver } from './fixtures.js'

type Tokens = { access_token: string; refresh_token: string; scope: string }

const WIDE: RegisteredClient = { clientId: 'wide', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: 'wide-secret-value', scope: 'a b c' }
const wideAuth = { authorization: basic(WIDE.clientId, WIDE.clientSecret ?? '') }
const HOUR = 3600
const DAY = 24 * HOUR

function harness(overrides: Partial<AuthorizationServerOptions> = {}) {
  const clock = new TestClock()
  const { inner, storage, liveKeys } = recordingStorage(clock)
  const server = serverOver(storage, clock, { clients: staticClients([WIDE]), revocationEndpoint: REVOCATION_ENDPOINT, ...overrides })
  const mint = (scope: string, supersede = true) => server.mintCode({ clientId: 'wide', subject: 'user-1', scope, supersede })
  const tokens = async (code: string): Promise<Tokens> => {
    const result = await server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }, wideAuth))
    if (result.status !== 200) throw new Error(`redemption failed: ${result.body}`)
    return json(result) as Tokens
  }
  const refresh = async (t: Tokens): Promise<Tokens> => {
    const result = await server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: t.refresh_token }, wideAuth))
    if (result.status !== 200) throw new Error(`refresh failed: ${result.body}`)
    return json(result) as Tokens
  }
  const live = async (t: Tokens): Promise<boolean> => (await server.verifyAccessToken(t.access_token)) !== undefined
  /** How many live keys of each kind (the part of a key before its first `:`). */
  const kinds = async (): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {}
    for (const key of await liveKeys()) {
      const kind = key.slice(0, key.indexOf(':'))
      counts[kind] = (counts[kind] ?? 0) + 1
    }
    return counts
  }
  return { clock, inner, server, mint, tokens, refresh, live, kinds }
}

/**
 * `n` deliveries of the update flow: a superseding code — alternately narrowing (cut when minted)
 * and widening (cut when redeemed) — redeemed, and its grant refreshed once.
 */
async function deliveries(n: number) {
  const h = harness()
  let current: Tokens | undefined
  for (let i = 0; i < n; i++) {
    const scope = i % 2 === 0 ? 'a b c' : 'a b'
    current = await h.refresh(await h.tokens((await h.mint(scope)).code))
  }
  return { h, current: current! }
}

describe('issue 6 item 8: nothing the authorization server stores lives forever', () => {
  // Measured before records were given lifetimes: 1,203 entries four hours after 200 deliveries,
  // 12,003 after 2,000 — per delivery a version record, an index entry, a tombstone, a refresh
  // token and two reuse markers. Now 9 after either.
  it('SPEC R5.1: two hours after 2,000 deliveries storage holds as many entries as after 200 — what the live grant needs', async () => {
    const sizes: number[] = []
    for (const n of [200, 2_000]) {
      const { h, current } = await deliveries(n)
      h.clock.advance(2 * HOUR) // past the code lifetime and every margin, not past the grant's
      expect((await h.refresh(current)).scope).toBe('a b')
      h.clock.advance(2 * HOUR)
      sizes.push(h.inner.size())
      expect(await h.kinds()).toEqual({
        grant: 1, // the live grant
        refresh: 1, // its refresh token
        'used-refresh': 3, // reuse markers of that token and of the two it replaced (RFC 9700 §4.14.2)
        'link-grants': 2, // the grant's index entry, and the index's hints
        'link-version': 1, // the newest version: the previous scope, for the next update's comparison
        link: 1, // the hint of the newest version
      })
    }
    expect(sizes[1]).toBe(sizes[0])
    expect(sizes[1]).toBe(9)
  }, 60_000)

  it('SPEC R5.2: an unlinked link leaves only its last version and hints, until the grant lifetime passes; then nothing', async () => {
    const { h } = await deliveries(50)
    await h.server.revokeLink('wide', 'user-1')
    h.clock.advance(2 * HOUR)
    expect(await h.kinds()).toEqual({ 'link-grants': 1, 'link-version': 1, link: 1 })
    h.clock.advance(31 * DAY)
    expect(h.inner.size()).toBe(0)
  }, 60_000)

  it('RFC 7009 §2.1: revoking a grant deletes its refresh token and every reuse marker of its rotations; an hour later nothing of it is left', async () => {
    const h = harness()
    let tokens = await h.tokens((await h.mint('a b', false)).code)
    for (let i = 0; i < 5; i++) tokens = await h.refresh(tokens)
    const revoked = await h.server.revocationEndpoint.handle(
      formPost({ token: tokens.refresh_token, token_type_hint: 'refresh_token' }, wideAuth),
    )
    expect(revoked.status).toBe(200)
    h.clock.advance(HOUR + 1)
    // Only the index hints remain (the link lives on for a later grant): no grant, token, marker or entry.
    expect(await h.kinds()).toEqual({ 'link-grants': 1 })
  })
})

describe('SPEC R5.1, R7.6: lifetimes never cost the narrowing guarantee', () => {
  it('SPEC R7.6: a link whose only activity for 80 days is refreshing its grant still revokes the wider grant when a narrowing code is minted', async () => {
    const h = harness()
    const first = await h.mint('a b')
    let current = await h.tokens(first.code)
    for (let day = 20; day <= 80; day += 20) {
      h.clock.advance(20 * DAY) // the link lifetime is 30 days and an hour: only refreshes keep it
      current = await h.refresh(current)
    }
    const narrower = await h.mint('a')
    expect(narrower.version).toBe(first.version! + 1) // numbering did not restart below the grant
    expect(await h.live(current)).toBe(false)
    expect((await h.tokens(narrower.code)).scope).toBe('a')
  })

  it('SPEC R7.6: with a wider code pending and never redeemed, 80 days of refreshes later a narrowing below the pending scope still cuts the older grant', async () => {
    const h = harness()
    let current = await h.tokens((await h.mint('a b')).code)
    await h.mint('a b c') // adds c, never redeemed: the newest version, which the next update compares with
    for (let day = 20; day <= 80; day += 20) {
      h.clock.advance(20 * DAY)
      current = await h.refresh(current)
    }
    await h.mint('a c') // drops b from the pending version, and so from the live grant
    expect(await h.live(current)).toBe(false)
  })

  it('SPEC R5.3: a plain code stays refused after a later cut for as long as it is valid, although the versions between end', async () => {
    const h = harness({ codeTtlSeconds: 600 })
    const grant = await h.tokens((await h.mint('a b')).code)
    const plain = await h.mint('a b', false) // under version 1
    await h.mint('a b c') // version 2, widening, pending
    await h.mint('a b c') // version 3, widening, pending: version 2 now ends after the longest code lifetime and an hour
    await h.mint('a') // version 4, narrowing: cut
    h.clock.advance(590) // the plain code is still valid (600 s), and so are the versions it reads
    const late = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code: plain.code }, wideAuth))
    expect(json(late).error).toBe('invalid_grant')
    expect(await h.live(grant)).toBe(false)
  })
})
