import { defineConfig } from 'tsup'

// ESM + CJS + declarations. oauth4webapi and jose are ESM-only; the CJS build
// `require()`s them, which Node supports from 20.19 on (see `engines`).
export default defineConfig({
  // One file per subpath export (package.json "exports"), so nobody bundles what they don't use.
  entry: { index: 'src/index.ts', client: 'src/client.ts', server: 'src/server.ts', machines: 'src/machines.ts', node: 'src/node.ts', testing: 'src/testing.ts', redis: 'src/redis.ts', cloudflare: 'src/cloudflare.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
})
