// Starts both demo services on 127.0.0.1: the voice assistant (party A) and the music service
// (party B), each knowing the other's address. Ports 0 pick free ones.
import { listen } from './listen.js'
import { createMusicService } from './music-service.js'
import type { Actor } from './trace.js'
import { createVoiceAssistant } from './voice-assistant.js'

export interface StartOptions {
  readonly portAssistant?: number
  readonly portMusic?: number
  readonly host?: string
  /** Wraps each service's outbound fetch (the headless demo traces them). */
  readonly wrapFetch?: (actor: Exclude<Actor, 'browser'>, inner: typeof fetch) => typeof fetch
}

/** Demo-only credentials the two services "registered" with each other. */
const SECRETS = { assistantAtMusic: crypto.randomUUID(), musicAtAssistant: crypto.randomUUID() }
export const DEMO_PASSWORD = 'wonderland'

export async function startServices(options: StartOptions = {}) {
  const [a, b] = await Promise.all([listen(options.portAssistant ?? 0, options.host), listen(options.portMusic ?? 0, options.host)])
  const wrap = options.wrapFetch ?? ((_actor, inner) => inner)
  const assistant = createVoiceAssistant({ origin: a.origin, musicOrigin: b.origin, secrets: SECRETS, fetch: wrap('assistant', fetch) })
  const music = createMusicService({ origin: b.origin, assistantOrigin: a.origin, secrets: SECRETS, password: DEMO_PASSWORD, fetch: wrap('music', fetch) })
  a.use(assistant)
  b.use(music)
  return {
    assistant,
    music,
    assistantOrigin: a.origin,
    musicOrigin: b.origin,
    close: async () => {
      await Promise.all([a.close(), b.close()])
    },
  }
}

export type RunningServices = Awaited<ReturnType<typeof startServices>>
