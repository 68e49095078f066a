import { describe, expect, it } from 'vitest'
import { base64url, secretFromBytes } from '../../src/lib/encoding.js'
import { SECRET_BYTES } from '../../src/protocol/constants.js'

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('base64url (RFC 4648 §5, no padding)', () => {
  // RFC 4648 §10 test vectors, padding removed
  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('encodes %j as %j', (input, expected) => {
    expect(base64url(ascii(input))).toBe(expected)
  })

  it('uses - and _ instead of + and /', () => {
    expect(base64url(Uint8Array.from([0xfb, 0xff]))).toBe('-_8')
    expect(base64url(Uint8Array.from([255, 255]))).toBe('__8')
    expect(base64url(Uint8Array.from([0xfb, 0xef, 0xbe]))).toBe('----')
    expect(base64url(Uint8Array.from([0xff, 0xff, 0xff]))).toBe('____')
  })

  it('matches Node for every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    expect(base64url(all)).toBe(Buffer.from(all).toString('base64url'))
  })

  it('encodes a view of a larger buffer by its own bytes only', () => {
    const buffer = Uint8Array.from([1, 2, 3, 4, 5])
    expect(base64url(buffer.subarray(1, 3))).toBe(Buffer.from([2, 3]).toString('base64url'))
  })
})

describe('secretFromBytes (SPEC R3.1)', () => {
  it('turns random bytes into base64url', () => {
    const bytes = Uint8Array.from({ length: SECRET_BYTES }, (_, i) => i)
    const secret = secretFromBytes(bytes)
    expect(secret).toBe(Buffer.from(bytes).toString('base64url'))
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('accepts exactly 128 bits', () => {
    expect(secretFromBytes(new Uint8Array(16))).toHaveLength(22)
  })

  it.each([0, 1, 15])('refuses %d bytes: below 128 bits', (n) => {
    expect(() => secretFromBytes(new Uint8Array(n))).toThrow(TypeError)
  })

  it('is deterministic for injected bytes', () => {
    const bytes = crypto.getRandomValues(new Uint8Array(32))
    expect(secretFromBytes(bytes)).toBe(secretFromBytes(Uint8Array.from(bytes)))
  })
})
