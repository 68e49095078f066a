// examples/fastify: both parties on Fastify, on loopback, drive the whole flow; the SDK's
// endpoints get the bytes Fastify read, through their lower door.
import type { FastifyInstance } from 'fastify'
import { afterAll, describe, it } from 'vitest'
import { assistantApp, musicApp } from '../../examples/fastify/app.js'
import { driveWholeFlow, parties } from './framework-flow.js'
import { loopback, type Loopback } from './loopback.js'

describe('examples/fastify', () => {
  const servers: Loopback[] = []
  const apps: FastifyInstance[] = []
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()))
    await Promise.all(apps.map((app) => app.close()))
  })

  it('SPEC R1.2, R3.3, R4.1–R4.4, R5.2, R7.5: steps A–G, both APIs and unlinking through Fastify routes; the SDK answers its own refusals (RFC 6749 §5.2)', async () => {
    const [a, b] = [await loopback(), await loopback()]
    servers.push(a, b)
    const origins = { assistant: a.origin, music: b.origin }
    const both = parties(origins)
    const assistant = assistantApp(both.assistant, origins)
    const music = musicApp(both.music, origins)
    apps.push(assistant, music)
    await Promise.all([assistant.ready(), music.ready()])
    // app.routing: Fastify's whole request handling, on a server the test already started.
    a.use((request, response) => assistant.routing(request, response))
    b.use((request, response) => music.routing(request, response))
    await driveWholeFlow(origins, both)
  })
})
