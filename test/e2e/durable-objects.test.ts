// End to end in a Cloudflare worker (workerd, through miniflare): both parties built inside the
// worker over DurableObjectStorage, each under its own prefix of one Durable Object namespace,
// run the whole protocol (draft steps A–G).
import type { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorkerd } from '../storage/workerd.js'

describe('two parties in a Cloudflare worker, over Durable Objects', () => {
  let worker: Miniflare
  beforeAll(async () => {
    worker = await startWorkerd()
  }, 60_000)
  afterAll(() => worker.dispose())

  it('SPEC R1.2, R2–R4, R4.4: link, consent, the reciprocal code redeemed by B; each side’s token accepted by its issuer', async () => {
    const response = await worker.dispatchFetch('http://worker/e2e', { method: 'POST', body: JSON.stringify({ prefix: `e2e-${crypto.randomUUID()}:` }) })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      afterCallback: 'awaiting-consent',
      afterConsent: { status: 'reciprocal-granted', granted: { scope: ['assistant.announce'] } },
      atB: 'linked',
      music: { clientId: 'assistant', subject: 'alice', scope: 'music.play music.read' },
      assistant: { clientId: 'music', subject: 'alice-at-assistant', scope: 'assistant.announce' },
    })
  })
})
