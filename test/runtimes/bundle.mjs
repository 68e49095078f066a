// Bundles the portable scenario (scenario.mjs) once, into one ES module that every runtime loads,
// and writes beside it the few lines that run it on Node, Deno and Bun (main.mjs).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'

const ROOT = join(import.meta.dirname, '..', '..')

/** What the script runtimes run: the scenario, then its steps and the runtime's version as JSON. */
const MAIN = `import { runScenario } from './scenario.mjs'
const version = globalThis.Deno?.version.deno ?? globalThis.Bun?.version ?? globalThis.process.versions.node
console.log(JSON.stringify({ version, steps: await runScenario() }))
`

/**
 * Writes `dir/scenario.mjs` and `dir/main.mjs`. The package comes from the built `dist/`, bundled
 * in with its dependencies (a self-contained file, as workerd and a browser page need), or, with
 * `external`, is left an import for Node to resolve from where the files sit (an installed tarball).
 */
export async function bundleScenario(dir, { external = false } = {}) {
  await build({
    entryPoints: [join(ROOT, 'test', 'runtimes', 'scenario.mjs')],
    outfile: join(dir, 'scenario.mjs'),
    bundle: true,
    format: 'esm',
    // Web standards only: jose's and oauth4webapi's browser builds, no Node built-in.
    platform: 'browser',
    target: 'es2022',
    logLevel: 'error',
    ...(external ? { external: ['reciprocal-oauth'] } : { alias: { 'reciprocal-oauth': join(ROOT, 'dist', 'index.js') } }),
  })
  writeFileSync(join(dir, 'main.mjs'), MAIN)
  return { scenario: join(dir, 'scenario.mjs'), main: join(dir, 'main.mjs') }
}
