// SPEC R4.2 / RFC 6749 §4.1.2: a replayed code revokes the grant of the redemption that won it,
// whatever the interleaving — including a replay that looks the code up between the winner's
// atomic take and the winner's next write.
import { type JsonValue, MemoryStorage } from 'reciprocal-oauth'
import { type HttpResult } from 'reciprocal-oauth/server'
import { AsyncLocalStorage } from 'node:async_hooks'
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, TestClock, formPost, json, serverOver, wrapStorage } from './fixtures.js'

/**
 * A storage that forces the worst interleaving of two redemptions: the request whose `take`
 * got the code (the winner) has every later `set` held back until the other request (the
 * replay) has answered. Requests are told apart by an AsyncLocalStorage label, so the wrapper
 * needs to know nothing about the keys the server uses.
 */
function racingHarness() {
  const clock = new TestClock()
  const inner = new MemoryStorage({ now: clock.now })
  const label = new AsyncLocalStorage<string>()
  let winner: string | undefined
  let releaseWinner: () => void = () => undefined
  const replayAnswered = new Promise<void>((resolve) => {
    releaseWinner = resolve
  })
  const storage = wrapStorage(inner, {
    take: async <T extends JsonValue>(key: string): Promise<T | undefined> => {
      const value = await inner.take<T>(key)
      const caller = label.getStore()
      if (value !== undefined && caller !== undefined) winner ??= caller
      return value
    },
    set: async (key, value, ttl) => {
      if (winner !== undefined && label.getStore() === winner) await replayAnswered
      return inner.set(key, value, ttl)
    },
  })
  const server = serverOver(storage, clock)
  const redeem = (name: string, code: string): Promise<HttpResult> =>
    label.run(name, () => server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code })))
  const refresh = (name: string, token: string): Promise<HttpResult> =>
    label.run(name, () => server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: token })))
  return { server, redeem, refresh, releaseWinner, winnerName: () => winner }
}

describe('SPEC R4.2: replay detection has no race window (RFC 6749 §4.1.2)', () => {
  for (const supersede of [true, false]) {
    it(`SPEC R4.2: two simultaneous redemptions → exactly one 200, and its token is revoked (supersede: ${supersede})`, async () => {
      const h = racingHarness()
      const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, supersede })
      const first = h.redeem('first', code)
      const second = h.redeem('second', code)
      // Whichever lost answers while the winner is still held right after its take.
      const loser = await Promise.race([
        first.then((result) => ({ name: 'first', result })),
        second.then((result) => ({ name: 'second', result })),
      ])
      expect(loser.name).not.toBe(h.winnerName())
      expect(loser.result.status).toBe(400)
      expect(json(loser.result).error).toBe('invalid_grant')
      h.releaseWinner()
      const results = await Promise.all([first, second])
      expect(results.filter((r) => r.status === 200)).toHaveLength(1)
      const won = results.find((r) => r.status === 200)
      const body = json(won!)
      expect(await h.server.verifyAccessToken(body.access_token as string)).toBeUndefined()
      const refreshed = await h.server.tokenEndpoint.handle(
        formPost({ grant_type: 'refresh_token', refresh_token: body.refresh_token as string }),
      )
      expect(json(refreshed).error).toBe('invalid_grant')
    })
  }
})

describe('RFC 9700 §4.14.2: refresh-token reuse detection has no race window', () => {
  it('RFC 9700 §4.14.2: two simultaneous refreshes with one token → exactly one 200, and everything of the grant is revoked', async () => {
    const h = racingHarness()
    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE })
    const issued = json(await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code })))
    const first = h.refresh('first', issued.refresh_token as string)
    const second = h.refresh('second', issued.refresh_token as string)
    // The request whose take lost answers — and revokes the grant — while the winner is held
    // right after its take, before it writes the grant again.
    const loser = await Promise.race([
      first.then((result) => ({ name: 'first', result })),
      second.then((result) => ({ name: 'second', result })),
    ])
    expect(loser.name).not.toBe(h.winnerName())
    expect(json(loser.result).error).toBe('invalid_grant')
    h.releaseWinner()
    const results = await Promise.all([first, second])
    const won = results.filter((r) => r.status === 200)
    expect(won).toHaveLength(1)
    const rotated = json(won[0]!)
    expect(await h.server.verifyAccessToken(rotated.access_token as string)).toBeUndefined()
    expect(await h.server.verifyAccessToken(issued.access_token as string)).toBeUndefined()
    const again = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: rotated.refresh_token as string }))
    expect(json(again).error).toBe('invalid_grant')
  })
})
