// Both parties as one Cloudflare Worker (one per origin in a real deployment: route by the
// request's origin or deploy twice), on the Hono apps of examples/hono, with their state in a
// Durable Object (`reciprocal-oauth/cloudflare`). Party B redeems the reciprocal code after it
// answered A, inside `ctx.waitUntil` (SPEC R4.3): the worker stays alive until the redemption is
// done, and a redemption cut short is finished by `partyB.resume()` (a cron trigger, say).
// No `nodejs_compat` needed.
import { DurableObjectStorage, type DurableObjectNamespaceApi } from 'reciprocal-oauth/cloudflare'
import { assistantApp, musicApp } from '../hono/app.js'
import { createAssistant, createMusic, type PartyOptions } from '../shared/parties.js'

// wrangler.jsonc binds this class as RECIPROCAL_STORAGE (durable_objects.bindings, and a migration).
export { ReciprocalStorageObject } from 'reciprocal-oauth/cloudflare'

/** The worker's bindings: vars for the origins, secrets for the client secrets. */
export interface Env {
  readonly RECIPROCAL_STORAGE: DurableObjectNamespaceApi
  readonly ASSISTANT_ORIGIN: string
  readonly MUSIC_ORIGIN: string
  readonly ASSISTANT_SECRET: string
  readonly MUSIC_SECRET: string
}

/** The part of the Workers `ExecutionContext` this worker uses. */
export interface WorkerContext {
  waitUntil(work: Promise<unknown>): void
}

export default {
  fetch(request: Request, env: Env, ctx: WorkerContext): Response | Promise<Response> {
    const options: PartyOptions = {
      origins: { assistant: env.ASSISTANT_ORIGIN, music: env.MUSIC_ORIGIN },
      secrets: { assistantAtMusic: env.ASSISTANT_SECRET, musicAtAssistant: env.MUSIC_SECRET },
    }
    // The parties are built per request: cheap, and `ctx` belongs to this request.
    if (new URL(request.url).origin === env.MUSIC_ORIGIN) {
      const music = createMusic({
        ...options,
        storage: new DurableObjectStorage(env.RECIPROCAL_STORAGE, { prefix: 'music:' }),
        redemption: { waitUntil: (work) => ctx.waitUntil(work) },
      })
      return musicApp(music, env.ASSISTANT_ORIGIN).fetch(request)
    }
    const assistant = createAssistant({ ...options, storage: new DurableObjectStorage(env.RECIPROCAL_STORAGE, { prefix: 'assistant:' }) })
    return assistantApp(assistant).fetch(request)
  },
}
