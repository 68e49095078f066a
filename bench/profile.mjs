// `node bench/profile.mjs <scenario> [--seconds 5] [--warmup 1] [--warmup-units 1000] [--interval-us 1000] [--top 25]`:
// runs one scenario of `npm run bench` with V8's CPU profiler on in its server child over the
// measured window only (the child's `prepare` and the warm-up stay out), then prints the frames
// and packages with the most self time.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { summariseProfile } from './lib/cpu-profile.mjs'
import { loadFamilies } from './lib/families.mjs'
import { runRounds } from './lib/runner.mjs'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { seconds: { type: 'string', default: '5' }, warmup: { type: 'string', default: '1' }, 'warmup-units': { type: 'string', default: '1000' }, 'interval-us': { type: 'string' }, top: { type: 'string', default: '25' } },
})
const [scenario] = positionals
const families = await loadFamilies()
const family = Object.keys(families).find((f) => families[f].scenarios.some((s) => s.name === scenario))
if (family === undefined) {
  console.error(`usage: node bench/profile.mjs <scenario> [--seconds 5] [--warmup 1] [--warmup-units 1000] [--interval-us 1000] [--top 25]; scenarios: ${Object.values(families).flatMap((m) => m.scenarios.map((s) => s.name)).join(', ')}`)
  process.exit(2)
}

const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'))
const intervalUs = values['interval-us'] === undefined ? undefined : Number(values['interval-us'])
const settings = { rounds: 1, warmup: Number(values.warmup), warmupUnits: Number(values['warmup-units']), rewarm: 0, seconds: Number(values.seconds), settleMs: 0, only: [scenario], profile: { dir, intervalUs } }
const { rounds } = await runRounds({ [family]: families[family] }, settings)
const { rps, cpuUs, profile: file } = rounds[0][scenario]
const { busyMs, frames, packages } = summariseProfile(file, Number(values.top))
console.log(`${scenario}: ${Math.round(rps)} req/s under the profiler, ${Math.round(cpuUs)} µs CPU per request; ${Math.round(busyMs)} ms busy on the server child's main thread (${file})`)
console.log('\nself time by package:')
console.log(packages.join('\n'))
console.log('\ntop frames by self time:')
console.log(frames.join('\n'))
