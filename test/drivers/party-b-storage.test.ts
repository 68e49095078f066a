// Nothing party B stores lives forever (issue 6 item 8): after many received and redeemed codes
// and the clock moved past every lifetime — the code's (600 s, SPEC R3.1), the pending log's
// (1 h) and the retention of ended links — B's storage holds one record per live link, however
// many codes it received. Entries are counted with MemoryStorage; nothing is timed.
import { createPartyB, ErrorCode, MemoryStorage, type RedemptionMode, staticClients, type Storage } from 'reciprocal-oauth'
import { GRANT_TYPE_RECIPROCAL, MAX_CODE_TTL_SECONDS } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { ClientSecretBasic } from 'oauth4webapi'

const SECRET = 'assistant-secret-at-music-0123456789'
const RETENTION_SECONDS = 7 * 24 * 3600

/** Party A as B sees it over the network: a token endpoint that redeems any code, and a revocation endpoint. */
const partyA = (revocation: { down: boolean }): typeof fetch => async (input) => {
  const url = new URL(input instanceof Request ? input.url : String(input))
  if (url.pathname === '/revoke') return new Response(null, { status: revocation.down ? 503 : 200 })
  const token = () => crypto.randomUUID()
  return Response.json(
    { access_token: token(), refresh_token: token(), token_type: 'Bearer', expires_in: 3600, scope: 'assistant.read' },
    { headers: { 'cache-control': 'no-store' } },
  )
}

function partyBOverItsOwnStorage(redemption: 'immediate' | 'deferred', wrap: (storage: Storage) => Storage = (storage) => storage) {
  let now = 1_700_000_000
  const runtime = { now: () => now, randomBytes: (n: number) => crypto.getRandomValues(new Uint8Array(n)) }
  const storage = new MemoryStorage({ now: runtime.now })
  const background: Promise<unknown>[] = []
  const revocation = { down: false }
  const mode: RedemptionMode = redemption === 'immediate' ? 'immediate' : { waitUntil: (work) => background.push(work) }
  const partyB = createPartyB({
    clients: staticClients([{ clientId: 'assistant', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRET, scope: 'music.read' }]),
    audiences: ['https://music.example', 'https://music.example/token'],
    // B's own tokens for A: `token-for:<user>`.
    verifyAccessToken: async (token) => (token.startsWith('token-for:') ? { clientId: 'assistant', subject: token.slice(10), scope: 'music.read' } : undefined),
    peers: {
      assistant: {
        as: { issuer: 'https://assistant.example', token_endpoint: 'https://assistant.example/token', revocation_endpoint: 'https://assistant.example/revoke' },
        client: { client_id: 'music' },
        clientAuth: ClientSecretBasic('music-secret-at-assistant-9876543210'),
        fetch: partyA(revocation),
        // A's 503 is retried (PeerTransport.retry) without waiting: no real timer in a test.
        retry: { sleep: async () => undefined },
      },
    },
    revokeLink: async () => undefined,
    redemption: mode,
    storage: wrap(storage),
    runtime,
  })
  let codes = 0
  /** Party A delivers one more reciprocal code for `user`. */
  const deliver = async (user: string) => {
    const body = new URLSearchParams({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code: `code-${codes++}`, access_token: `token-for:${user}` })
    const headers = { authorization: `Basic ${btoa(`assistant:${SECRET}`)}`, 'content-type': 'application/x-www-form-urlencoded' }
    const result = await partyB.receiver.handle({ method: 'POST', headers, body: body.toString() })
    expect(result.status).toBe(200)
    await Promise.all(background.splice(0))
  }
  return { partyB, storage, deliver, revocation, advance: (seconds: number) => (now += seconds) }
}

/** `perUser` codes for each of five users; then two of them unlink. Entries held at each step. */
async function storageAfter(redemption: 'immediate' | 'deferred', perUser: number) {
  const b = partyBOverItsOwnStorage(redemption)
  const users = ['ann', 'bob', 'cat', 'dan', 'eve']
  for (let round = 0; round < perUser; round++) for (const user of users) await b.deliver(user)
  for (const user of users) expect(await b.partyB.getLink('assistant', user)).toMatchObject({ status: 'linked' })
  for (const user of ['dan', 'eve']) expect(await b.partyB.unlink('assistant', user)).toEqual(expect.objectContaining({ status: 'unlinked' }))
  const atOnce = b.storage.size()
  b.advance(MAX_CODE_TTL_SECONDS + 60)
  const pastCodes = b.storage.size()
  b.advance(3600)
  const pastLog = b.storage.size()
  b.advance(RETENTION_SECONDS)
  const pastRetention = b.storage.size()
  return { b, codes: perUser * users.length, atOnce, pastCodes, pastLog, pastRetention }
}

