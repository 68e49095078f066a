// Bundle size per role: what an application that uses one role ships, bundled from dist/ with
// its dependencies by esbuild (minified, tree-shaken, for the browser), then gzipped. The
// metafile says how many minified bytes each package contributes.
// Run: `node bench/footprint/sizes.mjs [--json] [--check] [--dist dir]` after `npm run build`. With --check
// it compares each role with size-budgets.json and exits 1 when one is over its budget. With
// `--top N` it bundles each role from src/ instead and lists the N files that weigh most in what
// the role loads at start (dist/ bundles valibot and @noble/hashes into our own files).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const packageRoot = fileURLToPath(new URL('../..', import.meta.url))
const budgetsFile = fileURLToPath(new URL('./size-budgets.json', import.meta.url))

/** Each role (roles.json): the imports an application of that role makes, kept alive by `use`. */
export const ROLES = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(fileURLToPath(new URL('./roles.json', import.meta.url)), 'utf8')).roles).map(([name, { from, names }]) => [
    name,
    `import { ${names.join(', ')} } from '${from}'\nuse(${names.join(', ')})`,
  ]),
)

/** The package a bundled input file belongs to (`(own)` for this package's dist/, valibot and @noble/hashes included). */
function packageOf(path) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)
  return match ? match[1] : '(own)'
}

const ROLE_NAMESPACE = 'footprint-role'

/**
 * Serves each role's source as a virtual entry file, resolved from the package root; with
 * `dist`, the package's entries resolve to that folder's files (to measure an older build); with
 * `dist === 'src'`, to the TypeScript sources, so that each file's weight shows.
 */
const rolesPlugin = (dist) => ({
  name: 'footprint-roles',
  setup(build) {
    if (dist !== undefined) {
      const extension = dist === 'src' ? 'ts' : 'js'
      build.onResolve({ filter: /^reciprocal-oauth(\/[a-z]+)?$/ }, (args) => ({ path: resolve(dist, `${args.path.split('/')[1] ?? 'index'}.${extension}`) }))
    }
    build.onResolve({ filter: /^role:/ }, (args) => ({ path: args.path.slice('role:'.length), namespace: ROLE_NAMESPACE }))
    build.onLoad({ filter: /.*/, namespace: ROLE_NAMESPACE }, (args) => ({
      contents: `${ROLES[args.path]}\nfunction use(...used) { globalThis.used = used }\n`,
      resolveDir: packageRoot,
      loader: 'js',
    }))
  },
})

/**
 * Bundles one role with code splitting, as an application's bundler would: the chunks loaded at
 * start (the entry and what it imports statically) are the initial size; the chunks reached
 * only through a dynamic `import()` (jose: loaded on first use) are the lazy size. Each chunk is
 * gzipped on its own, as a server sends it.
 */
export async function measureRole(name, dist) {
  const result = await build({
    entryPoints: [`role:${name}`],
    plugins: [rolesPlugin(dist)],
    bundle: true,
    splitting: true,
    outdir: 'footprint-out',
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const outputs = result.metafile.outputs
  const gzipOf = new Map(result.outputFiles.map((file) => [file.path.slice(file.path.indexOf('footprint-out')), gzipSync(file.contents, { level: 9 }).length]))
  const entry = Object.keys(outputs).find((path) => outputs[path].entryPoint !== undefined)
  const initial = new Set()
  const visit = (path) => {
    if (initial.has(path)) return
    initial.add(path)
    for (const imported of outputs[path].imports) if (imported.kind === 'import-statement') visit(imported.path)
  }
  visit(entry)
  const row = { role: name, gzipBytes: 0, lazyGzipBytes: 0, minifiedBytes: 0, lazyMinifiedBytes: 0, byPackage: {}, ...(dist === 'src' ? { byFileAtStart: {} } : {}) }
  for (const [path, output] of Object.entries(outputs)) {
    if (path.endsWith('.map')) continue
    const lazy = !initial.has(path)
    row[lazy ? 'lazyGzipBytes' : 'gzipBytes'] += gzipOf.get(path)
    row[lazy ? 'lazyMinifiedBytes' : 'minifiedBytes'] += output.bytes
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const key = `${packageOf(input)}${lazy ? ' (lazy)' : ''}`
      row.byPackage[key] = (row.byPackage[key] ?? 0) + bytesInOutput
      if (!lazy && row.byFileAtStart) row.byFileAtStart[input] = (row.byFileAtStart[input] ?? 0) + bytesInOutput
    }
  }
  return row
}

export async function measureSizes(dist) {
  const rows = []
  for (const name of Object.keys(ROLES)) rows.push(await measureRole(name, dist))
  return rows
}

export function readBudgets() {
  return JSON.parse(readFileSync(budgetsFile, 'utf8')).budgets
}

const kb = (bytes) => (bytes / 1000).toFixed(1)

/** A text table of {@link measureSizes}'s result, against the budgets. */
export function formatSizes(rows, budgets = readBudgets()) {
  return [
    '| role | min+gzip KB at start | budget KB | + loaded on first use, min+gzip KB | minified KB | of which (minified KB) |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const shares = Object.entries(r.byPackage)
        .sort((x, y) => y[1] - x[1])
        .map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`)
        .join(', ')
      const budget = budgets[r.role]
      return `| ${r.role} | ${kb(r.gzipBytes)} | ${budget === undefined ? '—' : kb(budget)} | ${r.lazyGzipBytes ? kb(r.lazyGzipBytes) : '—'} | ${kb(r.minifiedBytes + r.lazyMinifiedBytes)} | ${shares} |`
    }),
  ].join('\n')
}

/** Each role's `top` heaviest files at start, minified KB (measure from `src` to see our own files). */
export function formatTopFiles(rows, top) {
  return rows
    .map((r) => {
      const files = Object.entries(r.byFileAtStart ?? {})
        .filter(([file]) => !file.startsWith(`${ROLE_NAMESPACE}:`))
        .sort((x, y) => y[1] - x[1])
        .slice(0, top)
      return `${r.role}: ${files.map(([file, bytes]) => `${file.replace(/^node_modules\//, '')} ${kb(bytes)}`).join(', ')}`
    })
    .join('\n')
}

/** The roles over their budget (a role without a budget is over it: every role must have one). */
export function overBudget(rows, budgets = readBudgets()) {
  return rows.filter((r) => !(r.gzipBytes <= budgets[r.role]))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, check: { type: 'boolean', default: false }, dist: { type: 'string' }, top: { type: 'string' } } })
  const rows = await measureSizes(values.top === undefined ? values.dist : 'src')
  console.log(values.json ? JSON.stringify(rows) : values.top === undefined ? formatSizes(rows) : formatTopFiles(rows, Number(values.top)))
  if (values.check) {
    const over = overBudget(rows)
    for (const r of over) console.error(`size budget exceeded: ${r.role} is ${r.gzipBytes} B min+gzip, budget ${readBudgets()[r.role] ?? 'missing'} B (bench/footprint/size-budgets.json)`)
    if (over.length > 0) process.exit(1)
  }
}
