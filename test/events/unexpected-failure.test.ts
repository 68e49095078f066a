// SPEC R8.1, R7.4: an unexpected failure behind any door — a storage that throws — is told to the
// observer with its (redacted) error, and answered with a bare 500 that carries nothing of it.
import { ClientSecretBasic, createPartyB, ErrorCode, MemoryStorage, type ReciprocalEvent, staticClients, type Storage, StorageFullError } from 'reciprocal-oauth'
import { toNodeRawListener } from 'reciprocal-oauth/node'
import { createReciprocalReceiver, type HttpResult, webHandler } from 'reciprocal-oauth/server'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { bearer, formPost, makeServer, MUSIC, MUSIC_REDIRECT, wrapStorage } from '../server/fixtures.js'

const SECRET = 'Secret-In-The-Error-8f3a'
const broken = (): Error => Object.assign(new Error(`storage down while reading code:${SECRET}`), { code: 'ECONNRESET' })
const throwing = (error: () => Error = broken): Storage => {
  const fail = (): never => {
    throw error()
  }
  return wrapStorage(new MemoryStorage(), { get: fail, set: fail, add: fail, take: fail, delete: fail })
}

function observed() {
  const events: ReciprocalEvent[] = []
  return { events, onEvent: (event: ReciprocalEvent) => void events.push(event) }
}

function expectBare500(result: { status: number; body: string }, events: ReciprocalEvent[], where: string): void {
  expect(result.status).toBe(500)
  expect(JSON.parse(result.body)).toEqual({ error: 'server_error', error_description: 'The server could not handle the request' })
  expect(events).toEqual([expect.objectContaining({ type: 'unexpected-failure', where, error: { name: 'Error', code: 'ECONNRESET' } })])
  expect(JSON.stringify(events)).not.toContain(SECRET)
}

const redeem = formPost({ grant_type: 'authorization_code', code: 'some-code' })

