import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const source = (file: string): string => fileURLToPath(new URL(`./src/${file}`, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests and examples import the package by its name and subpaths, as users do; they run
    // against the source of each entry point (src/<subpath>.ts), so `npm test` needs no build.
    alias: [
      { find: /^reciprocal-oauth$/, replacement: source('index.ts') },
      { find: /^reciprocal-oauth\/(client|server|machines|node|postgres|testing|redis|cloudflare|oidc-provider)$/, replacement: source('$1.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
  },
})
