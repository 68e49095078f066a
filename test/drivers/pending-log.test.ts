import { MemoryStorage } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { PendingLog } from '../../src/drivers/pending-log.js'
import { wrapStorage } from '../server/fixtures.js'

const TTL = 3600
const linksOf = async (log: PendingLog) => (await log.entries()).map((entry) => entry.link)

function clocked() {
  let now = 1_000
  const storage = new MemoryStorage({ now: () => now })
  return { storage, log: new PendingLog(storage, 'p', TTL), advance: (seconds: number) => (now += seconds) }
}

describe('party B pending log (SPEC R4.3)', () => {
  it('50 concurrent appends from different links are all kept (no lost update)', async () => {
    const log = new PendingLog(new MemoryStorage(), 'p', TTL)
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(`link-${i}`, TTL)))
    expect(new Set(await linksOf(log))).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `link-${i}`)))
  })

  it('two writers over one storage (two processes) never overwrite each other', async () => {
    const storage = new MemoryStorage()
    const [one, two] = [new PendingLog(storage, 'p', TTL), new PendingLog(storage, 'p', TTL)]
    await Promise.all([one.append('a', TTL), two.append('b', TTL), one.append('c', TTL), two.append('d', TTL)])
    expect((await linksOf(one)).sort()).toEqual(['a', 'b', 'c', 'd'])
  })

  it('entries expire once no code could still be redeemed, and the scan skips the holes they leave', async () => {
    const { log, advance } = clocked()
    await log.append('old', TTL)
    advance(3_000)
    await log.append('newer', TTL)
    advance(700) // 'old' is past its hour, 'newer' is not
    expect(await linksOf(log)).toEqual(['newer'])
    await log.append('newest', TTL)
    expect(await linksOf(log)).toEqual(['newer', 'newest'])
  })
})

describe('party B pending log: done is deleted, and nothing lives forever (issue 6 item 8)', () => {
  it('SPEC R4.3: a removed entry is gone at once; the scan skips its hole and finds every other entry', async () => {
    const { storage, log } = clocked()
    const slots = []
    for (const link of ['a', 'b', 'c', 'd']) slots.push(await log.append(link, TTL))
    await log.remove(slots[1] as number)
    await log.remove(slots[3] as number)
    expect(await log.entries()).toEqual([
      { link: 'a', slot: slots[0] },
      { link: 'c', slot: slots[2] },
    ])
    await log.remove(slots[0] as number)
    await log.remove(slots[2] as number)
    expect(await linksOf(log)).toEqual([])
    expect(await storage.get('p:0')).toBeUndefined()
    await log.append('e', TTL)
    expect(await linksOf(log)).toEqual(['e'])
  })

  it('SPEC R4.3: removing a slot at or past a stale `next` moves `next` past it first, so no entry behind it is hidden', async () => {
    const { storage, log } = clocked()
    for (const link of ['a', 'b', 'c']) await log.append(link, TTL)
    await storage.set('p:next', 1, TTL) // a late write of an older hint
    await log.remove(1)
    expect(await linksOf(log)).toEqual(['a', 'c'])
  })

  it('the hints expire with the entries: past every lifetime the log holds nothing', async () => {
    const { storage, log, advance } = clocked()
    for (let i = 0; i < 100; i++) await log.append(`link-${i}`, TTL)
    await log.entries() // writes `low`
    advance(TTL)
    expect(storage.size()).toBe(0)
  })

  it('a hint that vanished never loses an entry: claims never start below where the scan starts', async () => {
    const { log, advance } = clocked()
    for (const link of ['a', 'b', 'c']) await log.append(link, TTL)
    await log.remove(0)
    await log.remove(1)
    advance(TTL - 100)
    expect(await linksOf(log)).toEqual(['c']) // `low` is now 2, fresh for another hour
    advance(200) // 'c' and `next` expired; `low` has not
    await log.append('d', TTL)
    await log.append('e', TTL)
    expect(await linksOf(log)).toEqual(['d', 'e'])
  })

  it('an entry lives as long as its writer says, capped at the longest lifetime the log was built for', async () => {
    const { log, advance } = clocked()
    await log.append('short', 60)
    await log.append('capped', 10 * TTL)
    advance(60)
    expect(await linksOf(log)).toEqual(['capped'])
    advance(TTL)
    expect(await linksOf(log)).toEqual([])
  })
})

describe('party B pending log under interleaved writers (SPEC R4.3, R5.2)', () => {
  it('an append that read `next` before others appended and removed entries hides no live entry', async () => {
    const inner = new MemoryStorage({ now: () => 1_000 })
    let release: (() => void) | undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    // The slow writer's claim waits until the others have appended three entries and removed two.
    const storage = wrapStorage(inner, {
      add: async (key, value, ttl) => {
        if ((value as { link?: string }).link === 'slow') await held
        return inner.add(key, value, ttl)
      },
    })
    const log = new PendingLog(storage, 'p', TTL)
    await log.append('first', TTL)
    const slow = log.append('slow', TTL) // reads next = 1, then waits before its claim
    await new Promise((resolve) => setTimeout(resolve, 5))
    const a = await log.append('a', TTL)
    const b = await log.append('b', TTL)
    await log.append('c', TTL)
    await log.remove(a)
    await log.remove(b)
    release?.()
    await slow // fills the hole at slot 1, below 'c'
    expect((await linksOf(log)).sort()).toEqual(['c', 'first', 'slow'])
  })
})
