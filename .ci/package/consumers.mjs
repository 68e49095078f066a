// The consumer matrix: the packed tarball, installed into scratch projects, type-checked by
// TypeScript as applications of each kind would (`skipLibCheck: false`, so our declaration files
// and those of oauth4webapi and jose they reach are checked too), and loaded by Node.
//
// Each project imports every entry of package.json "exports". Module settings: bundler, node16 ESM,
// node16 CommonJS, nodenext ESM and CommonJS, and node10 (TypeScript's `moduleResolution: node`,
// which reads `typesVersions`). Environments: the DOM lib, Node's types without the DOM lib, both,
// and Cloudflare's workers types (a project with neither the DOM lib nor Node's types has no
// `Request` or `fetch`, which the SDK's doors take: such a project runs on a runtime with types of
// its own, and Workers is the one we test).
//
// The optional peers need no types: the storage adapters declare the few methods they call of a
// driver (pg, redis, ioredis, Durable Objects), and `/testing` declares nothing of vitest's.
//
// Offline: the tarball is extracted, not installed, and its dependencies are the repository's own
// node_modules (linked), at the versions of package-lock.json.
import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'

const ROOT = join(import.meta.dirname, '..', '..')
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const { exports: EXPORTS } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

/** Packages the scratch projects take from the repository's node_modules. */
const LINKED = ['oauth4webapi', 'jose', '@types/node', 'undici-types', '@cloudflare/workers-types', 'vitest']

/** The subpaths of package.json "exports" that name code (not `./package.json`). */
function entries() {
  return Object.keys(EXPORTS).filter((subpath) => subpath !== './package.json')
}

/** Whether an entry has a CommonJS build (`/testing` has none: vitest, its peer, is ESM only). */
function hasRequire(subpath) {
  return EXPORTS[subpath].require !== undefined
}

const specifier = (subpath) => (subpath === '.' ? 'reciprocal-oauth' : `reciprocal-oauth/${subpath.slice(2)}`)
// `oidc-provider` → `oidcProvider`: a subpath may hold a hyphen, an identifier may not.
const identifier = (subpath) => (subpath === '.' ? 'root' : subpath.slice(2).replace(/-(\w)/g, (_, letter) => letter.toUpperCase()))

const MODULES = {
  bundler: { type: 'module', compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } },
  'node16 ESM': { type: 'module', compilerOptions: { module: 'node16', moduleResolution: 'node16' } },
  'node16 CJS': { type: 'commonjs', compilerOptions: { module: 'node16', moduleResolution: 'node16' } },
  'nodenext ESM': { type: 'module', compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } },
  'nodenext CJS': { type: 'commonjs', compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } },
  node10: { type: 'commonjs', compilerOptions: { module: 'commonjs', moduleResolution: 'node10' } },
}

const ENVIRONMENTS = {
  DOM: { lib: ['es2022', 'dom', 'dom.iterable'], types: [] },
  'Node types, no DOM': { lib: ['es2022'], types: ['node'] },
  'DOM and Node types': { lib: ['es2022', 'dom', 'dom.iterable'], types: ['node'] },
  'workers types, no DOM': { lib: ['es2022'], types: ['@cloudflare/workers-types'] },
}

/**
 * The consumer's file: every entry imported and a few of its types used. An ES module imports
 * each entry; a CommonJS one `require`s each that has a CommonJS build and `import()`s the others,
 * as it must at run time.
 */
function consumerSource(format) {
  const lines = []
  const late = []
  for (const subpath of entries()) {
    if (format === 'commonjs' && !hasRequire(subpath)) late.push(subpath)
    else lines.push(`import * as ${identifier(subpath)} from '${specifier(subpath)}'`)
  }
  lines.push(
    '',
    // A few types through the entries, so that a declaration that resolves to `any` shows.
    "export const scope: string = machines.formatScope(machines.parseScope('read write') ?? [])",
    'export const storage: root.Storage = new root.MemoryStorage()',
    'export const listener = node.toNodeListener(async (request) => new Response(request.url))',
    `export const loaded = [${entries()
      .filter((subpath) => !late.includes(subpath))
      .map(identifier)
      .join(', ')}]`,
  )
  for (const subpath of late) {
    lines.push(`export async function load_${identifier(subpath)}() {`, `  const entry = await import('${specifier(subpath)}')`, '  return entry', '}')
  }
  return `${lines.join('\n')}\n`
}

/** Extracts the tarball into `scratch/node_modules/reciprocal-oauth` and links its dependencies. */
export function install(tarball, scratch) {
  const target = join(scratch, 'node_modules', 'reciprocal-oauth')
  mkdirSync(target, { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'])
  for (const name of LINKED) {
    const link = join(scratch, 'node_modules', name)
    mkdirSync(dirname(link), { recursive: true })
    symlinkSync(join(ROOT, 'node_modules', name), link, 'dir')
  }
}

/** Writes one project per module setting and environment; returns them, named. */
function projects(scratch) {
  return Object.entries(MODULES).flatMap(([moduleName, module]) =>
    Object.entries(ENVIRONMENTS).map(([environmentName, environment]) => {
      const dir = join(scratch, `${moduleName} ${environmentName}`.replace(/[^a-z0-9]+/gi, '-'))
      mkdirSync(dir)
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: module.type }))
      writeFileSync(join(dir, 'consumer.ts'), consumerSource(module.type))
      const compilerOptions = { ...module.compilerOptions, ...environment, target: 'es2022', strict: true, skipLibCheck: false, noEmit: true }
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }, null, 2))
      return { name: `${moduleName}, ${environmentName}`, dir }
    }),
  )
}

/** Type-checks every project, as many at once as there are cores; one line per project, and whether all passed. */
export async function typecheckAll(scratch) {
  const queue = projects(scratch)
  const lines = new Map()
  const worker = async () => {
    for (let project = queue.shift(); project !== undefined; project = queue.shift()) {
      try {
        await promisify(execFile)(process.execPath, [TSC, '-p', project.dir], { encoding: 'utf8' })
        lines.set(project.name, `ok    ${project.name}`)
      } catch (error) {
        lines.set(project.name, `FAIL  ${project.name}\n${String(error.stdout).replaceAll(scratch, '').trimEnd().replace(/^/gm, '        ')}`)
      }
    }
  }
  const names = queue.map((project) => project.name)
  await Promise.all(Array.from({ length: availableParallelism() }, worker))
  return { passed: [...lines.values()].every((line) => line.startsWith('ok')), lines: names.map((name) => lines.get(name)) }
}

/** Loads every entry from the installed tarball, with `require` where it has a CommonJS build and `import` always. */
export function loadAll(scratch) {
  const dir = join(scratch, 'runtime')
  mkdirSync(dir)
  const checks = entries().flatMap((subpath) => [
    ...(hasRequire(subpath) ? [`await check('require ${subpath}', () => require('${specifier(subpath)}'))`] : []),
    `await check('import ${subpath}', () => import('${specifier(subpath)}'))`,
  ])
  const script = `import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
async function check(name, load) {
  const entry = await load()
  if (Object.keys(entry).length === 0) throw new Error(name + ': no exports')
}
${checks.join('\n')}
`
  writeFileSync(join(dir, 'load.mjs'), script)
  execFileSync(process.execPath, [join(dir, 'load.mjs')], { cwd: dir, stdio: 'inherit' })
  return checks.length
}
