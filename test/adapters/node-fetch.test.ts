// Outbound calls to a peer on Node (issue 8): `nodeFetch` carries the SDK's peer calls on Node's
// own HTTP clients, and both it and the global fetch reuse one connection per peer. Real loopback
// servers; no timing is asserted.
import { ClientSecretBasic, ErrorCode, ReciprocalError, type PeerConfig } from 'reciprocal-oauth'
import { redeemReciprocalCode } from 'reciprocal-oauth/client'
import { nodeFetch, toNodeListener } from 'reciprocal-oauth/node'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { FULL_SCOPE, ISSUER, MUSIC, makeServer } from '../server/fixtures.js'
import { closeServer } from '../helpers/close-server.js'

let servers: Server[] = []
afterEach(async () => {
  for (const server of servers) await closeServer(server)
  servers = []
})

/** A loopback server; `connections()` counts the TCP connections it accepted. */
async function listen(listener: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ url: string; connections: () => number }> {
  const server = createServer(listener)
  servers.push(server)
  let accepted = 0
  server.on('connection', () => accepted++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => accepted }
}

/** Party A's token endpoint on a loopback server, and B's peer configuration of it. */
async function tokenEndpointOfA(fetch?: typeof globalThis.fetch) {
  const { server } = makeServer()
  const served = await listen(toNodeListener(server.tokenEndpoint))
  const peer: PeerConfig = {
    as: { issuer: ISSUER, token_endpoint: `${served.url}/token` },
    client: { client_id: MUSIC.clientId },
    clientAuth: ClientSecretBasic(MUSIC.clientSecret ?? ''),
    allowInsecureRequests: true,
    ...(fetch === undefined ? {} : { fetch }),
  }
  const code = async (): Promise<string> => (await server.mintCode({ clientId: MUSIC.clientId, subject: 'alice', scope: FULL_SCOPE, supersede: true })).code
  return { served, peer, code }
}

async function rejection(promise: Promise<unknown>): Promise<ReciprocalError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(ReciprocalError)
  return error as ReciprocalError
}

describe('outbound calls to a peer reuse their connection (issue 8)', () => {
  for (const [name, fetch] of [
    ['the global fetch (the default)', undefined],
    ['nodeFetch', nodeFetch],
  ] as const) {
    it(`SPEC R4.1: ten redemptions in a row through ${name} keep their connections to A open and reuse them`, async () => {
      const { served, peer, code } = await tokenEndpointOfA(fetch)
      for (let i = 0; i < 10; i++) {
        expect(await redeemReciprocalCode(peer, await code(), { now: 0 })).toMatchObject({ tokenType: 'Bearer' })
      }
      // Not one per call. (undici opens a second connection for the second call, whose first one
      // it has not yet marked free when the answer was read, then takes turns on the two.)
      expect(served.connections()).toBeLessThanOrEqual(2)
    })
  }
})

