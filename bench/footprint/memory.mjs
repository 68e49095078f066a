// Memory per linked user: both parties in one process on the memory store, N users linked
// through every protocol step (two-parties-in-process.mjs), heap measured after a full GC.
// Run with `node --expose-gc bench/footprint/memory.mjs [--links 1000,10000,100000]
// [--budget-seconds S] [--concurrency C] [--json]`.
import { PerformanceObserver } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { twoPartiesInProcess } from './two-parties-in-process.mjs'

const WINDOW = 1_000
const WARM_UP = 300

/** The heap in use after a full collection (twice: finalizers of the first free more). */
function settledHeap() {
  globalThis.gc()
  globalThis.gc()
  return process.memoryUsage().heapUsed
}

/**
 * Links users one after another (`concurrency` in flight) up to each checkpoint in `ladder`,
 * and at each one reports the heap per linked user and the rate of the last 1,000 links. Stops
 * early, saying so, when the next checkpoint would not be reached within `budgetSeconds` at the
 * rate measured so far.
 */
export async function measureMemory({ ladder = [1_000, 10_000, 100_000], budgetSeconds = Infinity, concurrency = 16 } = {}) {
  if (typeof globalThis.gc !== 'function') throw new Error('run node with --expose-gc')
  const parties = twoPartiesInProcess()
  // Warm up: the baseline then holds the optimised code and the warm-up users' records, which
  // are not counted (compiled code would otherwise show up as bytes per user at small N).
  for (let i = 0; i < WARM_UP; i++) await parties.link(`warm-up-${i}-at-assistant`, `warm-up-${i}-at-music`)
  const baseline = settledHeap()
  const entriesBefore = parties.storageA.stats().entries + parties.storageB.stats().entries
  // Time in garbage collection, to tell a slower link from a larger heap to collect.
  let gcMs = 0
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration
  })
  gcObserver.observe({ entryTypes: ['gc'] })
  const started = performance.now()
  const checkpoints = []
  let linked = 0
  let windowStart = 0
  let windowCpu = process.cpuUsage()
  let windowGcMs = 0
  for (const target of ladder) {
    const elapsed = (performance.now() - started) / 1000
    const rate = linked / Math.max(elapsed, 1e-9)
    const needed = linked === 0 ? 0 : (target - linked) / rate
    if (elapsed + needed > budgetSeconds) {
      checkpoints.push({ links: target, skipped: `needs about ${Math.round(needed)} s more at ${Math.round(rate)} links/s; budget ${budgetSeconds} s` })
      break
    }
    // The rate of the last WINDOW links before the checkpoint (all of them, if fewer).
    const windowFrom = Math.max(linked, target - WINDOW)
    const startWindow = () => {
      windowStart = performance.now()
      windowCpu = process.cpuUsage()
      windowGcMs = gcMs
    }
    if (windowFrom === linked) startWindow()
    let next = linked
    const worker = async () => {
      while (next < target) {
        const i = next++
        await parties.link(`user-${i}-at-assistant`, `user-${i}-at-music`)
        if (++linked === windowFrom) startWindow()
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    const windowLinks = target - windowFrom
    const windowSeconds = (performance.now() - windowStart) / 1000
    const cpu = process.cpuUsage(windowCpu)
    // GC entries of the window's last collections are delivered asynchronously: let them arrive.
    await new Promise((resolve) => setImmediate(resolve))
    const windowGc = gcMs - windowGcMs
    const heap = settledHeap()
    const entries = parties.storageA.stats().entries + parties.storageB.stats().entries - entriesBefore
    checkpoints.push({
      links: target,
      heapBytes: heap - baseline,
      bytesPerLink: Math.round((heap - baseline) / target),
      entriesPerLink: entries / target,
      lastWindowLinksPerSecond: Math.round(windowLinks / windowSeconds),
      lastWindowCpuMicrosPerLink: Math.round((cpu.user + cpu.system) / windowLinks),
      lastWindowGcMicrosPerLink: Math.round((windowGc * 1000) / windowLinks),
      elapsedSeconds: Math.round((performance.now() - started) / 100) / 10,
    })
  }
  gcObserver.disconnect()
  return { concurrency, checkpoints }
}

/** A text table of {@link measureMemory}'s result. */
export function formatMemory({ checkpoints }) {
  const rows = checkpoints.map((c) =>
    c.skipped
      ? `| ${c.links.toLocaleString('en')} | not measured: ${c.skipped} | | | | |`
      : `| ${c.links.toLocaleString('en')} | ${c.bytesPerLink.toLocaleString('en')} | ${c.entriesPerLink.toFixed(1)} | ${c.lastWindowLinksPerSecond.toLocaleString('en')} | ${c.lastWindowCpuMicrosPerLink.toLocaleString('en')} | ${c.lastWindowGcMicrosPerLink.toLocaleString('en')} |`,
  )
  return [
    '| linked users | heap bytes per user (A + B) | stored entries per user | links/s (last ≤ 1,000) | CPU µs per link (last ≤ 1,000) | of which GC µs |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      links: { type: 'string', default: '1000,10000,100000' },
      'budget-seconds': { type: 'string', default: 'Infinity' },
      concurrency: { type: 'string', default: '16' },
      json: { type: 'boolean', default: false },
    },
  })
  const result = await measureMemory({
    ladder: values.links.split(',').map(Number),
    budgetSeconds: Number(values['budget-seconds']),
    concurrency: Number(values.concurrency),
  })
  console.log(values.json ? JSON.stringify(result) : formatMemory(result))
}
