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

const strict = Boolean(process.env['CI'])
let failed = false
for (const [name, runScenario] of Object.entries(RUNTIMES)) {
  const started = performance.now()
  try {
    const result = await runScenario(files)
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
