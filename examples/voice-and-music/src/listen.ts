// Serving a Web handler with Node through the SDK's Node adapter, on a port chosen now and a
// handler bound later (so that two services can learn each other's address first).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toNodeListener } from 'reciprocal-oauth/node'

export interface Listening {
  readonly origin: string
  use(handler: (request: Request) => Promise<Response>): void
  close(): Promise<void>
}

export async function listen(port: number, host = '127.0.0.1'): Promise<Listening> {
  let handler: (request: Request) => Promise<Response> = async () => new Response('starting', { status: 503 })
  const server = createServer(toNodeListener((request) => handler(request)))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`
  return {
    origin,
    use: (next) => {
      handler = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
