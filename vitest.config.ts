import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // Tests run the examples against the SDK's source, so `npm test` needs no build first.
    alias: {
      'reciprocal-oauth/node': fileURLToPath(new URL('./src/adapters/node.ts', import.meta.url)),
      'reciprocal-oauth': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
  },
})
