// The pending log of a driver over a storage it made itself lives in memory (issue 8: no storage
// round trip to log a link no other process can see). Same entries and lifetimes as the storage's
// log; expired entries cannot pile up; resume() still finds the work a link has left.
import { createPartyB, ErrorCode, staticClients } from 'reciprocal-oauth'
import { GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import { ClientSecretBasic } from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { LocalPendingLog } from '../../src/drivers/local-pending-log.js'

const TTL = 3600

function clocked() {
  let now = 1_000
  const log = new LocalPendingLog({ now: () => now }, TTL)
  return { log, advance: (seconds: number) => (now += seconds), links: async () => (await log.entries()).map((entry) => entry.link) }
}

describe('the in-memory pending log (SPEC R4.3, R5.2)', () => {
  it('keeps each entry until removed or expired, oldest first, each slot its own', async () => {
    const { log, advance, links } = clocked()
    const a = await log.append('a', TTL)
    const b = await log.append('b', 60)
    const c = await log.append('c', 10 * TTL) // capped at the longest lifetime
    expect(new Set([a, b, c]).size).toBe(3)
    expect(await links()).toEqual(['a', 'b', 'c'])
    await log.remove(a)
    expect(await links()).toEqual(['b', 'c'])
    advance(61)
    expect(await links()).toEqual(['c'])
    advance(TTL)
    expect(await links()).toEqual([])
  })

  it('drops expired entries as it goes, so they cannot pile up when nobody calls resume', async () => {
    const { log, advance } = clocked()
    for (let i = 0; i < 1000; i++) await log.append(`failed-${i}`, 60)
    advance(61)
    // Links keep coming and their work is done at once: the expired entries go meanwhile.
    for (let i = 0; i < 1000; i++) await log.remove(await log.append(`done-${i}`, 60))
    expect(log.size).toBe(0)
  })
})

describe('a party B over its own storage keeps its pending log in memory', () => {
  it("SPEC R5.2: an unlink whose revocation at A failed is found and finished by resume()", async () => {
    const secret = 'assistant-secret-at-music-0123456789'
    const revocation = { down: true }
    const partyB = createPartyB({
      clients: staticClients([{ clientId: 'assistant', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: secret, scope: 'music.read' }]),
      audiences: ['https://music.example', 'https://music.example/token'],
      verifyAccessToken: async (token) => (token.startsWith('token-for:') ? { clientId: 'assistant', subject: token.slice(10), scope: 'music.read' } : undefined),
      revokeLink: async () => undefined,
      peers: {
        assistant: {
          as: { issuer: 'https://assistant.example', token_endpoint: 'https://assistant.example/token', revocation_endpoint: 'https://assistant.example/revoke' },
          client: { client_id: 'music' },
          clientAuth: ClientSecretBasic('music-secret-at-assistant-9876543210'),
          fetch: (async (input: string | URL | Request) => {
            if (new URL(String(input)).pathname === '/revoke') return new Response(null, { status: revocation.down ? 503 : 200 })
            return Response.json({ access_token: crypto.randomUUID(), token_type: 'Bearer', expires_in: 3600 }, { headers: { 'cache-control': 'no-store' } })
          }) as typeof fetch,
        },
      },
    })
    const body = new URLSearchParams({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code: 'code-1', access_token: 'token-for:alice' })
    const headers = { authorization: `Basic ${btoa(`assistant:${secret}`)}`, 'content-type': 'application/x-www-form-urlencoded' }
    expect(await partyB.receiver.handle({ method: 'POST', headers, body: body.toString() })).toMatchObject({ status: 200 })
    expect(await partyB.resume()).toBe(0) // linked: nothing left to do

    expect(await partyB.unlink('assistant', 'alice')).toMatchObject({ status: 'unlinked', error: { code: ErrorCode.PeerUnavailable } })
    revocation.down = false
    expect(await partyB.resume()).toBe(1)
    expect(await partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'unlinked', outbox: [] })
    expect(await partyB.resume()).toBe(0)
  })
})
