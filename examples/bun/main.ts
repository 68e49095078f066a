// Both parties on Bun.serve, through the Hono apps of examples/hono: Bun speaks Web `Request` and
// `Response`, so the SDK's endpoints take their Web door. Run from the repository's root (Bun
// resolves `reciprocal-oauth` by test/tsconfig.json's paths here; in your project, install it):
//   ASSISTANT_SECRET=… MUSIC_SECRET=… bun --tsconfig-override test/tsconfig.json examples/bun/main.ts
import { assistantApp, musicApp } from '../hono/app.js'
import { createAssistant, createMusic, type PartyOptions } from '../shared/parties.js'

const port = (name: string, fallback: number): number => Number(Bun.env[name] ?? fallback)
const secret = (name: string): string => Bun.env[name] ?? fail(`set ${name}`)
function fail(message: string): never {
  throw new Error(message)
}

const options: PartyOptions = {
  origins: { assistant: `http://127.0.0.1:${port('ASSISTANT_PORT', 3000)}`, music: `http://127.0.0.1:${port('MUSIC_PORT', 3001)}` },
  secrets: { assistantAtMusic: secret('ASSISTANT_SECRET'), musicAtAssistant: secret('MUSIC_SECRET') },
}
const assistant = assistantApp(createAssistant(options))
const music = musicApp(createMusic(options), options.origins.assistant)

Bun.serve({ hostname: '127.0.0.1', port: port('ASSISTANT_PORT', 3000), fetch: assistant.fetch })
Bun.serve({ hostname: '127.0.0.1', port: port('MUSIC_PORT', 3001), fetch: music.fetch })
console.log(`listening: assistant ${options.origins.assistant}, music ${options.origins.music}`)
