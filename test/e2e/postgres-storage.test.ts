// End to end over real HTTP with both parties on PostgresStorage: one database, one table, each
// party under its own prefix — over PGlite in process (always), and over a real PostgreSQL server
// when RECIPROCAL_TEST_POSTGRES_URL is set (test/storage/backends.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { Storage } from 'reciprocal-oauth'
import { migratePostgresStorage, type PostgresClient, PostgresStorage } from 'reciprocal-oauth/postgres'
import { describe, expect, it } from 'vitest'
import { postgresClients } from '../storage/postgres-clients.js'
import { type TwoServices, twoServicesPerTest } from './two-services.js'

const startServices = twoServicesPerTest()
const { all: backends, table: freshTable } = postgresClients()

/** Two services whose parties keep everything in `client`'s table, on the services' own clock. */
async function servicesOver(client: PostgresClient): Promise<{ s: TwoServices; table: string; stores: Record<'a' | 'b', Storage> }> {
  const table = freshTable('e2e')
  await migratePostgresStorage(client, { table })
  let s: TwoServices | undefined
  const now = (): number => (s as TwoServices).runtime.now()
  const stores = {
    a: new PostgresStorage(client, { table, prefix: 'assistant:', now }),
    b: new PostgresStorage(client, { table, prefix: 'music:', now }),
  }
  s = await startServices({ reciprocalInTokenResponse: 'assistant.announce assistant.read', wrapStorage: (_memory, party) => stores[party] })
  return { s, table, stores }
}

async function announce(s: TwoServices, token?: string): Promise<number> {
  const bearer = token ?? (await s.partyB.accessToken('assistant', 'alice'))
  return (await fetch(`${s.a.url}/api/announce`, { method: 'POST', headers: { authorization: `Bearer ${bearer}` }, body: 'Now playing' })).status
}

async function nowPlaying(s: TwoServices, linkId: string): Promise<number> {
  const token = await s.partyA.accessToken(linkId)
  return (await fetch(`${s.b.url}/api/now-playing`, { headers: { authorization: `Bearer ${token}` } })).status
}

describe.each(backends)('two parties over HTTP, both on PostgresStorage over %s', (_, client) => {
  it('SPEC R2–R5, R8.2: link, consent, redemption, both APIs, refresh and unlink — all state in the table, under each party’s prefix', async () => {
    const { s, table } = await servicesOver(client)
    const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
    await s.partyA.handleCallback(await s.authorizeAtB(url), 'alice-at-assistant')
    expect(await s.partyA.consent(linkId, { scope: 'assistant.announce' })).toMatchObject({ status: 'reciprocal-granted' })
    expect(await s.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'linked' })
    expect([await nowPlaying(s, linkId), await announce(s)]).toEqual([200, 200])

    // Both parties wrote their state to the table, each under its own prefix; the memory stores saw nothing.
    const { rows } = await client.query(`SELECT split_part(key, ':', 1) AS party, count(*)::int AS n FROM ${table} GROUP BY 1 ORDER BY 1`, [])
    expect(rows.map((row) => (row as { party: string }).party)).toEqual(['assistant', 'music'])
    expect([s.storageA.size(), s.storageB.size()]).toEqual([0, 0])

    // Tokens refresh when they near expiry (the stores read the services' clock, which the test moves).
    s.runtime.advance(3600 - 30)
    expect([await nowPlaying(s, linkId), await announce(s)]).toEqual([200, 200])

    const tokenAtA = await s.partyB.accessToken('assistant', 'alice')
    expect(await s.partyA.unlink(linkId)).toMatchObject({ status: 'unlinked' })
    expect(await announce(s, tokenAtA)).toBe(401)
  })
})

describe('PGlite on disk: the state survives a restart of both processes', () => {
  it('a link made before the restart works after it, over a new PGlite opened on the same directory', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reciprocal-pglite-'))
    try {
      const first = new PGlite(dir)
      const table = 'reciprocal_oauth_storage'
      await migratePostgresStorage(first, { table })
      let s: TwoServices | undefined
      const now = (): number => (s as TwoServices).runtime.now()
      const over = (db: PostgresClient) => ({ a: new PostgresStorage(db, { prefix: 'assistant:', now }), b: new PostgresStorage(db, { prefix: 'music:', now }) })
      const before = over(first)
      s = await startServices({ reciprocalInTokenResponse: 'assistant.announce', wrapStorage: (_memory, party) => before[party] })
      const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
      await s.partyA.handleCallback(await s.authorizeAtB(url), 'alice-at-assistant')
      await s.partyA.consent(linkId, { scope: 'assistant.announce' })
      await first.close()

      const second = new PGlite(dir)
      const after = over(second)
      const restarted = { ...s, ...s.restart((_memory, party) => after[party]) }
      try {
        expect(await restarted.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'linked' })
        expect([await nowPlaying(restarted, linkId), await announce(restarted)]).toEqual([200, 200])
      } finally {
        await second.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
