import { defineConfig } from 'tsup'
import { BUNDLED_PACKAGES, copyBundledLicenses } from './build/bundled-packages.js'
import { sharedModule } from './build/shared-module.js'

// ESM + CJS + declarations. oauth4webapi and jose are ESM-only; the CJS build
// `require()`s them, which Node supports from 20.19 on (see `engines`).
export default defineConfig({
  // One file per subpath export (package.json "exports"), so nobody bundles what they don't use.
  entry: { index: 'src/index.ts', client: 'src/client.ts', server: 'src/server.ts', machines: 'src/machines.ts', node: 'src/node.ts', postgres: 'src/postgres.ts', testing: 'src/testing.ts', redis: 'src/redis.ts', cloudflare: 'src/cloudflare.ts', 'oidc-provider': 'src/oidc-provider.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // Source maps name the original file and line (node --enable-source-maps, a bundler's debugger),
  // without a copy of the sources: embedded, they were 1.8 MB of the 3.3 MB unpacked package
  // (valibot's and @noble/hashes' sources among them). oauth4webapi ships its maps the same way.
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false
  },
  target: 'es2022',
  treeshake: true,
  // Compact syntax, not short names: minifying identifiers took about a seventh more off importing
  // the root entry (25 against 29 ms of CPU, docs/benchmarks.md), but a stack trace from the SDK
  // should name its functions without source maps. Not `minifyWhitespace` either: it drops the
  // `@__PURE__` marks bundlers tree-shake by.
  minifySyntax: true,
  // valibot and @noble/hashes are bundled (build/bundled-packages.ts); oauth4webapi stays a
  // dependency: its types are part of our API, and its fixes reach users without a release of ours.
  noExternal: Object.keys(BUNDLED_PACKAGES),
  onSuccess: copyBundledLicenses,
  // The entries' code lives in one module, dist/shared.js (build/shared-module.ts). `machines`
  // stays apart in ESM, to load without the rest. A new entry is built on its own unless listed.
  esbuildPlugins: [sharedModule({ name: 'shared', entries: ['index', 'client', 'server', 'node', 'oidc-provider'], apartWhenSplitting: ['machines'] })],
})
