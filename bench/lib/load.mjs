// The load generator: `connections` concurrent loops, each running one unit of work (a request,
// or a whole flow of requests) after the other until the time is up or the inputs run out.
import { Pool } from 'undici'

export const CONNECTIONS = 16

/** One undici pool per origin, kept for the whole run (connections stay open across rounds). */
export function pools() {
  const open = new Map()
  return {
    get: (origin) => {
      if (!open.has(origin)) open.set(origin, new Pool(origin, { connections: CONNECTIONS, pipelining: 1 }))
      return open.get(origin)
    },
    close: () => Promise.all([...open.values()].map((pool) => pool.close())),
  }
}

export { send } from './fixtures.mjs'

/**
 * Runs `unit(input)` from `loops` concurrent loops (default `CONNECTIONS`) for `seconds`, and until
 * at least `minUnits` units have started. `inputs` is an array consumed one
 * per unit (single-use codes) or `undefined` (endless). `unit` resolves `true` when the answer was
 * the expected one. Resolves the count, the elapsed seconds, the latencies (ms) and the misses.
 */
export async function drive(unit, { seconds, inputs, loops = CONNECTIONS, minUnits = 0 }) {
  const latencies = []
  let next = 0
  let unexpected = 0
  let firstMiss
  const started = performance.now()
  const deadline = started + seconds * 1000
  const loop = async () => {
    while (performance.now() < deadline || next < minUnits) {
      if (inputs !== undefined && next >= inputs.length) return
      const input = inputs === undefined ? next++ : inputs[next++]
      const t0 = performance.now()
      let ok
      try {
        ok = await unit(input)
      } catch (error) {
        ok = error
      }
      latencies.push(performance.now() - t0)
      if (ok !== true) {
        unexpected++
        firstMiss ??= ok
      }
    }
  }
  await Promise.all(Array.from({ length: loops }, loop))
  const elapsed = (performance.now() - started) / 1000
  return { count: latencies.length, elapsed, latencies, unexpected, firstMiss, exhausted: inputs !== undefined && next >= inputs.length }
}
