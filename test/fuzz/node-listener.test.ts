// Hostile input through the Node adapter on a real `node:http` server (issue 9 item 7; SPEC R7.5,
// R8.4): party A's token endpoint mounted with `toNodeListener`, as README mounts it, on loopback;
// the token endpoint's cases sent over HTTP/1.1 with a keep-alive agent. What Node's HTTP parser
// refuses itself (a method it does not know) never reaches the SDK and is tallied apart.
import { request as httpRequest, Agent, createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toNodeListener } from 'reciprocal-oauth/node'
import { afterAll, beforeAll, describe, it } from 'vitest'
import type { FormCase } from './form-cases.js'
import { type DoorRunner, runFormCase } from './form-endpoint.js'
import { type Answer, FUZZ_TIMEOUT_MS, Tally, fuzz, unhandledRejections } from './harness.js'
import { type PartyAServer, partyAServer, tokenEndpointCases, tokenEndpointTarget } from './party-a-server.js'
import { closeServer } from '../helpers/close-server.js'

const FILE = 'test/fuzz/node-listener.test.ts'
const rejections = unhandledRejections()
const tally = new Tally("party A's token endpoint through toNodeListener on node:http")
afterAll(() => console.log(tally.report()))

/**
 * Headers that steer Node's HTTP machinery itself (framing, upgrades, 100-continue), not the
 * request the SDK gets: Node handles them before or instead of the request listener.
 */
const CONNECTION_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'upgrade', 'expect', 'keep-alive', 'te', 'trailer'])

/** Headers for `http.request`: repeats as arrays; no Content-Length (Node sends the body's own, so the framing holds). */
function nodeHeaders(c: FormCase): Record<string, string | string[]> {
  const headers: Record<string, string[]> = {}
  for (const [name, value] of c.headers) {
    if (CONNECTION_HEADERS.has(name.toLowerCase())) continue
    ;(headers[name.toLowerCase()] ??= []).push(value)
  }
  return Object.fromEntries(Object.entries(headers).map(([name, values]) => [name, values.length === 1 ? (values[0] ?? '') : values]))
}

function flat(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]))
}

describe("hostile input through toNodeListener on a real node:http server (SPEC R7.5, R8.4)", () => {
  let fixture: PartyAServer
  let server: Server
  let agent: Agent
  let port: number
  beforeAll(async () => {
    fixture = await partyAServer()
    server = createServer(toNodeListener(fixture.server.tokenEndpoint, { onEvent: (event) => void fixture.events.push(event) }))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
    agent = new Agent({ keepAlive: true, maxSockets: 1 })
  })
  afterAll(async () => {
    agent.destroy()
    await closeServer(server)
  })

  /** Sends the case; `undefined` when Node's client cannot send it (an invalid method or header), or Node's parser answered. */
  const nodeDoor: DoorRunner = (_target, c) =>
    new Promise<Answer | undefined>((resolve, reject) => {
      // CONNECT is a tunnel: Node hands it to a 'connect' listener, never to the request listener.
      if (c.method.toUpperCase() === 'CONNECT') return resolve(undefined)
      const body = ['GET', 'HEAD'].includes(c.method.toUpperCase()) ? undefined : Buffer.from(c.body)
      let request
      try {
        request = httpRequest({ host: '127.0.0.1', port, path: '/token', method: c.method, agent, headers: { ...nodeHeaders(c), ...(body === undefined ? {} : { 'content-length': String(body.byteLength) }) } })
      } catch {
        // expected: a method or header value Node's client refuses to send.
        resolve(undefined)
        return
      }
      request.on('error', reject)
      request.on('response', (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const head = c.method.toUpperCase() === 'HEAD'
          const answer = { status: response.statusCode ?? 0, headers: flat(response.headers), body: Buffer.concat(chunks).toString('utf8'), ...(head ? { head } : {}) }
          // Node's own parser refusal (400, or 431 for headers over its limit; Connection: close; no body): the SDK never saw the request.
          const parser = [400, 431].includes(answer.status) && answer.headers['connection'] === 'close' && answer.body === '' && answer.headers['cache-control'] === undefined
          if (parser) tally.count('refused by the node:http parser')
          resolve(parser ? undefined : answer)
        })
      })
      request.end(body)
    })

  it(
    'SPEC R7.5: through a real server every request still gets a well-formed OAuth error or, only when valid, tokens; no storage change for a malformed or refused one; nothing leaks',
    async () => {
      const target = tokenEndpointTarget(fixture)
      await fuzz(FILE, tokenEndpointCases(fixture), (c) => runFormCase(target, c, tally, rejections.settle, [['node', nodeDoor]]))
      tally.expectReached(['valid:200', 'malformed:400', 'malformed:401', 'malformed:405', 'refused:401'].map((kind) => `node:${kind}`))
    },
    FUZZ_TIMEOUT_MS,
  )
})
