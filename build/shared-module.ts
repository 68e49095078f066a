/**
 * An esbuild plugin for tsup: several entry points share one module that holds all their code,
 * and each entry's own file only re-exports its names from it (`export { … } from './shared.js'`).
 *
 * Why: Node pays for every module file an import loads (resolving, reading, compiling, linking),
 * and esbuild's code splitting gives each set of entries that share code a chunk of its own: the
 * root entry loaded 12 files, and cost a third more CPU to import than the same code in one
 * module (docs/benchmarks.md, "Import time and bundle size"). A class also exists once however
 * many entries an application imports (`ReciprocalError` from the root is the one `/server`
 * throws), in the CommonJS build too, which esbuild does not split. Bundlers still tree-shake
 * each entry: the package has no side effects.
 *
 * An entry given to this plugin names its exports (`export { a } from …`, not `export *`): the
 * build fails otherwise. test/docs/public-api.test.ts keeps each name to one meaning across the
 * entries, which the shared module's `export *` of every entry relies on.
 */
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { Plugin } from 'esbuild'

const FACADE = 'shared-module-facade'
const SHARED = 'shared-module'

export interface SharedModuleOptions {
  /** The shared module's file name in `dist/`, without extension (no subpath exports it). */
  readonly name: string
  /** tsup entries (by name) whose code lives in the shared module. */
  readonly entries: readonly string[]
  /**
   * Entries kept apart when the format splits code (ESM): each loads its own code and the chunks
   * it shares with the shared module, not all of it. In a format that does not split (CommonJS)
   * they re-export from the shared module like the others, so that nothing exists twice.
   */
  readonly apartWhenSplitting?: readonly string[]
}

export function sharedModule({ name, entries, apartWhenSplitting = [] }: SharedModuleOptions): Plugin {
  return {
    name: 'shared-module',
    setup(build) {
      const options = build.initialOptions
      const entryPoints = options.entryPoints as Record<string, string>
      const members = options.splitting === true ? entries : [...entries, ...apartWhenSplitting]
      const facades = members.map((entry) => {
        const file = entryPoints[entry]
        if (file === undefined) throw new Error(`shared-module: there is no entry "${entry}"`)
        return resolve(file)
      })
      // tsup builds ESM into `.js` and CommonJS into `.cjs` (package.json "type": "module").
      const sharedFile = `./${name}${options.outExtension?.['.js'] ?? '.js'}`
      options.entryPoints = { ...entryPoints, [name]: `${SHARED}:${name}` }

      build.onResolve({ filter: new RegExp(`^${SHARED}:`) }, ({ path }) => ({ path, namespace: SHARED }))
      // The shared module: every name of every entry.
      build.onLoad({ filter: /.*/, namespace: SHARED }, () => ({
        contents: facades.map((file) => `export * from ${JSON.stringify(file)}`).join('\n'),
        resolveDir: process.cwd(),
        loader: 'ts',
      }))

      // Each facade entry is read again in a namespace of its own, so that its imports (and not
      // those of the same file inside the shared module) point to the shared file.
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind !== 'entry-point') return undefined
        const path = resolve(args.resolveDir, args.path)
        return facades.includes(path) ? { path, namespace: FACADE } : undefined
      })
      // A facade takes everything from the shared module, even what that re-exports from a package
      // (oauth4webapi's client authentications): a package imported from two files cost more. So
      // the specifiers are rewritten here, before tsup's plugin (which marks packages external) sees them.
      build.onLoad({ filter: /.*/, namespace: FACADE }, async ({ path }) => {
        const contents = await readFile(path, 'utf8')
        // `export *` from the shared module would re-export every name of every entry.
        if (/^\s*export\s*\*/m.test(contents)) return { errors: [{ text: `${path}: an entry of the shared module names its exports (no \`export *\`)` }] }
        return { contents: contents.replace(/\bfrom\s*(['"])[^'"]*\1/g, `from '${FACADE}:${name}'`), resolveDir: dirname(path), loader: 'ts' }
      })
      build.onResolve({ filter: /.*/, namespace: FACADE }, () => ({ path: sharedFile, external: true }))
    },
  }
}
