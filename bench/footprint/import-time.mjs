// Import cost of each entry point: a fresh `node` per import (nothing cached in-process), CPU
// time from process.cpuUsage() and wall time around one dynamic import, median of several runs,
// the entries interleaved so drift on a shared machine hits them alike.
// Run: `node bench/footprint/import-time.mjs [--runs 7] [--json]` after `npm run build`.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

/** An empty module: the floor, what any dynamic import costs in a fresh process. */
export const EMPTY_MODULE = 'data:text/javascript,export{}'
export const ENTRIES = ['reciprocal-oauth', 'reciprocal-oauth/client', 'reciprocal-oauth/server', 'reciprocal-oauth/machines', 'reciprocal-oauth/node']
const child = fileURLToPath(new URL('./import-one.mjs', import.meta.url))

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Median CPU and wall milliseconds of importing each entry (and the floor, and each dependency alone for scale). */
export function measureImports({ runs = 7, specifiers = [EMPTY_MODULE, ...ENTRIES, 'oauth4webapi', 'jose', 'valibot'] } = {}) {
  const samples = new Map(specifiers.map((s) => [s, []]))
  for (let round = 0; round < runs; round++) {
    for (const specifier of specifiers) {
      samples.get(specifier).push(JSON.parse(execFileSync(process.execPath, [child, specifier], { encoding: 'utf8' })))
    }
  }
  return specifiers.map((specifier) => {
    const runsOf = samples.get(specifier)
    return {
      specifier,
      cpuMs: Math.round(median(runsOf.map((r) => r.cpuMs)) * 10) / 10,
      wallMs: Math.round(median(runsOf.map((r) => r.wallMs)) * 10) / 10,
      runs,
    }
  })
}

/** A text table of {@link measureImports}'s result. */
export function formatImports(rows) {
  return [
    '| import | CPU ms (median) | wall ms (median) |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.specifier === EMPTY_MODULE ? 'an empty module (the floor)' : `\`${r.specifier}\``} | ${r.cpuMs.toFixed(1)} | ${r.wallMs.toFixed(1)} |`),
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, json: { type: 'boolean', default: false } } })
  const rows = measureImports({ runs: Number(values.runs) })
  console.log(values.json ? JSON.stringify(rows) : formatImports(rows))
}
