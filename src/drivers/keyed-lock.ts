/**
 * In-process coordination for the drivers: one operation at a time per link, and single-flight
 * token refresh (SPEC R8.2). Owned by a driver instance, never module state.
 *
 * @module
 */

/**
 * Runs tasks one after another per key.
 *
 * @internal
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>()

  /** Whether a task of `key` is running or waiting now. */
  busy(key: string): boolean {
    return this.#tails.has(key)
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const result = previous.then(task, task)
    const tail = result.then(
      () => undefined,
      () => undefined,
    )
    this.#tails.set(key, tail)
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return result
  }
}

/**
 * Shares one in-flight promise per key: concurrent callers of the same key get the same result.
 *
 * @internal
 */
export class SingleFlight {
  readonly #inFlight = new Map<string, Promise<unknown>>()

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const existing = this.#inFlight.get(key)
    if (existing) return existing as Promise<T>
    const promise = task().finally(() => this.#inFlight.delete(key))
    this.#inFlight.set(key, promise)
    return promise
  }
}
