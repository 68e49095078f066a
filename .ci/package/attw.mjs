// @arethetypeswrong/cli on the tarball, in every resolution mode it checks (node10, node16 from
// CommonJS, node16 from ESM, bundler): every problem it finds fails, but one. `/testing` has no
// CommonJS build, on purpose: it registers vitest tests, and vitest is ESM only (a CommonJS test
// file `import()`s it, which resolves; the consumer matrix checks that).
import { execFileSync } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const EXPECTED = [{ kind: 'NoResolution', entrypoint: './testing', resolutionKind: 'node16-cjs' }]

/** attw's problems with the tarball, one line each, less the expected one (which must still be there: else drop it). */
export function attwProblems(attw, tarball) {
  // To a file: a pipe loses the end of a long report when attw exits.
  const report = join(tarball, '..', 'attw.json')
  const output = openSync(report, 'w')
  try {
    execFileSync(attw, [tarball, '--format', 'json'], { stdio: ['ignore', output, 'inherit'] })
  } catch {
    // attw exits 1 when it finds a problem, the expected one included: the report says which.
  } finally {
    closeSync(output)
  }
  const { analysis } = JSON.parse(readFileSync(report, 'utf8'))
  const same = (a, b) => a.kind === b.kind && a.entrypoint === b.entrypoint && a.resolutionKind === b.resolutionKind
  const unexpected = analysis.problems.filter((problem) => !EXPECTED.some((expected) => same(problem, expected)))
  const missing = EXPECTED.filter((expected) => !analysis.problems.some((problem) => same(problem, expected)))
  return [
    ...unexpected.map((problem) => `${problem.kind} ${problem.entrypoint ?? ''} ${problem.resolutionKind ?? ''} ${problem.fileName ?? ''}`.trim()),
    ...missing.map((problem) => `expected ${problem.kind} for ${problem.entrypoint} (${problem.resolutionKind}) is gone: remove it from .ci/package/attw.mjs`),
  ]
}
