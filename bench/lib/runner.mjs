// Runs every scenario in interleaved rounds against its forked server child, with one load
// generator and the same settings, and collects per-round figures.
import { join } from 'node:path'
import { startChild } from './children.mjs'
import { drive, pools, send } from './load.mjs'
import { percentile } from './stats.mjs'

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * `families`: `{ name: module }` of the throughput files. Resolves `{ scenarios, rounds }` where
 * `rounds[r][scenario]` is `{ rps, p50, p99, cpuUs, count, unexpected }`. With
 * `settings.profile = { dir, intervalUs }`, the child's CPU profiler runs over each measured window
 * only (not the warm-up, not `prepare`), and `rounds[r][scenario].profile` is the file it wrote.
 */
export async function runRounds(families, settings, log = () => {}) {
  const children = {}
  const scenarios = []
  for (const [family, module] of Object.entries(families)) {
    const chosen = module.scenarios.filter((scenario) => settings.only === undefined || settings.only.includes(scenario.name))
    if (chosen.length === 0) continue
    children[family] = await startChild(family, { execArgv: settings.childExecArgv?.(family) ?? [] })
    scenarios.push(...chosen.map((scenario) => ({ ...scenario, family })))
  }
  const open = pools()
  const rounds = []
  const rateSeen = {}
  try {
    for (let round = 0; round < settings.rounds; round++) {
      const figures = {}
      // Rotate the order so no scenario always runs right after the same neighbour.
      const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length])
      for (const scenario of order) {
        const child = children[scenario.family]
        const ctx = { pool: (key) => open.get(child.urls[key]), urls: child.urls }
        const unit = scenario.unit
          ? (input) => scenario.unit(ctx, input)
          : async (input) => {
              const { status, text } = await send(ctx.pool(scenario.server), scenario.request(input, child.urls))
              return status === scenario.expect || `status ${status}: ${text.slice(0, 200)}`
            }
        const warmup = round === 0 ? settings.warmup : settings.rewarm
        // Round 1 also warms up for a number of units: a slow scenario (the flow, one link at a
        // time) otherwise runs each of its functions only a few hundred times before its first
        // measured round, before V8 has optimised them (flow p50 measured 2–4× lower after 10 s
        // of warm-up than after 1 s); a server that has been up for minutes has long done so.
        const warmUnits = round === 0 ? (settings.warmupUnits ?? 0) : 0
        const inputs = scenario.prepared
          ? await child.prepare(scenario.name, inputsFor(rateSeen[scenario.name], warmup + settings.seconds) + warmUnits)
          : undefined
        const warm = await drive(unit, { seconds: warmup, inputs, loops: scenario.loops, minUnits: warmUnits })
        const rest = inputs?.slice(warm.count)
        if (settings.profile) await child.profileStart(settings.profile.intervalUs)
        const before = await child.cpu()
        const run = await drive(unit, { seconds: settings.seconds, inputs: rest, loops: scenario.loops })
        const cpu = (await child.cpu()) - before
        const profile = settings.profile && (await child.profileStop(join(settings.profile.dir, `${scenario.name}-round${round + 1}.cpuprofile`)))
        rateSeen[scenario.name] = run.count / run.elapsed
        figures[scenario.name] = {
          rps: run.count / run.elapsed,
          p50: percentile(run.latencies, 50),
          p99: percentile(run.latencies, 99),
          cpuUs: cpu / run.count,
          count: run.count,
          unexpected: run.unexpected + warm.unexpected,
          exhausted: run.exhausted,
          ...(profile && { profile }),
        }
        const miss = run.firstMiss ?? warm.firstMiss
        log(`round ${round + 1}/${settings.rounds} ${scenario.name}: ${Math.round(run.count / run.elapsed)}/s${miss ? ` (unexpected: ${miss})` : ''}`)
        await pause(settings.settleMs)
      }
      rounds.push(figures)
    }
  } finally {
    await open.close()
    await Promise.all(Object.values(children).map((child) => child.stop()))
  }
  return { scenarios, rounds }
}

/**
 * Single-use inputs for `seconds` of load: twice what the last round's rate needs. (Half as many
 * again ran out when a scenario got faster between rounds: the round then ended early.)
 */
function inputsFor(rate, seconds) {
  return Math.ceil((rate ?? 2_000) * seconds * 2) + 200
}
