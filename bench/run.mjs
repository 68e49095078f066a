// `npm run bench`: every throughput scenario side by side, interleaved in rounds, servers in forked
// children; prints a Markdown table and one JSON line. `--smoke`: one short round of each, to
// prove the bench still runs. See docs/benchmarks.md.
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { loadFamilies } from './lib/families.mjs'
import { CONNECTIONS } from './lib/load.mjs'
import { summarise, table } from './lib/report.mjs'
import { runRounds } from './lib/runner.mjs'

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    'warmup-units': { type: 'string' },
    only: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    'no-footprint': { type: 'boolean', default: false },
  },
})

const root = new URL('../', import.meta.url)
if (!existsSync(new URL('dist/index.js', root))) execSync('npm run build', { cwd: root, stdio: 'inherit' })

const families = await loadFamilies()

const settings = args.smoke
  ? { rounds: 1, warmup: 0.1, rewarm: 0.1, seconds: 0.2, settleMs: 20 }
  : { rounds: 5, warmup: 1, warmupUnits: 1_000, rewarm: 0.25, seconds: 1, settleMs: 100 }
if (args.rounds) settings.rounds = Number(args.rounds)
if (args.seconds) settings.seconds = Number(args.seconds)
if (args.warmup) settings.warmup = Number(args.warmup)
if (args['warmup-units']) settings.warmupUnits = Number(args['warmup-units'])
if (args.only) settings.only = args.only.split(',')

const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` }
const log = args.quiet ? () => {} : (line) => process.stderr.write(`${line}\n`)
log(`bench: ${machine.cpu} × ${machine.cores}, Node ${machine.node}; ${settings.rounds} rounds, ${settings.warmup} s and at least ${settings.warmupUnits ?? 0} units of warm-up (${settings.rewarm} s after round 1), ${settings.seconds} s measured, ${CONNECTIONS} connections`)

const started = performance.now()
const result = await runRounds(families, settings, log)
const summary = summarise(result)
console.log(table(summary))
console.log(JSON.stringify({ machine, settings: { ...settings, connections: CONNECTIONS }, seconds: (performance.now() - started) / 1000, scenarios: summary }))

// The footprint (bench/footprint): bundle sizes, import time, memory per linked user. In the full
// run the memory ladder gets what the three-minute budget leaves (1 K and 10 K links here; the
// 100 K step: `npm run bench:footprint -- --budget-seconds Infinity`).
if (!args['no-footprint'] && args.only === undefined) {
  const { formatFootprint, measureFootprint } = await import('./footprint/index.mjs')
  log('bench: footprint (sizes, import time, memory per link)')
  const footprint = await measureFootprint(args.smoke ? { links: [200], importRuns: 1, budgetSeconds: 10 } : { links: [1_000, 10_000, 100_000], importRuns: 5, budgetSeconds: 25 })
  console.log(formatFootprint(footprint))
  console.log(JSON.stringify({ footprint }))
}

const missed = Object.entries(summary).filter(([, s]) => s.unexpected > 0)
if (missed.length > 0) {
  console.error(`bench: unexpected answers in ${missed.map(([name]) => name).join(', ')}`)
  process.exitCode = 1
}
