/**
 * Constant-time comparison for secrets and hashes (SPEC R7.4).
 *
 * @module
 */

/**
 * Compares two strings in time that depends only on their lengths, not on where they differ.
 * Compare hashes or equal-length encodings of secrets so that the length itself is not secret.
 *
 * @example
 * ```ts
 * timingSafeEqual(presentedSecretHash, storedSecretHash) // true or false
 * ```
 * @group Protocol
 */
export function timingSafeEqual(a: string, b: string): boolean {
  // UTF-16 code units compare as well as UTF-8 bytes do, without encoding either string first.
  // Walk the longer input entirely so the time does not reveal the common prefix.
  const length = Math.max(a.length, b.length)
  let diff = a.length ^ b.length
  for (let i = 0; i < length; i++) {
    diff |= (i < a.length ? a.charCodeAt(i) : 0) ^ (i < b.length ? b.charCodeAt(i) : 0)
  }
  return diff === 0
}
