// A server whose storage pauses a chosen request at a chosen storage operation, so that tests
// force an interleaving of concurrent requests and every run takes exactly the same path.
// Requests are told apart by an AsyncLocalStorage label.
import { type JsonValue, MemoryStorage, type Storage } from 'reciprocal-oauth'
import { type HttpResult } from 'reciprocal-oauth/server'
import { AsyncLocalStorage } from 'node:async_hooks'
import { TestClock, formPost, json, serverOver } from './fixtures.js'

export type Op = keyof Storage
export type Tokens = { access_token: string; refresh_token: string; scope: string }

export interface Pause {
  /** Resolves once the paused request reached the operation. */
  readonly reached: Promise<void>
  release(): void
}

/**
 * A server whose storage can pause a labelled request before or after its `nth` call of one
 * operation (counted per label, from 0). Grant records written are remembered, so a test can
 * tell whether a grant exists even when its redemption was refused and left no token to try.
 */
export function pausingHarness() {
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
  const writtenKeys = new Set<string>()

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
      if (key.startsWith('grant:')) grantKeys.add(key)
      writtenKeys.add(key)
      return around('set', key, () => inner.set(key, value, ttl))
    },
    add: (key, value, ttl) => {
      writtenKeys.add(key)
      return around('add', key, () => inner.add(key, value, ttl))
    },
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
  /** Keys written (set or added) that still hold a value, with their values, of those starting with `prefix`. */
  const liveRecords = async (prefix: string): Promise<Map<string, JsonValue>> => {
    const found = new Map<string, JsonValue>()
    for (const key of writtenKeys) {
      const value = key.startsWith(prefix) ? await inner.get(key) : undefined
      if (value !== undefined) found.set(key, value)
    }
    return found
  }
  return { clock, server, pause, as, mint, redeem, tokens, dead, liveGrantRecords, liveRecords }
}