describe('nodeFetch: what the SDK needs of a fetch, on node:http', () => {
  it('SPEC R4.1: its answer, read whole within the limit already, is handed to oauth4webapi as it is: one Response per call', async () => {
    const { peer, code } = await tokenEndpointOfA(nodeFetch)
    const minted = await code()
    const Original = globalThis.Response
    let built = 0
    globalThis.Response = new Proxy(Original, {
      construct(target, args, newTarget) {
        built++
        return Reflect.construct(target, args, newTarget) as object
      },
    })
    try {
      expect(await redeemReciprocalCode(peer, minted, { now: 0 })).toMatchObject({ tokenType: 'Bearer' })
    } finally {
      globalThis.Response = Original
    }
    expect(built).toBe(1)
  })

  it('sends the method, headers and form body, and hands back status, repeated headers and body', async () => {
    const seen: { method?: string | undefined; type?: string | undefined; auth?: string | undefined; body?: string } = {}
    const { url } = await listen(async (request, response) => {
      let body = ''
      for await (const chunk of request) body += String(chunk)
      Object.assign(seen, { method: request.method, type: request.headers['content-type'], auth: request.headers.authorization, body })
      response.writeHead(201, [
        ['content-type', 'application/json'],
        ['x-twice', 'a'],
        ['x-twice', 'b'],
      ])
      response.end('{"ok":true}')
    })
    const answer = await nodeFetch(`${url}/token`, { method: 'POST', headers: { authorization: 'Basic eA==' }, body: new URLSearchParams({ a: '1', b: 'x y' }) })
    expect(seen).toEqual({ method: 'POST', type: 'application/x-www-form-urlencoded;charset=UTF-8', auth: 'Basic eA==', body: 'a=1&b=x+y' })
    expect(answer.status).toBe(201)
    expect(answer.headers.get('x-twice')).toBe('a, b')
    expect(await answer.json()).toEqual({ ok: true })
  })

  it('SPEC R7.7: never follows a redirect: the SDK refuses it', async () => {
    let hits = 0
    const { url } = await listen((_request, response) => {
      hits++
      response.writeHead(307, { location: 'http://127.0.0.1:1/elsewhere' })
      response.end()
    })
    const peer: PeerConfig = { as: { issuer: url, token_endpoint: `${url}/token` }, client: { client_id: 'music' }, clientAuth: ClientSecretBasic('s'), allowInsecureRequests: true, fetch: nodeFetch }
    const error = await rejection(redeemReciprocalCode(peer, 'code', { now: 0 }))
    expect(error.code).toBe(ErrorCode.InvalidResponse)
    expect(hits).toBe(1)
  })

  it('drops an answer larger than the SDK reads from a peer, as soon as it passes the limit', async () => {
    const { url } = await listen((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(`"${'x'.repeat(300 * 1024)}"`)
    })
    const peer: PeerConfig = { as: { issuer: url, token_endpoint: `${url}/token` }, client: { client_id: 'music' }, clientAuth: ClientSecretBasic('s'), allowInsecureRequests: true, fetch: nodeFetch }
    expect((await rejection(redeemReciprocalCode(peer, 'code', { now: 0 }))).code).toBe(ErrorCode.InvalidResponse)
  })

  it('SPEC R7.7: the peer timeout aborts a call that gets no answer (a retryable Timeout)', async () => {
    const { url } = await listen(() => undefined /* never answers */)
    const peer: PeerConfig = {
      as: { issuer: url, token_endpoint: `${url}/token` },
      client: { client_id: 'music' },
      clientAuth: ClientSecretBasic('s'),
      allowInsecureRequests: true,
      fetch: nodeFetch,
      timeoutMs: 50,
    }
    const error = await rejection(redeemReciprocalCode(peer, 'code', { now: 0 }))
    expect(error).toMatchObject({ code: ErrorCode.Timeout, retryable: true })
  })

  it('a refused connection is a retryable Network error', async () => {
    const { url } = await listen(() => undefined)
    await afterEachClose()
    const peer: PeerConfig = { as: { issuer: url, token_endpoint: `${url}/token` }, client: { client_id: 'music' }, clientAuth: ClientSecretBasic('s'), allowInsecureRequests: true, fetch: nodeFetch }
    expect(await rejection(redeemReciprocalCode(peer, 'code', { now: 0 }))).toMatchObject({ code: ErrorCode.Network, retryable: true })
  })

  it('gives a 204 answer no body, and refuses what it cannot send (a Request, a stream body, another scheme)', async () => {
    const { url } = await listen((_request, response) => {
      response.writeHead(204)
      response.end()
    })
    expect((await nodeFetch(url, { method: 'DELETE' })).body).toBeNull()
    await expect(nodeFetch(new Request(url))).rejects.toThrow(TypeError)
    await expect(nodeFetch(url, { method: 'POST', body: new Blob(['x']) })).rejects.toThrow(TypeError)
    await expect(nodeFetch('ftp://127.0.0.1/x')).rejects.toThrow(TypeError)
  })
})

/** Closes the servers now (a refused connection needs a port nobody listens on). */
async function afterEachClose(): Promise<void> {
  for (const server of servers) await new Promise((resolve) => server.close(resolve))
  servers = []
}
