// Both parties on Deno.serve, through the Hono apps of examples/hono: Deno speaks Web `Request`
// and `Response`, so the SDK's endpoints take their Web door. Run from this folder (deno.jsonc
// maps the imports):
//   ASSISTANT_SECRET=… MUSIC_SECRET=… deno run --allow-net --allow-env main.ts
import { assistantApp, musicApp } from '../hono/app.js'
import { createAssistant, createMusic, type PartyOptions } from '../shared/parties.js'

const port = (name: string, fallback: number): number => Number(Deno.env.get(name) ?? fallback)
const secret = (name: string): string => Deno.env.get(name) ?? fail(`set ${name}`)
function fail(message: string): never {
  throw new Error(message)
}

const options: PartyOptions = {
  origins: { assistant: `http://127.0.0.1:${port('ASSISTANT_PORT', 3000)}`, music: `http://127.0.0.1:${port('MUSIC_PORT', 3001)}` },
  secrets: { assistantAtMusic: secret('ASSISTANT_SECRET'), musicAtAssistant: secret('MUSIC_SECRET') },
}
const assistant = assistantApp(createAssistant(options))
const music = musicApp(createMusic(options), options.origins.assistant)

Deno.serve({ hostname: '127.0.0.1', port: port('ASSISTANT_PORT', 3000), onListen: () => {} }, assistant.fetch)
Deno.serve({ hostname: '127.0.0.1', port: port('MUSIC_PORT', 3001), onListen: () => {} }, music.fetch)
console.log(`listening: assistant ${options.origins.assistant}, music ${options.origins.music}`)
