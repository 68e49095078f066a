/**
 * Hashing secrets before they reach storage (SPEC R3.1, R7.2): storage keys and records hold the
 * SHA-256 of a code or token, never the code or token itself.
 *
 * @module
 */
import { base64url } from './encoding.js'

const encoder = new TextEncoder()

/**
 * SHA-256 of a UTF-8 string, base64url-encoded (Web Crypto).
 *
 * @example
 * ```ts
 * await sha256('abc') // 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'
 * ```
 * @group Crypto
 */
export async function sha256(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(value))
  return base64url(new Uint8Array(digest))
}
