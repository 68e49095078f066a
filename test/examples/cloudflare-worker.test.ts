// examples/cloudflare-worker in workerd (through miniflare, without nodejs_compat): both parties
// in the worker over a Durable Object, the parties' calls to each other routed back into it.
// Party B answers the reciprocal POST first and redeems in ctx.waitUntil.
import { fileURLToPath } from 'node:url'
import { Miniflare, kCurrentWorker } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleForWorkerd } from '../storage/workerd.js'
import { linkBothWays, SECRETS } from './framework-flow.js'

const origins = { assistant: 'https://assistant.example', music: 'https://music.example' }

describe('examples/cloudflare-worker', () => {
  let worker: Miniflare
  beforeAll(async () => {
    worker = new Miniflare({
      modules: true,
      script: await bundleForWorkerd(fileURLToPath(new URL('../../examples/cloudflare-worker/worker.ts', import.meta.url))),
      compatibilityDate: '2025-09-01',
      durableObjects: { RECIPROCAL_STORAGE: 'ReciprocalStorageObject' },
      bindings: { ASSISTANT_ORIGIN: origins.assistant, MUSIC_ORIGIN: origins.music, ASSISTANT_SECRET: SECRETS.assistantAtMusic, MUSIC_SECRET: SECRETS.musicAtAssistant },
      // Each party's calls to the other come back into this worker.
      outboundService: kCurrentWorker,
    })
    await worker.ready
  }, 60_000)
  afterAll(() => worker.dispose())

  it('SPEC R1.2, R3.3, R4.1–R4.4: steps A–G through the worker, B redeeming in ctx.waitUntil; B then calls A with its reciprocal token', async () => {
    const send = (async (input: string | URL | Request, init?: RequestInit) => worker.dispatchFetch(String(input), init as never)) as unknown as typeof fetch
    await linkBothWays(origins, send)
    // The redemption ran after B answered: B's call to A's API succeeds once it is done.
    await expect.poll(async () => (await send(`${origins.music}/share`, { method: 'POST' })).status, { timeout: 10_000 }).toBe(200)
    expect(await (await send(`${origins.music}/share`, { method: 'POST' })).json()).toEqual({ status: 200 })
  })
})
