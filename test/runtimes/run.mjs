// `npm run test:runtimes`: the portable scenario (scenario.mjs), bundled once from the built dist/,
// on each runtime of the matrix (runtimes.mjs), one after the other; one line each. Exits 1 when a
// runtime fails, or, under CI=true, when one is missing (elsewhere a missing one is only reported).
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { bundleScenario } from './bundle.mjs'
import { RUNTIMES } from './runtimes.mjs'

const ROOT = join(import.meta.dirname, '..', '..')
if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('test:runtimes runs the built package: run `npm run build` first')
  process.exit(1)
}
// Inside node_modules, so that the files there resolve the repository's packages.
const dir = join(ROOT, 'node_modules', '.cache', 'reciprocal-oauth-runtimes')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
const files = { dir, ...(await bundleScenario(dir)) }

// CI as test/storage/backends.ts reads it: set, and not empty, 0 or false.
const ci = process.env['CI']
const strict = ci !== undefined && !['', '0', 'false'].includes(ci.toLowerCase())
// A runtime that hangs (a worker that never answers, a page that never reports) fails its line
// instead of stalling CI; Node 22's first run downloads it, hence the margin.
const TIMEOUT_MS = 180_000
const withinTimeout = (run) => {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result after ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS)
  })
  return Promise.race([run, timeout]).finally(() => clearTimeout(timer))
}
let failed = false
for (const [name, runScenario] of Object.entries(RUNTIMES)) {
  const started = performance.now()
  try {
    const result = await withinTimeout(runScenario(files))
    if ('missing' in result) {
      failed ||= strict
      console.log(`${name.padEnd(9)} ${''.padEnd(16)} missing (${result.missing})`)
      continue
    }
    const ms = Math.round(performance.now() - started)
    console.log(`${name.replace(/\d+$/, '').padEnd(9)} ${result.version.padEnd(16)} pass    (${result.steps.join(' + ')}, ${ms} ms)`)
  } catch (error) {
    failed = true
    console.log(`${name.padEnd(9)} ${''.padEnd(16)} FAIL    (${String(error.message).split('\n')[0]})`)
    console.error(error)
  }
}
rmSync(dir, { recursive: true, force: true })
process.exit(failed ? 1 : 0)
