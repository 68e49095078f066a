/**
 * Hashing secrets before they reach storage (SPEC R3.1, R7.2): storage keys and records hold the
 * SHA-256 of a code or token, never the code or token itself.
 *
 * Synchronous on purpose: `crypto.subtle.digest` goes through the runtime's async job queue and
 * costs tens of microseconds per short string, where a synchronous SHA-256 takes about one. The
 * pure implementation of `@noble/hashes` (audited, no dependencies) runs on every runtime.
 *
 * @module
 */
import { sha256 as sha256Bytes } from '@noble/hashes/sha2.js'
import { base64url } from './encoding.js'

const encoder = new TextEncoder()

/**
 * SHA-256 of a UTF-8 string, base64url-encoded.
 *
 * @example
 * ```ts
 * sha256('abc') // 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'
 * ```
 * @group Crypto
 */
export function sha256(value: string): string {
  return base64url(sha256Bytes(utf8(value)))
}

/**
 * The UTF-8 bytes of `value`. Codes, tokens and secrets are ASCII: copied byte for byte, which
 * for a short string is several times faster than a call into `TextEncoder`.
 */
function utf8(value: string): Uint8Array {
  const bytes = new Uint8Array(value.length)
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i)
    if (unit > 0x7f) return encoder.encode(value)
    bytes[i] = unit
  }
  return bytes
}

/** How many digests one memo keeps: far more secrets than a deployment registers clients. */
const MEMO_ENTRIES = 1024

/**
 * A SHA-256 that remembers its answers, for values that never change — a registered client
 * secret is hashed once per process, not on every request. Owned by the instance that creates it
 * (DESIGN: caches belong to an instance, never to the module), and bounded: past
 * `MEMO_ENTRIES` values it forgets the oldest, so a registry that rotates secrets cannot grow it.
 * It is keyed by the values themselves: give it only values already held in memory (a registered
 * secret from the client registry), never what a request presents.
 *
 * @example
 * ```ts
 * const registeredSecretDigest = memoizedSha256()
 * registeredSecretDigest('s3cret') === sha256('s3cret') // true, and hashed once
 * ```
 * @group Crypto
 */
export function memoizedSha256(): (value: string) => string {
  const digests = new Map<string, string>()
  return (value) => {
    let digest = digests.get(value)
    if (digest === undefined) {
      digest = sha256(value)
      if (digests.size >= MEMO_ENTRIES) digests.delete(digests.keys().next().value as string)
      digests.set(value, digest)
    }
    return digest
  }
}
