// examples/express: both parties on Express, on loopback, drive the whole flow; the SDK's
// endpoints are mounted through their lower door, before the body parser.
import express from 'express'
import type { IncomingMessage } from 'node:http'
import { toNodeListener } from 'reciprocal-oauth/node'
import { afterAll, describe, expect, it } from 'vitest'
import { assistantApp, musicApp } from '../../examples/express/app.js'
import { driveWholeFlow, parties } from './framework-flow.js'
import { loopback, type Loopback } from './loopback.js'

describe('examples/express', () => {
  const servers: Loopback[] = []
  afterAll(() => Promise.all(servers.map((server) => server.close())))

  it('SPEC R1.2, R3.3, R4.1–R4.4, R5.2: steps A–G, both APIs and unlinking through Express routes; the SDK answers its own refusals (RFC 6749 §5.2)', async () => {
    const [a, b] = [await loopback(), await loopback()]
    servers.push(a, b)
    const origins = { assistant: a.origin, music: b.origin }
    const both = parties(origins)
    a.use(assistantApp(both.assistant, origins))
    b.use(musicApp(both.music, origins))
    await driveWholeFlow(origins, both)
  })
})

// As docs/integrations/express.md shows it: body-parser's `verify` hook keeps the bytes it read.
const raw = new WeakMap<IncomingMessage, Uint8Array>()
const keepRawBody = (req: IncomingMessage, _res: unknown, buffer: Uint8Array) => void raw.set(req, buffer)
const rawBody = (req: IncomingMessage) => raw.get(req)

describe('docs/integrations/express.md: an endpoint behind a global body parser', () => {
  it('RFC 6749 §5.2, SPEC R7.5: the raw bytes kept by the parser reach the lower door; without them the SDK sees no body', async () => {
    const server = await loopback()
    const { assistant } = parties({ assistant: server.origin, music: 'http://127.0.0.1:1' })
    const endpoint = assistant.authorizationServer.tokenEndpoint
    const app = express()
    app.use(express.urlencoded({ extended: false, verify: keepRawBody }))
    app.all('/token', async (req, res) => {
      const result = await endpoint.handle({ method: req.method, headers: req.headersDistinct, body: rawBody(req) })
      res.status(result.status).set(result.headers).send(result.body)
    })
    app.all('/token-unread', toNodeListener(endpoint))
    server.use(app)
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${btoa('music:wrong')}` }, body: 'grant_type=authorization_code&code=x' }
    // The client is authenticated (and refused) only when the endpoint saw the body.
    const answered = await fetch(`${server.origin}/token`, form)
    expect(await answered.json()).toMatchObject({ error: 'invalid_client' })
    const consumed = await fetch(`${server.origin}/token-unread`, form)
    expect(await consumed.json()).toMatchObject({ error: 'invalid_request' })
    await server.close()
  })
})
