// A request that won a code or a refresh token writes its grant afterwards; a revocation in
// between leaves a tombstone that stops that write (grants.ts). The tombstone lives an hour, so a
// request stalled longer (a suspended process, a hanging storage call) must not write at all:
// it may write only within half the tombstone's life after its take.
import { AsyncLocalStorage } from 'node:async_hooks'
import { describe, expect, it } from 'vitest'
import type { HttpResult } from '../../src/protocol/http.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import type { JsonValue, Storage } from '../../src/storage/storage.js'
import { FULL_SCOPE, TestClock, formPost, json, serverOver } from './fixtures.js'

type Op = keyof Storage
type Tokens = { access_token: string; refresh_token: string; scope: string }

interface Pause {
  /** Resolves once the paused request reached the operation. */
  readonly reached: Promise<void>
  release(): void
}

/**
 * A server whose storage can pause a labelled request before or after its `nth` call of one
 * operation (counted per label, from 0). Grant records written are remembered, so a test can
 * tell whether a grant exists even when its redemption was refused and left no token to try.
 */
function pausingHarness() {
  const clock = new TestClock()
  const inner = new MemoryStorage({ now: clock.now })
  const label = new AsyncLocalStorage<string>()
  const pauses: {
    who: string
    op: Op
    nth: number
    when: 'before' | 'after'
    /** Only operations on keys it accepts are counted (all when absent). */
    key: ((key: string) => boolean) | undefined
    seen: number
    reach: () => void
    gate: Promise<void>
  }[] = []
  const grantKeys = new Set<string>()
  const written = new Set<string>()

  async function around<T>(op: Op, key: string, run: () => Promise<T>): Promise<T> {
    const who = label.getStore()
    if (who === undefined) return run()
    const matching = pauses.filter((p) => p.who === who && p.op === op && (p.key?.(key) ?? true) && p.seen++ === p.nth)
    for (const p of matching.filter((m) => m.when === 'before')) {
      p.reach()
      await p.gate
    }
    const result = await run()
    for (const p of matching.filter((m) => m.when === 'after')) {
      p.reach()
      await p.gate
    }
    return result
  }

  const storage: Storage = {
    get: <T extends JsonValue>(key: string) => around('get', key, () => inner.get<T>(key)),
    set: (key, value, ttl) => {
      written.add(key)
      if (key.startsWith('grant:')) grantKeys.add(key)
      return around('set', key, () => inner.set(key, value, ttl))
    },
    add: (key, value, ttl) => around('add', key, () => inner.add(key, value, ttl)),
    delete: (key) => around('delete', key, () => inner.delete(key)),
    take: <T extends JsonValue>(key: string) => around('take', key, () => inner.take<T>(key)),
  }
  const server = serverOver(storage, clock)

  const pause = (who: string, when: 'before' | 'after', op: Op, nth: number, key?: (key: string) => boolean): Pause => {
    let reach: () => void = () => undefined
    let release: () => void = () => undefined
    const reached = new Promise<void>((resolve) => (reach = resolve))
    const gate = new Promise<void>((resolve) => (release = resolve))
    pauses.push({ who, op, nth, when, key, seen: 0, reach, gate })
    return { reached, release }
  }
  const as = <T>(who: string, run: () => Promise<T>): Promise<T> => label.run(who, run)
  const mint = (scope: string, supersede = true) => server.mintCode({ clientId: 'music', subject: 'user-1', scope, supersede })
  const redeem = (code: string): Promise<HttpResult> => server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
  const tokens = async (code: string): Promise<Tokens> => json(await redeem(code)) as Tokens
  const dead = async (t: Tokens): Promise<boolean> => {
    const refreshed = await server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: t.refresh_token }))
    return (await server.verifyAccessToken(t.access_token)) === undefined && json(refreshed).error === 'invalid_grant'
  }
  /** Grant records that still exist, of those ever written. */
  const liveGrantRecords = async (): Promise<string[]> => {
    const found: string[] = []
    for (const key of grantKeys) if ((await inner.get(key)) !== undefined) found.push(key)
    return found
  }
  return { clock, server, pause, as, mint, redeem, tokens, dead, liveGrantRecords, inner, written }
}


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
