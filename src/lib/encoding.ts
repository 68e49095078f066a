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
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

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