describe('SPEC R8.1: every door reports an unexpected failure and answers a bare 500', () => {
  it('token endpoint, both doors', async () => {
    for (const door of ['handle', 'fetch'] as const) {
      const { events, onEvent } = observed()
      const { server } = makeServer({ storage: throwing(), onEvent })
      const result =
        door === 'handle'
          ? await server.tokenEndpoint.handle(redeem)
          : await (async () => {
              const response = await server.tokenEndpoint.fetch(new Request('https://as.example/token', { method: 'POST', headers: redeem.headers as Record<string, string>, body: String(redeem.body) }))
              return { status: response.status, body: await response.text() }
            })()
      expectBare500(result, events, 'token-endpoint')
    }
  })

  it('revocation endpoint', async () => {
    const { events, onEvent } = observed()
    const { server } = makeServer({ storage: throwing(), onEvent })
    expectBare500(await server.revocationEndpoint.handle(formPost({ token: 'some-token' })), events, 'revocation-endpoint')
  })

  it('resource server (bearer check)', async () => {
    const { events, onEvent } = observed()
    const { server } = makeServer({ storage: throwing(), onEvent })
    const check = await server.authenticateRequest(bearer('some-token'), 'assistant.read')
    expect(check.ok).toBe(false)
    if (!check.ok) expectBare500(check.result, events, 'resource-server')
  })

  it('authorization endpoint (a client registry that throws)', async () => {
    const { events, onEvent } = observed()
    const { server } = makeServer({ onEvent, clients: { findClient: () => Promise.reject(broken()) } })
    const check = await server.authorization.validate(`https://as.example/authorize?client_id=music&redirect_uri=${MUSIC_REDIRECT}`)
    expect(check).toMatchObject({ ok: false, error: { error: 'server_error', status: 500 } })
    expect(events).toEqual([expect.objectContaining({ type: 'unexpected-failure', where: 'authorization-endpoint', error: { name: 'Error', code: 'ECONNRESET' } })])
  })

  it('reciprocal receiver', async () => {
    const { events, onEvent } = observed()
    const receiver = createReciprocalReceiver({
      clients: staticClients([MUSIC]),
      audiences: ['https://b.example'],
      verifyAccessToken: () => Promise.reject(broken()),
      onCode: async () => ({ ok: true }),
      onEvent,
    })
    const result = await receiver.handle(formPost({ grant_type: 'urn:ietf:params:oauth:grant-type:reciprocal', code: 'c', client_id: 'music', access_token: 'at' }))
    expectBare500(result, events, 'reciprocal-receiver')
  })

  const reciprocalPost = formPost({ grant_type: 'urn:ietf:params:oauth:grant-type:reciprocal', code: 'c', client_id: 'music', access_token: 'at' })
  const aliceToken = async () => ({ clientId: 'music', subject: 'alice', scope: 'assistant.read' })
  const musicPeer = { as: { issuer: 'https://a.example', token_endpoint: 'https://a.example/token' }, client: { client_id: 'music' }, clientAuth: ClientSecretBasic('s') }

  it('reciprocal receiver: its storage fails (the received-code marker)', async () => {
    const { events, onEvent } = observed()
    const receiver = createReciprocalReceiver({
      clients: staticClients([MUSIC]),
      audiences: ['https://b.example'],
      verifyAccessToken: aliceToken,
      onCode: async () => ({ ok: true }),
      storage: throwing(),
      onEvent,
    })
    expectBare500(await receiver.handle(reciprocalPost), events, 'reciprocal-receiver')
  })

  it("party B's receiver: the driver's own link store fails while it answers A's POST — a bare 500, the storage failure told by party B (ERR_STORAGE_FAILED) and the 500 by the receiver", async () => {
    const { events, onEvent } = observed()
    const fail = (key: string): void => {
      if (key.startsWith('party-b:') || key.startsWith('lease:party-b:')) throw broken()
    }
    const inner = new MemoryStorage()
    const storage = wrapStorage(inner, {
      get: async (key) => (fail(key), inner.get(key)),
      set: async (key, value, ttl) => (fail(key), inner.set(key, value, ttl)),
      add: async (key, value, ttl) => (fail(key), inner.add(key, value, ttl)),
    })
    const partyB = createPartyB({ peers: { music: musicPeer }, clients: staticClients([MUSIC]), audiences: ['https://b.example'], verifyAccessToken: aliceToken, storage, onEvent })
    const result = await partyB.receiver.handle(reciprocalPost)
    expect(result.status).toBe(500)
    expect(JSON.parse(result.body)).toEqual({ error: 'server_error', error_description: 'The server could not handle the request' })
    const storageFailed = { name: 'ReciprocalError', code: ErrorCode.StorageFailed, retryable: true }
    expect(events).toEqual([
      expect.objectContaining({ type: 'unexpected-failure', source: 'party-b', where: 'party-b', error: expect.objectContaining(storageFailed) }),
      expect.objectContaining({ type: 'unexpected-failure', source: 'reciprocal-receiver', where: 'reciprocal-receiver', error: expect.objectContaining(storageFailed) }),
    ])
    expect(JSON.stringify(events)).not.toContain(SECRET)
  })

  it("party B's receiver: the driver's own link store is full — 503 with Retry-After, as for the server's own storage", async () => {
    const inner = new MemoryStorage()
    const full = (key: string): void => {
      if (key.startsWith('party-b:')) throw new StorageFullError(10)
    }
    const storage = wrapStorage(inner, { get: async (key) => (full(key), inner.get(key)) })
    const partyB = createPartyB({ peers: { music: musicPeer }, clients: staticClients([MUSIC]), audiences: ['https://b.example'], verifyAccessToken: aliceToken, storage })
    const result = await partyB.receiver.handle(reciprocalPost)
    expect(result.status).toBe(503)
    expect(result.headers['retry-after']).toBe('60')
    expect(JSON.parse(result.body)).toMatchObject({ error: 'temporarily_unavailable' })
  })

  it('webHandler and the Node adapter, around a handler that throws', async () => {
    const failing = (): Promise<HttpResult> => Promise.reject(broken())
    const web = observed()
    const response = await webHandler(failing, undefined, { onEvent: web.onEvent })(new Request('https://x.example/', { method: 'POST', body: 'a=b' }))
    expectBare500({ status: response.status, body: await response.text() }, web.events, 'http-adapter')

    const node = observed()
    const server = createServer(toNodeRawListener(failing, { onEvent: node.onEvent }))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const answer = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: 'POST', body: 'a=b' })
      expectBare500({ status: answer.status, body: await answer.text() }, node.events, 'http-adapter')
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('a full storage is 503 with Retry-After, and reported', async () => {
    const { events, onEvent } = observed()
    const { server } = makeServer({ storage: throwing(() => new StorageFullError(10)), onEvent })
    const result = await server.tokenEndpoint.handle(redeem)
    expect(result.status).toBe(503)
    expect(result.headers['retry-after']).toBe('60')
    expect(JSON.parse(result.body)).toMatchObject({ error: 'temporarily_unavailable' })
    expect(events).toEqual([expect.objectContaining({ where: 'token-endpoint', error: expect.objectContaining({ name: 'StorageFullError', code: 'ERR_STORAGE_FULL' }) })])
  })
})
