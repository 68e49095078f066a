// The link lease (SPEC R8.2) waits on the injected runtime's timer, so a test drives it with a
// fake clock: a crashed worker's lease is taken over once it lapses, and nothing really sleeps.
import { ErrorCode, MemoryStorage, type Runtime } from 'reciprocal-oauth'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LinkGuard } from '../../src/drivers/link-guard.js'
import { TestClock, testRuntime } from '../server/fixtures.js'

const LEASE_SECONDS = 30
const LINK = 'link-1'

/** Two workers over one storage and one fake clock; worker one holds the link and never finishes (it crashed). */
async function crashedHolder(runtimeOf: (clock: TestClock) => Runtime = testRuntime) {
  const clock = new TestClock()
  const storage = new MemoryStorage({ now: clock.now })
  const runtime = runtimeOf(clock)
  const crashed = new LinkGuard(storage, runtime, LEASE_SECONDS)
  await new Promise<void>((holding) => {
    void crashed.run(LINK, () => {
      holding()
      return new Promise<never>(() => undefined)
    })
  })
  return { clock, start: clock.now(), survivor: new LinkGuard(storage, runtime, LEASE_SECONDS) }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('LinkGuard: the lease runs on the injected clock', () => {
  it("SPEC R8.2: a crashed worker's lease is taken over after the lease time, by the fake clock alone", async () => {
    const realTimer = vi.spyOn(globalThis, 'setTimeout')
    const { clock, start, survivor } = await crashedHolder()
    const ranAt = await survivor.run(LINK, async () => clock.now())
    expect(ranAt - start).toBeGreaterThanOrEqual(LEASE_SECONDS)
    expect(realTimer).not.toHaveBeenCalled()
  })

  it('SPEC R8.2: tryRun does not wait for a held lease, and runs once it has lapsed', async () => {
    const { clock, survivor } = await crashedHolder()
    expect(await survivor.tryRun(LINK, async () => 'ran')).toBeUndefined()
    clock.advance(LEASE_SECONDS)
    expect(await survivor.tryRun(LINK, async () => 'ran')).toBe('ran')
  })

  it('SPEC R8.2: a wait on a clock that never moves ends with link_busy after one lease lifetime of waiting', async () => {
    const waits: number[] = []
    const frozen = (clock: TestClock): Runtime => ({
      now: clock.now,
      randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
      sleep: async (ms) => void waits.push(ms),
    })
    const { survivor } = await crashedHolder(frozen)
    await expect(survivor.run(LINK, async () => 'ran')).rejects.toMatchObject({ code: ErrorCode.LinkBusy, retryable: true })
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(LEASE_SECONDS * 1000)
  })

  it("SPEC R8.2: a holder that outlived its lease does not release the lease another worker claimed since", async () => {
    const clock = new TestClock()
    const storage = new MemoryStorage({ now: clock.now })
    const slow = new LinkGuard(storage, testRuntime(clock), LEASE_SECONDS)
    const other = new LinkGuard(storage, testRuntime(clock), LEASE_SECONDS)
    let finish: () => void = () => undefined
    const slowRun = slow.run(LINK, () => new Promise<void>((resolve) => (finish = resolve)))
    await vi.waitFor(async () => expect(await storage.get(`lease:${LINK}`)).toBeDefined())
    clock.advance(LEASE_SECONDS) // the slow holder's lease lapses
    let release: () => void = () => undefined
    const otherRun = other.run(LINK, () => new Promise<void>((resolve) => (release = resolve)))
    await vi.waitFor(async () => expect(await storage.get(`lease:${LINK}`)).not.toBe(undefined))
    const claimedByOther = await storage.get(`lease:${LINK}`)
    finish()
    await slowRun
    expect(await storage.get(`lease:${LINK}`)).toBe(claimedByOther)
    release()
    await otherRun
    expect(await storage.get(`lease:${LINK}`)).toBeUndefined()
  })

  it('SPEC R8.2: a worker whose clock runs slow never releases a lease the storage gave another worker since', async () => {
    // The storage's TTL runs on its own clock: 25 s pass there while only 5 s pass for worker A.
    const storageClock = new TestClock()
    const slowClock = new TestClock()
    const storage = new MemoryStorage({ now: storageClock.now })
    const workerA = new LinkGuard(storage, testRuntime(slowClock), LEASE_SECONDS)
    const workerB = new LinkGuard(storage, testRuntime(storageClock), LEASE_SECONDS)
    const workerC = new LinkGuard(storage, testRuntime(storageClock), LEASE_SECONDS)
    let releaseB!: () => void
    let bHolds!: () => void
    const bInside = new Promise<void>((resolve) => (bHolds = resolve))
    let bRun!: Promise<void>
    await workerA.run(LINK, async () => {
      storageClock.advance(LEASE_SECONDS + 5) // A's lease lapses in storage…
      slowClock.advance(5) // …while A's own clock says it is young
      bRun = workerB.run(LINK, () => new Promise<void>((resolve) => ((releaseB = resolve), bHolds())))
      await bInside
    })
    // A has finished and released while B holds the link: B's lease is still there.
    expect(await workerC.tryRun(LINK, async () => 'C ran')).toBeUndefined()
    releaseB()
    await bRun
  })
})
