import { defineConfig } from 'tsup'

// The demo is built like a user's app: it imports the SDK by its package name, which Node
// resolves through package.json `exports` to the SDK's own build in dist/.
export default defineConfig({
  entry: { main: 'examples/voice-and-music/src/main.ts' },
  outDir: 'examples/voice-and-music/dist',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  external: [/^reciprocal-oauth(\/.*)?$/],
  clean: true,
  dts: false,
  silent: true,
})
