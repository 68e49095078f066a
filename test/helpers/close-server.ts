// Test helper: closes a `node:http` server now, open keep-alive connections included (imports no
// vitest, so child processes bundle it too).
import type { Server } from 'node:http'

/** Closes `server` and every connection it holds; a server already closed is not an error. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve, reject) => {
    server.close((error?: Error & { code?: string }) => (error === undefined || error.code === 'ERR_SERVER_NOT_RUNNING' ? resolve() : reject(error)))
  })
}