describe('party B storage: nothing lives forever, done is deleted (issue 6 item 8)', () => {
  it.each(['immediate', 'deferred'] as const)(
    'SPEC R3.1, R4.3, R7.10 (%s redemption): after 200 codes and every lifetime, storage holds one record per live link',
    async (redemption) => {
      const after = await storageAfter(redemption, 40)
      // At once: five link records and one duplicate-code marker per code (SPEC R7.10) — no
      // pending-log entry outlives its redemption (at most the log's two hints remain).
      expect(after.atOnce).toBeLessThanOrEqual(5 + after.codes + 2)
      // Past the code lifetime the markers are gone; the log's entries went with their redemption.
      expect(after.pastCodes).toBeLessThanOrEqual(5 + 2)
      expect(after.pastLog).toBeLessThanOrEqual(5 + 2)
      // Past the retention of ended links (and the log's hints, which live as long as an entry
      // may): the three live links, one record each.
      expect(after.pastRetention).toBe(3)
      expect(await after.b.partyB.resume()).toBe(0)
      for (const user of ['ann', 'bob', 'cat']) expect(await after.b.partyB.getLink('assistant', user)).toMatchObject({ status: 'linked' })
      for (const user of ['dan', 'eve']) expect(await after.b.partyB.getLink('assistant', user)).toBeUndefined()
    },
  )

  it('SPEC R4.3: what B keeps per live link does not grow with the number of codes it received', async () => {
    const few = await storageAfter('deferred', 4)
    const many = await storageAfter('deferred', 40)
    expect(many.pastCodes).toBe(few.pastCodes)
    expect(many.pastRetention).toBe(few.pastRetention)
  })

  it('SPEC R5.2: a link that owes A a revocation outlives the retention period while resume keeps trying, then goes', async () => {
    const b = partyBOverItsOwnStorage('immediate')
    await b.deliver('ann')
    b.revocation.down = true
    expect(await b.partyB.unlink('assistant', 'ann')).toMatchObject({ outbox: [{ type: 'revoke-peer-tokens' }] })
    // A stays down for two retention periods; resume runs every hour meanwhile.
    for (let hour = 0; hour < 2 * 24 * 7; hour++) {
      b.advance(3600)
      expect(await b.partyB.resume()).toBe(0)
    }
    expect(await b.partyB.getLink('assistant', 'ann')).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-peer-tokens' }], error: { retryable: true } })
    b.revocation.down = false
    expect(await b.partyB.resume()).toBe(1)
    expect(await b.partyB.getLink('assistant', 'ann')).toMatchObject({ status: 'unlinked', outbox: [] })
    b.advance(RETENTION_SECONDS)
    expect(b.storage.size()).toBe(0)
  })

  it('SPEC R5.2, R8.1: resume tries every link: one whose storage fails is reported, the others are finished', async () => {
    const failing = { key: '' }
    const b = partyBOverItsOwnStorage('immediate', (storage) => ({
      ...storage,
      get: async (key) => {
        if (key === failing.key) throw new Error('storage outage')
        return storage.get(key)
      },
      set: (key, value, ttl) => storage.set(key, value, ttl),
      add: (key, value, ttl) => storage.add(key, value, ttl),
      delete: (key) => storage.delete(key),
      take: (key) => storage.take(key),
    }))
    for (const user of ['ann', 'bob', 'cat']) await b.deliver(user)
    b.revocation.down = true
    for (const user of ['ann', 'bob', 'cat']) expect(await b.partyB.unlink('assistant', user)).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-peer-tokens' }] })
    b.revocation.down = false
    failing.key = 'party-b:link:assistant:ann'
    await expect(b.partyB.resume()).rejects.toMatchObject({ code: ErrorCode.StorageFailed, retryable: true })
    // bob's and cat's unlinks were finished all the same.
    for (const user of ['bob', 'cat']) expect(await b.partyB.getLink('assistant', user)).toMatchObject({ status: 'unlinked', outbox: [] })
    failing.key = ''
    expect(await b.partyB.resume()).toBe(1)
  })

  it('a link that owes A a revocation nobody retries (A decommissioned) still expires after the retention period', async () => {
    const b = partyBOverItsOwnStorage('immediate')
    await b.deliver('ann')
    b.revocation.down = true
    expect(await b.partyB.unlink('assistant', 'ann')).toMatchObject({ outbox: [{ type: 'revoke-peer-tokens' }] })
    b.advance(RETENTION_SECONDS + 1)
    expect(await b.partyB.getLink('assistant', 'ann')).toBeUndefined()
    expect(b.storage.size()).toBe(0)
  })
})
