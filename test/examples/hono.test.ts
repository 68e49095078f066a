// examples/hono: both parties on Hono, served on loopback through the SDK's Node adapter
// (Hono apps are `(Request) => Response`), drive the whole flow.
import { afterAll, describe, it } from 'vitest'
import { assistantApp, musicApp } from '../../examples/hono/app.js'
import { serve, type Served } from '../helpers/serve.js'
import { driveWholeFlow, parties } from './framework-flow.js'

describe('examples/hono', () => {
  const servers: Served[] = []
  afterAll(() => Promise.all(servers.map((server) => server.close())))

  it('SPEC R1.2, R3.3, R4.1–R4.4, R5.2: steps A–G, both APIs and unlinking through Hono routes; the SDK answers its own refusals (RFC 6749 §5.2)', async () => {
    const [a, b] = [await serve(), await serve()]
    servers.push(a, b)
    const origins = { assistant: a.url, music: b.url }
    const both = parties(origins)
    const assistant = assistantApp(both.assistant)
    const music = musicApp(both.music, origins.assistant)
    a.use(async (request) => assistant.fetch(request))
    b.use(async (request) => music.fetch(request))
    await driveWholeFlow(origins, both)
  })
})
