// Test helper: how the cost of a function grows with the size of its input, as a ratio of two
// timings (never a time: the machine may be slow or shared). A linear parser's ratio is about the
// size ratio; a quadratic one's about its square.

/** A parser under test and how to build its adversarial input of a given size. */
export interface GrowthCase<T> {
  /** Builds the input of size `n` (outside the timed part). */
  readonly make: (n: number) => T
  /** Runs the parser once on `input`. */
  readonly run: (input: T) => unknown
}

export interface GrowthOptions {
  /** The smaller size. */
  readonly n: number
  /** The larger size is `n * factor`. Default 8. */
  readonly factor?: number
  /** Timed repetitions per size; the fastest counts (noise only ever adds time). Default 5. */
  readonly repetitions?: number
  /** A batch of calls on the small input lasts at least this long, so it is well above timer noise. Default 5 ms. */
  readonly minBatchMs?: number
}

async function timeBatch<T>(run: (input: T) => unknown, input: T, calls: number): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < calls; i++) {
    const result = run(input)
    // Await only what is asynchronous: a microtask per call would blur a fast synchronous parser.
    if (result instanceof Promise) await result
  }
  return performance.now() - start
}

/**
 * `time(n * factor) / time(n)`, each the best of several batches of the same number of calls,
 * small and large interleaved so that both see the same load on a shared machine.
 */
export async function growthRatio<T>(testCase: GrowthCase<T>, options: GrowthOptions): Promise<number> {
  const factor = options.factor ?? 8
  const repetitions = options.repetitions ?? 5
  const minBatchMs = options.minBatchMs ?? 5
  const small = testCase.make(options.n)
  const large = testCase.make(options.n * factor)
  // Warm up the JIT on both shapes before anything is timed.
  await timeBatch(testCase.run, small, 3)
  await timeBatch(testCase.run, large, 1)
  let calls = 1
  while ((await timeBatch(testCase.run, small, calls)) < minBatchMs && calls < 1 << 20) calls *= 2
  let bestSmall = Infinity
  let bestLarge = Infinity
  for (let i = 0; i < repetitions; i++) {
    bestSmall = Math.min(bestSmall, await timeBatch(testCase.run, small, calls))
    bestLarge = Math.min(bestLarge, await timeBatch(testCase.run, large, calls))
  }
  return bestLarge / bestSmall
}
