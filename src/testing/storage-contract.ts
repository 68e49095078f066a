/**
 * The storage contract suite: what every `Storage` adapter must do, as vitest tests that an
 * adapter's author registers with one call. The SDK's own adapters run it in CI.
 *
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JsonValue, Storage } from '../core/storage.js'
import { LARGE_VALUE, ROUND_TRIP_VALUES, UNUSUAL_KEYS } from './contract-values.js'

/**
 * A clock the suite moves instead of waiting: the one the adapter under test reads its time from.
 *
 * @example
 * ```ts
 * let now = 1_700_000_000
 * const clock: StorageContractClock = { advance: (seconds) => (now += seconds) }
 * const storage = new MemoryStorage({ now: () => now })
 * ```
 * @see docs/storage.md (the contract every adapter passes)
 * @group Testing
 */
export interface StorageContractClock {
  /** Moves the adapter's clock forward by `seconds`. */
  advance(seconds: number): void
}

/**
 * How the contract suite makes the stores it tests.
 *
 * @example
 * ```ts
 * let now = 1_700_000_000
 * const memory: StorageUnderTest = {
 *   create: () => new MemoryStorage({ now: () => now }),
 *   clock: { advance: (seconds) => (now += seconds) },
 * }
 * ```
 * @see docs/storage.md (the contract every adapter passes)
 * @group Testing
 */
export interface StorageUnderTest {
  /**
   * A store whose keys all live under `prefix` (the suite gives every test its own prefix, so
   * tests never see each other's keys). Two stores made with different prefixes must share one
   * backend (one table, one database, one Durable Object), so that the suite checks the prefixes
   * keep them apart. The suite's prefixes all have the same length and end in `:`. The first call
   * may be slow (connect, migrate): the suite makes one store before its tests, allowing two minutes.
   */
  create(prefix: string): Storage | Promise<Storage>
  /** Runs once after the suite: close connections, drop what the suite created. */
  close?(): Promise<void>
  /**
   * The adapter's clock, when the adapter takes one: expiry is then checked by moving it, at once.
   * Without it the suite waits for real short TTLs (2 s), running those tests concurrently.
   */
  clock?: StorageContractClock
}

/** How many callers race for one key in the atomicity tests. */
const RACERS = 200
/** The TTL of the expiry tests, in seconds: short enough to wait for, long enough to read before it passes. */
const TTL = 2

/**
 * Registers the storage contract as vitest `describe`/`it` blocks named after `name`: get, set,
 * delete, atomic `add` and `take` under 200 concurrent callers, expiry, values
 * that round-trip unchanged, and keys kept apart by prefix. Call it at the top level of a test
 * file (vitest collects the tests when the file loads). Needs `vitest` (an optional peer
 * dependency of this package) and ESM: vitest cannot be `require()`d.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from 'reciprocal-oauth'
 * import { describeStorageContract } from 'reciprocal-oauth/testing'
 *
 * let now = 1_700_000_000
 * describeStorageContract('MemoryStorage', {
 *   create: () => new MemoryStorage({ now: () => now }),
 *   clock: { advance: (seconds) => (now += seconds) },
 * })
 * ```
 * @see docs/storage.md (the contract every adapter passes)
 * @group Testing
 */
