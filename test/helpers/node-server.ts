// Test helper: one `node:http` server per test, closed (connections included) after it.
import type { Server } from 'node:http'
import { afterEach } from 'vitest'
import { closeServer } from './close-server.js'

/** Call at the top of a file; `track(server)` in a test registers the server to close after it. */
export function closeServersAfterEach(): (server: Server) => Server {
  const servers: Server[] = []
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(closeServer),
    )
  })
  return (server) => {
    servers.push(server)
    return server
  }
}
