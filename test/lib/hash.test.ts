import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { memoizedSha256, sha256 } from '../../src/lib/hash.js'

describe('sha256 (SPEC R3.1, R7.2: hashes at rest)', () => {
  it('matches the FIPS 180-2 vector for "abc"', () => {
    // ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
    expect(sha256('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
    expect(Buffer.from(sha256('abc'), 'base64url').toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it('matches the vector for the empty string', () => {
    expect(Buffer.from(sha256(''), 'base64url').toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
  })

  it('hashes the UTF-8 bytes of the string', () => {
    const text = 'pässwörd🔑'
    expect(sha256(text)).toBe(createHash('sha256').update(text, 'utf8').digest('base64url'))
  })

  it('is 43 base64url characters and never contains its input', () => {
    const hash = sha256('code-1234567890')
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(hash).not.toContain('1234567890')
    expect(sha256('code-1234567891')).not.toBe(hash)
  })
})

describe('memoizedSha256 (a registered secret hashed once per instance)', () => {
  it('answers what sha256 answers, for a value seen before and for a new one', () => {
    const digest = memoizedSha256()
    expect(digest('s3cret')).toBe(sha256('s3cret'))
    expect(digest('s3cret')).toBe(sha256('s3cret'))
    expect(digest('rotated')).toBe(sha256('rotated'))
  })

  it('stays correct past its bound: forgetting only costs a hash again', () => {
    const digest = memoizedSha256()
    for (let i = 0; i < 3000; i++) digest(`secret-${i}`)
    expect(digest('secret-0')).toBe(sha256('secret-0'))
    expect(digest('secret-2999')).toBe(sha256('secret-2999'))
  })
})
