import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { sha256 } from '../../src/lib/hash.js'

describe('sha256 (SPEC R3.1, R7.2: hashes at rest)', () => {
  it('matches the FIPS 180-2 vector for "abc"', async () => {
    // ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
    expect(await sha256('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
    expect(Buffer.from(await sha256('abc'), 'base64url').toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it('matches the vector for the empty string', async () => {
    expect(Buffer.from(await sha256(''), 'base64url').toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
  })

  it('hashes the UTF-8 bytes of the string', async () => {
    const text = 'pässwörd🔑'
    expect(await sha256(text)).toBe(createHash('sha256').update(text, 'utf8').digest('base64url'))
  })

  it('is 43 base64url characters and never contains its input', async () => {
    const hash = await sha256('code-1234567890')
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(hash).not.toContain('1234567890')
    expect(await sha256('code-1234567891')).not.toBe(hash)
  })
})
