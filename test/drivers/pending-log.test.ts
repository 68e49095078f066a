import { describe, expect, it } from 'vitest'
import { PendingLog } from '../../src/drivers/pending-log.js'
import { MemoryStorage } from '../../src/storage/memory.js'

describe('party B pending log (SPEC R4.3)', () => {
  it('50 concurrent appends from different links are all kept (no lost update)', async () => {
    const log = new PendingLog(new MemoryStorage(), 'p')
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(`link-${i}`)))
    expect(new Set(await log.links())).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `link-${i}`)))
  })

  it('two writers over one storage (two processes) never overwrite each other', async () => {
    const storage = new MemoryStorage()
    const [one, two] = [new PendingLog(storage, 'p'), new PendingLog(storage, 'p')]
    await Promise.all([one.append('a'), two.append('b'), one.append('c'), two.append('d')])
    expect((await one.links()).sort()).toEqual(['a', 'b', 'c', 'd'])
  })

  it('entries expire once no code could still be redeemed, and the scan skips the holes they leave', async () => {
    let now = 1_000
    const storage = new MemoryStorage({ now: () => now })
    const log = new PendingLog(storage, 'p')
    await log.append('old')
    now += 3_000
    await log.append('newer')
    now += 700 // 'old' is past its hour, 'newer' is not
    expect(await log.links()).toEqual(['newer'])
    await log.append('newest')
    expect(await log.links()).toEqual(['newer', 'newest'])
  })
})
