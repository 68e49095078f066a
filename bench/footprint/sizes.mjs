// Bundle size per role: what an application that uses one role ships, bundled from dist/ with
// its dependencies by esbuild (minified, tree-shaken, for the browser), then gzipped. The
// metafile says how many minified bytes each package contributes.
// Run: `node bench/footprint/sizes.mjs [--json] [--check]` after `npm run build`. With --check
// it compares each role with size-budgets.json and exits 1 when one is over its budget.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const packageRoot = fileURLToPath(new URL('../..', import.meta.url))
const budgetsFile = fileURLToPath(new URL('./size-budgets.json', import.meta.url))

/** Each role: the imports an application of that role makes (what it calls, kept alive by `use`). */
export const ROLES = {
  'party A app': `import { createPartyA, createAuthorizationServer, ClientSecretBasic } from 'reciprocal-oauth'
use(createPartyA, createAuthorizationServer, ClientSecretBasic)`,
  'party B app': `import { createPartyB, createAuthorizationServer, ClientSecretBasic } from 'reciprocal-oauth'
use(createPartyB, createAuthorizationServer, ClientSecretBasic)`,
  'receiver alone': `import { createReciprocalReceiver } from 'reciprocal-oauth/server'
use(createReciprocalReceiver)`,
  'machines (pure)': `import { startPartyA, stepPartyA, stepPartyB } from 'reciprocal-oauth/machines'
use(startPartyA, stepPartyA, stepPartyB)`,
  'scope algebra alone': `import { parseScope } from 'reciprocal-oauth/machines'
use(parseScope)`,
}

/** The package a bundled input file belongs to (`(own)` for this package's dist/). */
function packageOf(path) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)
  return match ? match[1] : '(own)'
}

/** Bundles one role; resolves to its minified and gzipped bytes and each package's minified share. */
export async function measureRole(name, source = ROLES[name]) {
  const result = await build({
    stdin: { contents: `${source}\nfunction use(...used) { globalThis.used = used }\n`, resolveDir: packageRoot, loader: 'js', sourcefile: `${name}.js` },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].contents
  const byPackage = {}
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = packageOf(path)
      byPackage[pkg] = (byPackage[pkg] ?? 0) + bytesInOutput
    }
  }
  return { role: name, minifiedBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, byPackage }
}

export async function measureSizes() {
  const rows = []
  for (const name of Object.keys(ROLES)) rows.push(await measureRole(name))
  return rows
}

export function readBudgets() {
  return JSON.parse(readFileSync(budgetsFile, 'utf8')).budgets
}

const kb = (bytes) => (bytes / 1000).toFixed(1)

/** A text table of {@link measureSizes}'s result, against the budgets. */
export function formatSizes(rows, budgets = readBudgets()) {
  return [
    '| role | min+gzip KB | budget KB | minified KB | of which (minified KB) |',
    '|---|---|---|---|---|',
    ...rows.map((r) => {
      const shares = Object.entries(r.byPackage)
        .sort((x, y) => y[1] - x[1])
        .map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`)
        .join(', ')
      const budget = budgets[r.role]
      return `| ${r.role} | ${kb(r.gzipBytes)} | ${budget === undefined ? '—' : kb(budget)} | ${kb(r.minifiedBytes)} | ${shares} |`
    }),
  ].join('\n')
}

/** The roles over their budget (a role without a budget is over it: every role must have one). */
export function overBudget(rows, budgets = readBudgets()) {
  return rows.filter((r) => !(r.gzipBytes <= budgets[r.role]))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, check: { type: 'boolean', default: false } } })
  const rows = await measureSizes()
  console.log(values.json ? JSON.stringify(rows) : formatSizes(rows))
  if (values.check) {
    const over = overBudget(rows)
    for (const r of over) console.error(`size budget exceeded: ${r.role} is ${r.gzipBytes} B min+gzip, budget ${readBudgets()[r.role] ?? 'missing'} B (bench/footprint/size-budgets.json)`)
    if (over.length > 0) process.exit(1)
  }
}
