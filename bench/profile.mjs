// `node bench/profile.mjs <scenario> [--seconds 5]`: runs one scenario of `npm run bench` with its
// server child under `node --cpu-prof`, then prints the frames and packages with the most self time.
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { summariseProfile } from './lib/cpu-profile.mjs'
import { loadFamilies } from './lib/families.mjs'
import { runRounds } from './lib/runner.mjs'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seconds: { type: 'string', default: '5' } } })
const [scenario] = positionals
const families = await loadFamilies()
const family = Object.keys(families).find((f) => families[f].scenarios.some((s) => s.name === scenario))
if (family === undefined) {
  console.error(`usage: node bench/profile.mjs <scenario> [--seconds 5]; scenarios: ${Object.values(families).flatMap((m) => m.scenarios.map((s) => s.name)).join(', ')}`)
  process.exit(2)
}

const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'))
const settings = { rounds: 1, warmup: 1, rewarm: 0, seconds: Number(values.seconds), settleMs: 0, only: [scenario], childExecArgv: () => ['--cpu-prof', '--cpu-prof-dir', dir] }
const { rounds } = await runRounds({ [family]: families[family] }, settings)
const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))
const { busyMs, frames, packages } = summariseProfile(join(dir, file))
console.log(`${scenario}: ${Math.round(rounds[0][scenario].rps)} req/s under the profiler; ${Math.round(busyMs)} ms busy in the server child (${join(dir, file)})`)
console.log('\nself time by package:')
console.log(packages.join('\n'))
console.log('\ntop frames by self time:')
console.log(frames.join('\n'))
