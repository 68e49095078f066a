// Import cost of each entry point: a fresh `node` per import (nothing cached in-process), CPU
// time from process.cpuUsage() and wall time around one dynamic import, median of several runs,
// the entries interleaved so drift on a shared machine hits them alike.
// Run: `node bench/footprint/import-time.mjs [--runs 7] [--json]` after `npm run build`;
// `--dist dist-before,dist` compares the entries of two builds.
import { execFileSync } from 'node:child_process'
import { basename, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

/** An empty module: the floor, what any dynamic import costs in a fresh process. */
export const EMPTY_MODULE = 'data:text/javascript,export{}'
export const ENTRIES = ['reciprocal-oauth', 'reciprocal-oauth/client', 'reciprocal-oauth/server', 'reciprocal-oauth/machines', 'reciprocal-oauth/node']
const child = fileURLToPath(new URL('./import-one.mjs', import.meta.url))

/** An entry's file in a dist/ folder, to compare two builds side by side (`--dist a,b`). */
const fileOf = (dist, specifier) => `${dist}/${specifier === 'reciprocal-oauth' ? 'index' : specifier.slice('reciprocal-oauth/'.length)}.js`

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/**
 * What the table shows: each entry by its name, and for scale the floor and each dependency the
 * package imports at run time (valibot and @noble/hashes are bundled into dist/).
 */
export const DEFAULT_IMPORTS = [EMPTY_MODULE, ...ENTRIES, 'oauth4webapi', 'jose'].map((specifier) => ({
  label: specifier === EMPTY_MODULE ? 'an empty module (the floor)' : `\`${specifier}\``,
  specifier,
}))

/** Each entry of each dist/ folder (compared side by side, interleaved). */
export const importsOf = (dists) =>
  dists.flatMap((dist) => ENTRIES.map((specifier) => ({ label: `${basename(dist)}: \`${specifier}\``, specifier: resolve(fileOf(dist, specifier)) })))

/** Median CPU and wall milliseconds of each import, each in a fresh process, `runs` rounds. */
export function measureImports({ runs = 7, imports = DEFAULT_IMPORTS } = {}) {
  const samples = imports.map(() => [])
  for (let round = 0; round < runs; round++) {
    imports.forEach(({ specifier }, i) => samples[i].push(JSON.parse(execFileSync(process.execPath, [child, specifier], { encoding: 'utf8' }))))
  }
  return imports.map(({ label }, i) => ({
    import: label,
    cpuMs: Math.round(median(samples[i].map((r) => r.cpuMs)) * 10) / 10,
    wallMs: Math.round(median(samples[i].map((r) => r.wallMs)) * 10) / 10,
    runs,
  }))
}

/** A text table of {@link measureImports}'s result. */
export function formatImports(rows) {
  return ['| import | CPU ms (median) | wall ms (median) |', '|---|---|---|', ...rows.map((r) => `| ${r.import} | ${r.cpuMs.toFixed(1)} | ${r.wallMs.toFixed(1)} |`)].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, dist: { type: 'string' }, json: { type: 'boolean', default: false } } })
  const imports = values.dist === undefined ? DEFAULT_IMPORTS : importsOf(values.dist.split(','))
  const rows = measureImports({ runs: Number(values.runs), imports })
  console.log(values.json ? JSON.stringify(rows) : formatImports(rows))
}