export function describeStorageContract(name: string, factory: StorageUnderTest): void {
  const run = Array.from(crypto.getRandomValues(new Uint8Array(4)), (byte) => byte.toString(16).padStart(2, '0')).join('')
  let made = 0
  const store = async (): Promise<Storage> => factory.create(`contract-${run}-${String(++made).padStart(6, '0')}:`)
  const { clock } = factory
  const elapse = async (seconds: number): Promise<void> => {
    if (clock === undefined) await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
    else clock.advance(seconds)
  }

  describe(`${name}: the storage contract`, () => {
    // One store before the tests, so that connecting, starting an embedded engine or creating a
    // table is not charged to the first test's timeout.
    beforeAll(store, 120_000)
    afterAll(async () => {
      await factory.close?.()
    })

    describe('get, set, delete', () => {
      it('reads what was set, and undefined for an absent key', async () => {
        const storage = await store()
        await storage.set('k', { a: 1 })
        expect(await storage.get('k')).toEqual({ a: 1 })
        expect(await storage.get('absent')).toBeUndefined()
      })

      it('set replaces the value', async () => {
        const storage = await store()
        await storage.set('k', 1)
        await storage.set('k', { now: 2 })
        expect(await storage.get('k')).toEqual({ now: 2 })
      })

      it('delete removes the key; deleting an absent key resolves', async () => {
        const storage = await store()
        await storage.set('k', 1)
        await storage.delete('k')
        expect(await storage.get('k')).toBeUndefined()
        await expect(storage.delete('k')).resolves.toBeUndefined()
        await expect(storage.delete('never-there')).resolves.toBeUndefined()
      })

      it('add stores only when the key is absent, and does not change a present one', async () => {
        const storage = await store()
        expect(await storage.add('k', 'first')).toBe(true)
        expect(await storage.add('k', 'second')).toBe(false)
        expect(await storage.get('k')).toBe('first')
        await storage.delete('k')
        expect(await storage.add('k', 'third')).toBe(true)
        expect(await storage.get('k')).toBe('third')
      })

      it('take returns the value and removes it; taking an absent key gives undefined', async () => {
        const storage = await store()
        await storage.set('k', { code: 'x' })
        expect(await storage.take('k')).toEqual({ code: 'x' })
        expect(await storage.get('k')).toBeUndefined()
        expect(await storage.take('k')).toBeUndefined()
      })

      it('null is a value, not an absence: get, add and take tell them apart', async () => {
        const storage = await store()
        expect(await storage.add('k', null)).toBe(true)
        expect(await storage.get('k')).toBeNull()
        expect(await storage.add('k', 1)).toBe(false)
        expect(await storage.take('k')).toBeNull()
        expect(await storage.take('k')).toBeUndefined()
      })

      it('a value passed to set or add is copied: changing the object afterwards changes nothing stored', async () => {
        const storage = await store()
        const value = { scope: ['a'] }
        await storage.set('set', value)
        await storage.add('add', value)
        value.scope.push('admin')
        expect(await storage.get('set')).toEqual({ scope: ['a'] })
        expect(await storage.get('add')).toEqual({ scope: ['a'] })
      })
    })

    describe('atomicity under concurrent callers', () => {
      it(`add: of ${RACERS} concurrent adds of one key exactly one resolves true, and its value is stored`, async () => {
        const storage = await store()
        const results = await Promise.all(Array.from({ length: RACERS }, (_, i) => storage.add('race', { racer: i })))
        const winners = results.flatMap((won, i) => (won ? [i] : []))
        expect(winners).toHaveLength(1)
        expect(await storage.get('race')).toEqual({ racer: winners[0] })
      })

      it(`take (SPEC R4.2, a code is single-use): of ${RACERS} concurrent takes of one key exactly one gets the value`, async () => {
        const storage = await store()
        await storage.set('code', { grant: 'g' }, 60)
        const results = await Promise.all(Array.from({ length: RACERS }, () => storage.take('code')))
        expect(results.filter((result) => result !== undefined)).toEqual([{ grant: 'g' }])
        expect(await storage.get('code')).toBeUndefined()
      })

      it(`add and take of ${RACERS} different keys at once each act on their own key`, async () => {
        const storage = await store()
        const keys = Array.from({ length: RACERS }, (_, i) => `key-${i}`)
        expect(await Promise.all(keys.map((key, i) => storage.add(key, i)))).toEqual(keys.map(() => true))
        expect(await Promise.all(keys.map((key) => storage.take(key)))).toEqual(keys.map((_, i) => i))
      })
    })

    describe('values round-trip unchanged (the same JSON text back)', () => {
      for (const [label, value] of ROUND_TRIP_VALUES) {
        it(`${label}: through set/get, add/get and take`, async () => {
          const storage = await store()
          await storage.set('set', value)
          expect(await storage.add('add', value)).toBe(true)
          for (const read of [await storage.get('set'), await storage.get('add'), await storage.take('set')]) {
            expect(JSON.stringify(read)).toBe(JSON.stringify(value))
            expect(read).toEqual(JSON.parse(JSON.stringify(value)) as JsonValue)
          }
        })
      }

      it('a large value (about 64 KB) round-trips', async () => {
        const storage = await store()
        await storage.set('large', LARGE_VALUE, 60)
        expect(JSON.stringify(await storage.get('large'))).toBe(JSON.stringify(LARGE_VALUE))
      })
    })

    describe('keys', () => {
      it('keys are kept apart exactly: case, separators, unicode, trailing spaces and LIKE wildcards', async () => {
        const storage = await store()
        await Promise.all(UNUSUAL_KEYS.map((key, i) => storage.set(key, i)))
        expect(await Promise.all(UNUSUAL_KEYS.map((key) => storage.get(key)))).toEqual(UNUSUAL_KEYS.map((_, i) => i))
        await storage.delete(UNUSUAL_KEYS[0] as string)
        expect(await storage.get(UNUSUAL_KEYS[0] as string)).toBeUndefined()
        expect(await storage.get(UNUSUAL_KEYS[1] as string)).toBe(1)
      })

      it('two stores with different prefixes over one backend do not see each other’s keys', async () => {
        const [tenantA, tenantB] = [await store(), await store()]
        await tenantA.set('shared:key', 'a')
        expect(await tenantB.get('shared:key')).toBeUndefined()
        expect(await tenantB.take('shared:key')).toBeUndefined()
        expect(await tenantB.add('shared:key', 'b')).toBe(true)
        await tenantB.delete('shared:key')
        expect(await tenantA.get('shared:key')).toBe('a')
        expect(await tenantA.take('shared:key')).toBe('a')
        expect(await tenantB.get('shared:key')).toBeUndefined()
      })
    })

    describe('expiry', { concurrent: clock === undefined }, () => {
      it('a value set or added with a TTL is there until the TTL passes, then absent to get, take and add', async () => {
        const storage = await store()
        await storage.set('set', 'v', TTL)
        expect(await storage.add('added', 'v', TTL)).toBe(true)
        await storage.set('taken', 'v', TTL)
        expect(await storage.get('set')).toBe('v')
        await elapse(TTL + 1)
        expect(await storage.get('set')).toBeUndefined()
        expect(await storage.get('added')).toBeUndefined()
        expect(await storage.take('taken')).toBeUndefined()
        expect(await storage.add('set', 'fresh', 60)).toBe(true)
        expect(await storage.get('set')).toBe('fresh')
        await expect(storage.delete('added')).resolves.toBeUndefined()
      })

      it('a value set without a TTL does not expire', async () => {
        const storage = await store()
        await storage.set('forever', 'v')
        await elapse(TTL + 1)
        expect(await storage.get('forever')).toBe('v')
      })

      it('a set with a TTL over an untimed key gives it the TTL; a set without one makes it untimed again', async () => {
        const storage = await store()
        await storage.set('timed-later', 'v')
        await storage.set('timed-later', 'w', TTL)
        await storage.set('untimed-later', 'v', TTL)
        await storage.set('untimed-later', 'w')
        await elapse(TTL + 1)
        expect(await storage.get('timed-later')).toBeUndefined()
        expect(await storage.get('untimed-later')).toBe('w')
      })

      it('an add refused because the key is live changes neither its value nor its TTL', async () => {
        const storage = await store()
        await storage.set('k', 'first', TTL)
        expect(await storage.add('k', 'second')).toBe(false)
        expect(await storage.get('k')).toBe('first')
        await elapse(TTL + 1)
        expect(await storage.get('k')).toBeUndefined()
      })

      it(`an expired key does not block add: of ${RACERS} concurrent adds over it exactly one resolves true`, async () => {
        const storage = await store()
        await storage.set('k', 'old', TTL)
        await elapse(TTL + 1)
        const results = await Promise.all(Array.from({ length: RACERS }, (_, i) => storage.add('k', i, 60)))
        const winners = results.flatMap((won, i) => (won ? [i] : []))
        expect(winners).toHaveLength(1)
        expect(await storage.get('k')).toBe(winners[0])
      })

      it('a TTL that is not positive is refused (every stored record expires), and nothing is stored', async () => {
        const storage = await store()
        for (const ttl of [0, -1, Number.NaN]) {
          await expect(storage.set('k', 'v', ttl)).rejects.toThrow()
          await expect(storage.add('k', 'v', ttl)).rejects.toThrow()
        }
        expect(await storage.get('k')).toBeUndefined()
      })
    })
  })
}
