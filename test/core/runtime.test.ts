// The default runtime's random source (SPEC R3.1: codes and tokens carry their bits from a
// cryptographically secure source). It draws Web Crypto randomness a block at a time (issue 8):
// every byte still comes from getRandomValues, and none is handed out twice.
import { systemRuntime } from 'reciprocal-oauth'
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => vi.restoreAllMocks())

describe('systemRuntime.randomBytes', () => {
  it('SPEC R3.1: gives the length asked for, from getRandomValues, a fresh copy each time', () => {
    const spy = vi.spyOn(crypto, 'getRandomValues')
    const drawn = Array.from({ length: 200 }, () => systemRuntime.randomBytes(32))
    expect(drawn.every((bytes) => bytes instanceof Uint8Array && bytes.byteLength === 32)).toBe(true)
    expect(spy).toHaveBeenCalled()
    // 200 draws of 32 bytes: a handful of blocks, not one system call per draw.
    expect(spy.mock.calls.length).toBeLessThan(20)
    const first = drawn[0] as Uint8Array
    const copy = Uint8Array.from(first)
    first.fill(0)
    expect(Uint8Array.from(systemRuntime.randomBytes(32))).not.toEqual(copy)
  })

  it('SPEC R3.1: never hands out the same bytes twice', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2000; i++) seen.add(Buffer.from(systemRuntime.randomBytes(16)).toString('hex'))
    expect(seen.size).toBe(2000)
  })

  it('serves large and odd sizes too', () => {
    expect(systemRuntime.randomBytes(0).byteLength).toBe(0)
    expect(systemRuntime.randomBytes(7).byteLength).toBe(7)
    expect(systemRuntime.randomBytes(4096).byteLength).toBe(4096)
  })
})
