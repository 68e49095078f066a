/**
 * Base64url and random secrets from injected bytes.
 *
 * @module
 */
import { invalidValue } from '../core/misuse.js'

/**
 * Base64url without padding (RFC 4648 §5).
 *
 * @example
 * ```ts
 * base64url(new Uint8Array([255, 255])) // '__8'
 * ```
 * @group Crypto
 */
export function base64url(bytes: Uint8Array): string {
  // By table, three bytes to four characters: every hash and secret goes through here, and a
  // detour through btoa and three replaces cost more than the hash itself.
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!
  }
  const left = bytes.length - i
  if (left > 0) {
    const n = ((bytes[i] ?? 0) << 16) | (left === 2 ? (bytes[i + 1] ?? 0) << 8 : 0)
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + (left === 2 ? ALPHABET[(n >> 6) & 63]! : '')
  }
  return out
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * Turns random bytes into a code or token string: base64url of the bytes. The bytes come from
 * the injected runtime, so tests are deterministic.
 *
 * @example
 * ```ts
 * secretFromBytes(runtime.randomBytes(SECRET_BYTES)) // 43 base64url characters
 * secretFromBytes(new Uint8Array(8)) // throws TypeError: fewer than 128 bits
 * ```
 * @group Crypto
 */
export function secretFromBytes(bytes: Uint8Array): string {
  if (bytes.byteLength < 16) throw invalidValue('a secret needs at least 128 bits of randomness')
  return base64url(bytes)
}
