/**
 * The injected clock, timer and random source. Pure code receives their *values* (a time, some
 * bytes); only the shell calls them, so tests move time instead of sleeping.
 *
 * @module
 */

/**
 * Clock, timer and randomness for the shell (DESIGN §3).
 *
 * @example
 * ```ts
 * let t = 1_700_000_000
 * const runtime: Runtime = {
 *   now: () => t,
 *   randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
 *   sleep: async (ms) => void (t += Math.ceil(ms / 1000)), // waiting moves the test's clock
 * }
 * t += 61 // the code is now expired
 * ```
 * @group Runtime
 */
export interface Runtime {
  /** Current time in whole seconds since the epoch. */
  now(): number
  /** `n` cryptographically secure random bytes. */
  randomBytes(n: number): Uint8Array
  /**
   * Resolves after `ms` milliseconds: every wait of the drivers (e.g. for a link's lease that
   * another worker holds) goes through it. Optional: the default is {@link systemRuntime}'s real
   * timer. A test passes one that advances its clock, so a lapsed lease is reached without sleeping.
   */
  sleep?(ms: number): Promise<void>
}

/**
 * The default runtime: `Date.now()`, a `setTimeout` timer and Web Crypto's `getRandomValues`.
 *
 * @example
 * ```ts
 * systemRuntime.now() // whole seconds since the epoch, e.g. 1700000000
 * systemRuntime.randomBytes(32).byteLength // 32
 * await systemRuntime.sleep(10) // ten real milliseconds later
 * ```
 * @group Runtime
 */
export const systemRuntime: Required<Runtime> = {
  now: () => Math.floor(Date.now() / 1000),
  randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

/**
 * Waits `ms` milliseconds on `runtime`'s timer, or the system's when it has none.
 *
 * @internal
 */
export function sleep(runtime: Runtime, ms: number): Promise<void> {
  return runtime.sleep === undefined ? systemRuntime.sleep(ms) : runtime.sleep(ms)
}
