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

/** The block of system randomness {@link systemRuntime} hands out from, and how much of it is used. */
const RANDOM_BLOCK_BYTES = 1024
let randomBlock = new Uint8Array(0)
let randomUsed = 0

/**
 * `n` bytes of Web Crypto randomness, drawn from the system a block at a time: one
 * `getRandomValues` call costs about as much for 1 KiB as for 16 bytes (7 µs on Node 20, a native
 * job each time), and a request takes several (codes, tokens, grant ids). Each byte is handed out
 * once, as a copy, and zeroed in the block. Large requests go straight to the system.
 */
function randomBytes(n: number): Uint8Array {
  if (n > RANDOM_BLOCK_BYTES / 8) return crypto.getRandomValues(new Uint8Array(n))
  if (randomUsed + n > randomBlock.length) {
    randomBlock = crypto.getRandomValues(new Uint8Array(RANDOM_BLOCK_BYTES))
    randomUsed = 0
  }
  const bytes = randomBlock.slice(randomUsed, randomUsed + n)
  randomBlock.fill(0, randomUsed, randomUsed + n)
  randomUsed += n
  return bytes
}

/**
 * The default runtime: `Date.now()`, a `setTimeout` timer and Web Crypto's `getRandomValues`
 * (drawn a block at a time, each byte handed out once).
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
  randomBytes,
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
