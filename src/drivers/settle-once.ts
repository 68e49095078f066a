/**
 * A promise settled from outside, once; `settled()` says whether it was: for an answer that a
 * task gives halfway, before it goes on with work nobody awaits.
 *
 * @module
 */

/** @internal */
export function settleOnce<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void; settled(): boolean } {
  let done = false
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return {
    promise,
    resolve: (value) => void (done || ((done = true), resolve(value))),
    reject: (error) => void (done || ((done = true), reject(error))),
    settled: () => done,
  }
}
