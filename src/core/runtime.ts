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
 * @see docs/architecture.md (the sans-I/O core: time and randomness are injected)
 * @group Runtime
 */
export interface Runtime {
  /** Current time in whole seconds since the epoch. */
  now(): number
  /** `n` cryptographically secure random bytes. */
  randomBytes(n: number): Uint8Array
  /**
   * Resolves after `ms` milliseconds: every wait of the drivers — for a link's lease that
   * another worker holds, between retries of an outbound request (unless the peer's
   * `retry.sleep` says otherwise) — goes through it. Optional: the default is
   * {@link systemRuntime}'s real timer. A test passes one that advances its clock, so a lapsed
   * lease is reached without sleeping.
   */
  sleep?(ms: number): Promise<void>
}

/** Bytes drawn from the system's generator at once: one call instead of one per secret. */
const RANDOM_POOL_BYTES = 4096

/**
 * Web Crypto's random bytes, drawn in blocks. Each `getRandomValues` call costs a few
 * microseconds whatever its size (a system call on some kernels), so drawing 4 KB at once and
 * handing out slices makes a 32-byte secret about a hundred times cheaper. Every byte is handed
 * out once, as a copy, and wiped from the pool as it leaves; requests larger than the pool get
 * their own call.
 */
function pooledRandomBytes(): (n: number) => Uint8Array {
  const pool = new Uint8Array(RANDOM_POOL_BYTES)
  let used = RANDOM_POOL_BYTES
  return (n) => {
    if (n > RANDOM_POOL_BYTES) return largeRandomBytes(n)
    if (used + n > RANDOM_POOL_BYTES) {
      crypto.getRandomValues(pool)
      used = 0
    }
    const bytes = pool.slice(used, used + n)
    pool.fill(0, used, used + n)
    used += n
    return bytes
  }
}

/** Web Crypto fills at most 64 KiB per call: a larger draw is filled a block at a time. */
function largeRandomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n)
  for (let offset = 0; offset < n; offset += 65_536) crypto.getRandomValues(bytes.subarray(offset, offset + 65_536))
  return bytes
}

/**
 * The default runtime: `Date.now()`, a `setTimeout` timer and Web Crypto's `getRandomValues`
 * (drawn 4 KB at a time and handed out in slices, each byte once).
 *
 * @example
 * ```ts
 * systemRuntime.now() // whole seconds since the epoch, e.g. 1700000000
 * systemRuntime.randomBytes(32).byteLength // 32
 * await systemRuntime.sleep(10) // ten real milliseconds later
 * ```
 * @see SPEC R3.1 (codes draw on the cryptographic random source), docs/architecture.md
 * @group Runtime
 */
export const systemRuntime: Required<Runtime> = {
  now: () => Math.floor(Date.now() / 1000),
  randomBytes: pooledRandomBytes(),
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
