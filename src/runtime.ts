/**
 * The injected clock and random source. Pure code receives their *values* (a time, some bytes);
 * only the shell calls them, so tests move time instead of sleeping.
 *
 * @module
 */

/**
 * Clock and randomness for the shell (DESIGN §3).
 *
 * @example
 * ```ts
 * let t = 1_700_000_000
 * const runtime: Runtime = { now: () => t, randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)) }
 * t += 61 // the code is now expired
 * ```
 * @group Runtime
 */
export interface Runtime {
  /** Current time in whole seconds since the epoch. */
  now(): number
  /** `n` cryptographically secure random bytes. */
  randomBytes(n: number): Uint8Array
}

/**
 * The default runtime: `Date.now()` and Web Crypto's `getRandomValues`.
 *
 * @example
 * ```ts
 * systemRuntime.now() // whole seconds since the epoch, e.g. 1700000000
 * systemRuntime.randomBytes(32).byteLength // 32
 * ```
 * @group Runtime
 */
export const systemRuntime: Runtime = {
  now: () => Math.floor(Date.now() / 1000),
  randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
}
