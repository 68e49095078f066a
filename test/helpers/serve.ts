// Test helper: serve a Web `(Request) => Promise<Response>` handler on 127.0.0.1 through the SDK's
// Node adapter.
import { toNodeListener } from 'reciprocal-oauth/node'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { closeServer } from './close-server.js'

export type WebHandler = (request: Request) => Promise<Response>

export interface Served {
  /** The server's origin, `http://127.0.0.1:<port>`. */
  readonly url: string
  /** Sets the handler; until then the server answers 503 (lets two servers learn each other's URL first). */
  use(handler: WebHandler): void
  close(): Promise<void>
}

/** Starts a server on an ephemeral loopback port. */
export async function serve(): Promise<Served> {
  let handle: WebHandler = async () => new Response('starting', { status: 503 })
  const server: Server = createServer(toNodeListener((request) => handle(request)))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    use: (handler) => {
      handle = handler
    },
    close: () => closeServer(server),
  }
}
