// End to end over real HTTP with both parties' storage in a real Redis: the whole protocol (draft
// steps A–G), once through node-redis and once through ioredis, each party under its own prefix
// of one Redis.
import { fromIoredis, fromNodeRedis, type RedisCommands, RedisStorage } from 'reciprocal-oauth/redis'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { realBackend } from '../storage/backends.js'
import { type TwoServices, twoServicesPerTest } from './two-services.js'

const { url = '', skipped } = realBackend('redis')
const startServices = twoServicesPerTest()

/** Both parties over `commands`, party A under `<prefix>a:`, party B under `<prefix>b:`. */
function overRedis(commands: RedisCommands, prefix: string): Promise<TwoServices> {
  const stores = { a: new RedisStorage(commands, { prefix: `${prefix}a:` }), b: new RedisStorage(commands, { prefix: `${prefix}b:` }) }
  return startServices({ reciprocalInTokenResponse: 'assistant.announce assistant.read', wrapStorage: (_memory, party) => stores[party] })
}

/** The whole protocol: link, consent, the reciprocal code redeemed by B, and each side's API called with the other's token. */
async function wholeProtocol(s: TwoServices): Promise<void> {
  const { linkId, url: authorizationUrl } = await s.partyA.startLink('music', 'alice-at-assistant')
  expect(await s.partyA.handleCallback(await s.authorizeAtB(authorizationUrl), 'alice-at-assistant')).toMatchObject({ status: 'awaiting-consent' })
  expect(await s.partyA.consent(linkId, { scope: 'assistant.announce' })).toMatchObject({ status: 'reciprocal-granted', granted: { scope: ['assistant.announce'] } })
  expect(await s.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'linked', tokens: { scope: 'assistant.announce' } })
  const music = await fetch(`${s.b.url}/api/now-playing`, { headers: { authorization: `Bearer ${await s.partyA.accessToken(linkId)}` } })
  expect(await music.json()).toEqual({ user: 'alice', track: 'So What' })
  const bearer = await s.partyB.accessToken('assistant', 'alice')
  const announce = await fetch(`${s.a.url}/api/announce`, { method: 'POST', headers: { authorization: `Bearer ${bearer}` }, body: 'Now playing: So What' })
  expect(announce.status).toBe(200)
  expect(s.announcements).toEqual([{ subject: 'alice-at-assistant', text: 'Now playing: So What' }])
}

describe.skipIf(skipped !== undefined)(`two parties over Redis (${skipped ?? url})`, () => {
  const admin = new Redis(url, { lazyConnect: true })
  afterAll(() => admin.quit())

  /** Every key under `prefix`, with its TTL in milliseconds (-1: none). */
  async function keysUnder(prefix: string): Promise<Map<string, number>> {
    const keys: string[] = []
    for await (const batch of admin.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) keys.push(...batch)
    return new Map(await Promise.all(keys.map(async (key) => [key, await admin.pttl(key)] as const)))
  }

  /** Each client, connected: its commands, and how to close it. */
  const clients = {
    'node-redis': async () => {
      const client = await createClient({ url }).connect()
      return { commands: fromNodeRedis(client), close: () => client.close() }
    },
    ioredis: async () => {
      const client = new Redis(url)
      return { commands: fromIoredis(client), close: () => client.quit() }
    },
  }

  for (const [name, connect] of Object.entries(clients)) {
    it(`SPEC R1.2, R2–R4, R4.4: the whole protocol with both parties' storage in Redis, through ${name}; every key it leaves expires but the two live links`, async () => {
      const prefix = `e2e-${name}-${crypto.randomUUID()}:`
      const client = await connect()
      onTestFinished(async () => void (await client.close()))
      await wholeProtocol(await overRedis(client.commands, prefix))
      const [a, b] = [await keysUnder(`${prefix}a:`), await keysUnder(`${prefix}b:`)]
      expect(a.size).toBeGreaterThan(0)
      expect(b.size).toBeGreaterThan(0)
      // A live link stays until it is unlinked; everything else (codes, tokens, grants, markers,
      // leases) carries its TTL into Redis.
      const untimed = [...a, ...b].filter(([, ttl]) => !(ttl > 0)).map(([key]) => key.slice(prefix.length).replace(/:link:.*/, ':link'))
      expect(untimed).toEqual(['a:party-a:link', 'b:party-b:link'])
    })
  }
})
