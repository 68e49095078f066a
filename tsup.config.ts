import { defineConfig } from 'tsup'
import { BUNDLED_PACKAGES, copyBundledLicenses } from './build/bundled-packages.js'
import { sharedModule } from './build/shared-module.js'

// ESM + CJS + declarations. oauth4webapi and jose are ESM-only; the CJS build
// `require()`s them, which Node supports from 20.19 on (see `engines`).
export default defineConfig({
  // One file per subpath export (package.json "exports"), so nobody bundles what they don't use.
  entry: { index: 'src/index.ts', client: 'src/client.ts', server: 'src/server.ts', machines: 'src/machines.ts', node: 'src/node.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
  // Short local names and compact syntax: Node compiles every byte a process imports, and this
  // takes about a fifth off importing the root entry (docs/benchmarks.md, "Import time"). Not
  // `minifyWhitespace`: it drops the `@__PURE__` marks bundlers tree-shake by. Error names are set
  // explicitly; the source maps map stack traces back (`node --enable-source-maps`).
  minifyIdentifiers: true,
  minifySyntax: true,
  // valibot and @noble/hashes are bundled (build/bundled-packages.ts); oauth4webapi stays a
  // dependency: its types are part of our API, and its fixes reach users without a release of ours.
  noExternal: Object.keys(BUNDLED_PACKAGES),
  onSuccess: copyBundledLicenses,
  // The entries' code lives in one module, dist/shared.js (build/shared-module.ts). `machines`
  // stays apart in ESM, to load without the rest. A new entry is built on its own unless listed.
  esbuildPlugins: [sharedModule({ name: 'shared', entries: ['index', 'client', 'server', 'node'], apartWhenSplitting: ['machines'] })],
})
