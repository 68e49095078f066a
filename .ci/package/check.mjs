// The package as users get it: `npm pack` once, then publint, attw, the consumer matrix
// (.ci/package/consumers.mjs) and the sizes, all on that tarball. Run after `npm run build`:
// `npm run check:package`. Exits 1 when one of them fails.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { install, loadAll, typecheckAll } from './consumers.mjs'
import { attwProblems } from './attw.mjs'
import { bundleScenario } from '../../test/runtimes/bundle.mjs'

const ROOT = join(import.meta.dirname, '..', '..')
const bin = (name) => join(ROOT, 'node_modules', '.bin', name)
const scratch = mkdtempSync(join(tmpdir(), 'reciprocal-oauth-package-'))
let failed = false

try {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: ROOT, encoding: 'utf8' }))
  const tarball = join(scratch, packed.filename)
  console.log(`package: ${packed.files.length} files, ${kb(packed.size)} packed, ${kb(packed.unpackedSize)} unpacked`)

  // publint --strict: warnings fail too.
  execFileSync(bin('publint'), ['run', tarball, '--strict'], { cwd: ROOT, stdio: 'inherit' })

  const problems = attwProblems(bin('attw'), tarball)
  console.log(problems.length === 0 ? 'attw: no problem in any resolution mode' : `attw:\n${problems.map((line) => `  ${line}`).join('\n')}`)
  failed ||= problems.length > 0

  install(tarball, scratch)
  // The maps name the original files and lines without a copy of the sources (tsup.config.ts).
  const dist = join(scratch, 'node_modules', 'reciprocal-oauth', 'dist')
  const embedding = readdirSync(dist).filter((file) => file.endsWith('.map') && 'sourcesContent' in JSON.parse(readFileSync(join(dist, file), 'utf8')))
  if (embedding.length > 0) throw new Error(`source maps with embedded sources: ${embedding.join(', ')}`)
  const { passed, lines } = await typecheckAll(scratch)
  console.log(`consumers (tsc, skipLibCheck false):\n${lines.map((line) => `  ${line}`).join('\n')}`)
  failed ||= !passed
  console.log(`runtime: ${loadAll(scratch)} loads of the installed tarball (require and import) ok`)
  // The runtime matrix's scenario (test/runtimes/) on Node, importing the installed tarball.
  const { main } = await bundleScenario(scratch, { external: true })
  const { steps } = JSON.parse(execFileSync(process.execPath, [main], { cwd: scratch, encoding: 'utf8' }).trim().split('\n').at(-1))
  console.log(`scenario on the installed tarball: ${steps.join(' + ')} ok`)
} catch (error) {
  failed = true
  console.error(error.message)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)

function kb(bytes) {
  return `${(bytes / 1000).toFixed(1)} kB`
}
