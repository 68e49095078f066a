import { MemoryStorage, type Storage, StorageFullError } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'

function clocked(start = 1_700_000_000): { storage: MemoryStorage; advance: (seconds: number) => void } {
  let now = start
  return { storage: new MemoryStorage({ now: () => now }), advance: (seconds) => (now += seconds) }
}

describe('MemoryStorage: get / set / delete', () => {
  it('stores and reads JSON values', async () => {
    const { storage } = clocked()
    const value = { a: 1, b: ['x', null, true], c: { d: 'e' } }
    await storage.set('k', value)
    expect(await storage.get('k')).toEqual(value)
    await storage.set('n', 0)
    expect(await storage.get('n')).toBe(0)
    await storage.set('z', null)
    expect(await storage.get('z')).toBeNull()
  })

  it('returns undefined for an absent key', async () => {
    expect(await clocked().storage.get('missing')).toBeUndefined()
  })

  it('replaces on set', async () => {
    const { storage } = clocked()
    await storage.set('k', 1)
    await storage.set('k', 2)
    expect(await storage.get('k')).toBe(2)
  })

  it('deletes, and deleting an absent key is fine', async () => {
    const { storage } = clocked()
    await storage.set('k', 1)
    await storage.delete('k')
    expect(await storage.get('k')).toBeUndefined()
    await expect(storage.delete('k')).resolves.toBeUndefined()
  })

  it('is usable through the Storage interface', async () => {
    const storage: Storage = new MemoryStorage()
    await storage.set('k', { v: 1 }, 60)
    expect(await storage.take('k')).toEqual({ v: 1 })
    expect(await storage.get('k')).toBeUndefined()
  })
})

describe('MemoryStorage: values are copies, not shared references', () => {
  it('does not see changes made to the stored object afterwards', async () => {
    const { storage } = clocked()
    const value = { scope: ['a'] }
    await storage.set('k', value)
    value.scope.push('admin')
    expect(await storage.get('k')).toEqual({ scope: ['a'] })
  })

  it('does not let a reader change what is stored', async () => {
    const { storage } = clocked()
    await storage.set('k', { scope: ['a'] })
    const first = await storage.get<{ scope: string[] }>('k')
    first?.scope.push('admin')
    expect(await storage.get('k')).toEqual({ scope: ['a'] })
    expect(await storage.get('k')).not.toBe(await storage.get('k'))
  })

  it('copies on add and take too', async () => {
    const { storage } = clocked()
    const value = { n: 1 }
    await storage.add('k', value)
    value.n = 2
    expect(await storage.take('k')).toEqual({ n: 1 })
  })
})

describe('MemoryStorage: expiry with an injected clock', () => {
  it('keeps a value until its TTL has passed', async () => {
    const { storage, advance } = clocked()
    await storage.set('k', 'v', 60)
    advance(59)
    expect(await storage.get('k')).toBe('v')
    advance(1)
    expect(await storage.get('k')).toBeUndefined()
  })

  it('never expires a value without TTL', async () => {
    const { storage, advance } = clocked()
    await storage.set('k', 'v')
    advance(10 * 365 * 24 * 3600)
    expect(await storage.get('k')).toBe('v')
  })

  it('take of an expired value returns undefined', async () => {
    const { storage, advance } = clocked()
    await storage.set('code', 'v', 60)
    advance(61)
    expect(await storage.take('code')).toBeUndefined()
  })

  it('a set without TTL clears the previous TTL', async () => {
    const { storage, advance } = clocked()
    await storage.set('k', 1, 10)
    await storage.set('k', 2)
    advance(11)
    expect(await storage.get('k')).toBe(2)
  })

  it('size() counts only live entries', async () => {
    const { storage, advance } = clocked()
    await storage.set('a', 1, 10)
    await storage.set('b', 1, 20)
    await storage.set('c', 1)
    expect(storage.size()).toBe(3)
    advance(10)
    expect(storage.size()).toBe(2)
    advance(10)
    expect(storage.size()).toBe(1)
  })

  it.each([0, -1, Number.NaN])('refuses ttlSeconds = %d', async (ttl) => {
    const { storage } = clocked()
    await expect(storage.set('k', 1, ttl)).rejects.toThrow(TypeError)
    await expect(storage.add('k', 1, ttl)).rejects.toThrow(TypeError)
    expect(await storage.get('k')).toBeUndefined()
  })
})

