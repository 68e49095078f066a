// Test helper: a `node:http` server on an ephemeral loopback port whose listener is set later, so
// that two services learn each other's origin before they are built.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { closeServer } from '../helpers/close-server.js'

export type NodeHandler = (request: IncomingMessage, response: ServerResponse) => unknown

export interface Loopback {
  readonly origin: string
  use(handler: NodeHandler): void
  close(): Promise<void>
}

export async function loopback(): Promise<Loopback> {
  let handle: NodeHandler = (_request, response) => response.writeHead(503).end()
  const server = createServer((request, response) => handle(request, response))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    use: (handler) => {
      handle = handler
    },
    close: () => closeServer(server),
  }
}
