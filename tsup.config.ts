import { defineConfig } from 'tsup'

// ESM + CJS + declarations. oauth4webapi and jose are ESM-only; the CJS build
// `require()`s them, which Node supports from 20.19 on (see `engines`).
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
})
