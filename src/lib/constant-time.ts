/**
 * Constant-time comparison for secrets and hashes (SPEC R7.4).
 *
 * @module
 */

const encoder = new TextEncoder()

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
  const left = encoder.encode(a)
  const right = encoder.encode(b)
  // Walk the longer input entirely so the time does not reveal the common prefix.
  const length = Math.max(left.length, right.length)
  let diff = left.length ^ right.length
  for (let i = 0; i < length; i++) {
    diff |= (left[i] ?? 0) ^ (right[i] ?? 0)
  }
  return diff === 0
}
