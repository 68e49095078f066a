import { afterEach, describe, expect, it, vi } from 'vitest'
import { systemRuntime } from 'reciprocal-oauth'

describe('systemRuntime.randomBytes: secrets from a pool of system randomness (SPEC R3.1)', () => {
  afterEach(() => vi.restoreAllMocks())

  it('returns exactly n bytes, each draw a fresh array', () => {
    for (const n of [0, 1, 16, 32, 4096, 4097, 70_000]) {
      const bytes = systemRuntime.randomBytes(n)
      expect(bytes).toBeInstanceOf(Uint8Array)
      expect(bytes.byteLength).toBe(n)
    }
    const a = systemRuntime.randomBytes(32)
    const b = systemRuntime.randomBytes(32)
    expect(a.buffer).not.toBe(b.buffer)
  })

  it('never hands out the same bytes twice, across many refills of the pool', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2_000; i++) seen.add(Buffer.from(systemRuntime.randomBytes(32)).toString('hex'))
    expect(seen.size).toBe(2_000)
  })

  it('a draw cannot be changed through another: what it returned is a copy, not a view of the pool', () => {
    const first = systemRuntime.randomBytes(32)
    const kept = Uint8Array.from(first)
    first.fill(0)
    systemRuntime.randomBytes(32)
    expect(first.every((byte) => byte === 0)).toBe(true)
    expect(kept.some((byte) => byte !== 0)).toBe(true)
  })

  it('asks the system generator once per 4 KB of small draws, not once per draw', () => {
    const spy = vi.spyOn(crypto, 'getRandomValues')
    for (let i = 0; i < 256; i++) systemRuntime.randomBytes(32) // 8 KB in all
    expect(spy.mock.calls.length).toBeGreaterThanOrEqual(2)
    expect(spy.mock.calls.length).toBeLessThanOrEqual(3)
  })
})
