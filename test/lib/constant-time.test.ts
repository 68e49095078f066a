import { describe, expect, it } from 'vitest'
import { timingSafeEqual } from '../../src/lib/constant-time.js'

describe('timingSafeEqual (SPEC R7.4)', () => {
  it('is true for equal strings, including empty ones', () => {
    expect(timingSafeEqual('s3cret', 's3cret')).toBe(true)
    expect(timingSafeEqual('', '')).toBe(true)
    const long = 'x'.repeat(10_000)
    expect(timingSafeEqual(long, `${long}`)).toBe(true)
  })

  it('is false for strings that differ anywhere', () => {
    expect(timingSafeEqual('s3cret', 'X3cret')).toBe(false)
    expect(timingSafeEqual('s3cret', 's3cXet')).toBe(false)
    expect(timingSafeEqual('s3cret', 's3creX')).toBe(false)
  })

  it('is false for different lengths, even when one is a prefix of the other', () => {
    expect(timingSafeEqual('s3cret', 's3cre')).toBe(false)
    expect(timingSafeEqual('s3cre', 's3cret')).toBe(false)
    expect(timingSafeEqual('', 'a')).toBe(false)
    expect(timingSafeEqual('a', '')).toBe(false)
  })

  it('is false when the shorter side is padded with what would read as zero bytes', () => {
    expect(timingSafeEqual('a', 'a\u0000')).toBe(false)
    expect(timingSafeEqual('a\u0000', 'a')).toBe(false)
  })

  it('compares unicode by its UTF-8 bytes', () => {
    expect(timingSafeEqual('pässwörd🔑', 'pässwörd🔑')).toBe(true)
    expect(timingSafeEqual('pässwörd🔑', 'passwörd🔑')).toBe(false)
    // precomposed "é" vs "e" + combining acute: visually equal, different bytes
    expect(timingSafeEqual('caf\u00e9', 'cafe\u0301')).toBe(false)
    // same UTF-16 length, different UTF-8 length
    expect(timingSafeEqual('é', 'e')).toBe(false)
  })

  it('is symmetric', () => {
    const pairs: Array<[string, string]> = [
      ['a', 'b'],
      ['ab', 'a'],
      ['x', 'x'],
    ]
    for (const [a, b] of pairs) expect(timingSafeEqual(a, b)).toBe(timingSafeEqual(b, a))
  })
})
