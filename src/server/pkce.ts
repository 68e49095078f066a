/**
 * RFC 7636 S256 verification at the token endpoint (SPEC R7.1).
 *
 * @module
 */
import { sha256 } from '../lib/hash.js'
import { timingSafeEqual } from '../lib/constant-time.js'

/**
 * Whether `verifier` proves `challenge`: `BASE64URL(SHA256(ASCII(verifier))) == challenge`,
 * compared in constant time (SPEC R7.4).
 *
 * @example
 * ```ts
 * await verifyS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM') // true
 * ```
 * @see RFC 7636 §4.6
 * @group Authorization server
 */
export async function verifyS256(verifier: string, challenge: string): Promise<boolean> {
  return timingSafeEqual(await sha256(verifier), challenge)
}
