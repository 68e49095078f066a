// Serving a service with Node through the SDK's Node adapter, on a port chosen now and a service
// bound later (so that two services can learn each other's address first). The SDK's endpoints
// are served through their lower door (no Web Request per call); every other route through the
// service's Web handler.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toNodeListener, type LowerDoorHandler, type NodeListener } from 'reciprocal-oauth/node'

export interface Service {
  /** The service's own routes: pages, its API. */
  readonly fetch: (request: Request) => Promise<Response>
  /** The SDK endpoints it mounts, by path: its token and revocation endpoints. */
  readonly endpoints: Readonly<Record<string, LowerDoorHandler>>
}

export interface Listening {
  readonly origin: string
  use(service: Service): void
  close(): Promise<void>
}

export async function listen(port: number, host = '127.0.0.1'): Promise<Listening> {
  let routes: NodeListener = toNodeListener(async () => new Response('starting', { status: 503 }))
  let endpoints = new Map<string, NodeListener>()
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/'
    return (endpoints.get(path) ?? routes)(request, response)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`
  return {
    origin,
    use: (service) => {
      endpoints = new Map(Object.entries(service.endpoints).map(([path, endpoint]) => [path, toNodeListener(endpoint)]))
      routes = toNodeListener((request) => service.fetch(request))
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