describe('MemoryStorage: add is set-if-absent (SPEC R4.2, R7.10)', () => {
  it('stores only when the key is absent', async () => {
    const { storage } = clocked()
    expect(await storage.add('k', 'first', 60)).toBe(true)
    expect(await storage.add('k', 'second', 60)).toBe(false)
    expect(await storage.get('k')).toBe('first')
  })

  it('treats an expired key as absent', async () => {
    const { storage, advance } = clocked()
    await storage.add('k', 'first', 60)
    advance(60)
    expect(await storage.add('k', 'second', 60)).toBe(true)
    expect(await storage.get('k')).toBe('second')
  })

  it('of 50 concurrent add() calls for one key, exactly one is true', async () => {
    const { storage } = clocked()
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => storage.add('jti:x', i, 60)))
    expect(results.filter(Boolean)).toHaveLength(1)
    const winner = results.indexOf(true)
    expect(await storage.get('jti:x')).toBe(winner)
  })
})

describe('MemoryStorage: take is atomic read-and-delete (SPEC R4.2)', () => {
  it('returns the value once, then undefined', async () => {
    const { storage } = clocked()
    await storage.set('code', { client: 'b' }, 60)
    expect(await storage.take('code')).toEqual({ client: 'b' })
    expect(await storage.take('code')).toBeUndefined()
    expect(await storage.get('code')).toBeUndefined()
  })

  it('of 50 concurrent take() calls, exactly one gets the value', async () => {
    const { storage } = clocked()
    await storage.set('code:hash', { client: 'b', scope: 'a' }, 60)
    const results = await Promise.all(Array.from({ length: 50 }, () => storage.take('code:hash')))
    const winners = results.filter((value) => value !== undefined)
    expect(winners).toEqual([{ client: 'b', scope: 'a' }])
  })

  it('take of an absent key is undefined', async () => {
    expect(await clocked().storage.take('nothing')).toBeUndefined()
  })
})

describe('MemoryStorage: expired entries are dropped without a timer (issue 6 item 7)', () => {
  it('SPEC R3.1: 20,000 codes with a 60 s TTL, the clock moved past, then a handful of writes: a few entries are left', async () => {
    const { storage, advance } = clocked()
    for (let i = 0; i < 20_000; i++) await storage.set(`code:${i}`, { client: 'b', scope: 'a' }, 60)
    expect(storage.stats().entries).toBe(20_000)
    advance(61)
    for (let i = 0; i < 5; i++) await storage.set(`code:late-${i}`, { client: 'b' }, 60)
    expect(storage.stats().entries).toBe(5)
  })

  it('a write never looks at live entries: its sweep stops at the first entry not yet expired', async () => {
    const work = async (held: number) => {
      const { storage } = clocked()
      for (let i = 0; i < held; i++) await storage.set(`live:${i}`, i, 3600)
      const before = storage.stats().sweepExamined
      for (let i = 0; i < 100; i++) await storage.add(`new:${i}`, i, 60)
      return storage.stats().sweepExamined - before
    }
    // One look per write, whether the store holds 100 or 10,000 live entries.
    expect(await work(100)).toBe(100)
    expect(await work(10_000)).toBe(100)
  })

  it('the sweep work per write does not grow with the number of expired entries (amortised: each entry is looked at once)', async () => {
    const workPerWrite = async (expired: number) => {
      const { storage, advance } = clocked()
      for (let i = 0; i < expired; i++) await storage.set(`code:${i}`, i, 60)
      advance(61)
      for (let i = 0; i < expired; i++) await storage.set(`next:${i}`, i, 60)
      expect(storage.stats().entries).toBe(expired)
      // One look per write, plus one per expired entry dropped: 2n writes, n dropped.
      expect(storage.stats().sweepExamined).toBe(3 * expired)
      return storage.stats().sweepExamined / (2 * expired)
    }
    const small = await workPerWrite(2_000)
    const large = await workPerWrite(20_000)
    expect(large / small).toBeLessThan(1.2)
  })

  it('agrees with a plain model over a long random run of writes, reads, deletes and clock moves', async () => {
    const { storage, advance } = clocked()
    let now = 1_700_000_000
    const model = new Map<string, { value: number; expiresAt: number | undefined }>()
    const live = (key: string) => {
      const entry = model.get(key)
      if (entry?.expiresAt !== undefined && entry.expiresAt <= now) model.delete(key)
      return model.get(key)
    }
    let seed = 42
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed % n
    }
    for (let step = 0; step < 20_000; step++) {
      const key = `k${random(200)}`
      const ttl = random(4) === 0 ? undefined : 1 + random(50)
      switch (random(6)) {
        case 0:
          await storage.set(key, step, ttl)
          model.set(key, { value: step, expiresAt: ttl === undefined ? undefined : now + ttl })
          break
        case 1: {
          const added = live(key) === undefined
          expect(await storage.add(key, step, ttl)).toBe(added)
          if (added) model.set(key, { value: step, expiresAt: ttl === undefined ? undefined : now + ttl })
          break
        }
        case 2:
          await storage.delete(key)
          model.delete(key)
          break
        case 3:
          expect(await storage.take(key)).toBe(live(key)?.value)
          model.delete(key)
          break
        case 4:
          expect(await storage.get(key)).toBe(live(key)?.value)
          break
        case 5: {
          const seconds = random(10)
          advance(seconds)
          now += seconds
        }
      }
    }
    for (const key of model.keys()) live(key)
    expect(storage.size()).toBe(model.size)
  })
})

