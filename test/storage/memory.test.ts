import { describe, expect, it } from 'vitest'
import { MemoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'

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