describe('MemoryStorage: maxEntries (issue 6 item 7)', () => {
  function bounded(maxEntries: number) {
    let now = 1_700_000_000
    return { storage: new MemoryStorage({ now: () => now, maxEntries }), advance: (seconds: number) => (now += seconds) }
  }

  it('SPEC R4.2, R7.10: a full store refuses a new key with StorageFullError and evicts nothing live', async () => {
    const { storage } = bounded(3)
    await storage.set('used-code:a', 1, 600)
    await storage.set('lease:b', 1, 20)
    expect(await storage.add('received:c', 1, 600)).toBe(true)
    const refused = storage.set('d', 1, 60)
    await expect(refused).rejects.toBeInstanceOf(StorageFullError)
    await expect(refused).rejects.toMatchObject({ code: 'ERR_STORAGE_FULL', maxEntries: 3 })
    await expect(storage.add('d', 1, 60)).rejects.toBeInstanceOf(StorageFullError)
    expect([await storage.get('used-code:a'), await storage.get('lease:b'), await storage.get('received:c')]).toEqual([1, 1, 1])
    expect(await storage.get('d')).toBeUndefined()
  })

  it('a full store still replaces an existing key, and add of a present key is false, not an error', async () => {
    const { storage } = bounded(2)
    await storage.set('a', 1, 60)
    await storage.set('b', 1)
    await storage.set('a', 2, 60)
    expect(await storage.get('a')).toBe(2)
    expect(await storage.add('b', 3)).toBe(false)
  })

  it('a full store drops its expired entries before it refuses', async () => {
    const { storage, advance } = bounded(2)
    await storage.set('a', 1, 10)
    await storage.set('b', 1, 100)
    advance(10)
    await storage.set('c', 1, 60)
    expect(await storage.get('c')).toBe(1)
    expect(storage.stats()).toMatchObject({ entries: 2, maxEntries: 2 })
  })

  it('room made by a delete or a take is usable again', async () => {
    const { storage } = bounded(1)
    await storage.set('a', 1, 60)
    await storage.take('a')
    await storage.set('b', 1, 60)
    await storage.delete('b')
    expect(await storage.add('c', 1, 60)).toBe(true)
  })

  it.each([0, -1, 1.5, Number.NaN])('refuses maxEntries = %d', (maxEntries) => {
    expect(() => new MemoryStorage({ maxEntries })).toThrow(TypeError)
  })
})
