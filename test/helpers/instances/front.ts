// A party's front door in the many-instances test: its one public origin (its issuer, where the
// other party and the user reach it), a reverse proxy on loopback that hands each request to one
// of the party's instances — the one the test names, or each in turn — as a load balancer would.
import { createServer, request as forward } from 'node:http'
import type { AddressInfo } from 'node:net'
import { closeServer } from '../close-server.js'

/** Which instance the next requests go to: the first or the second, each in turn, or none (503, the party is down). */
export type Route = 0 | 1 | 'alternate' | 'down'

export interface Front {
  /** The public origin, `http://127.0.0.1:<port>`. */
  readonly url: string
  /** The instances' own origins; until they are set, the front answers 503. */
  instances: readonly string[]
  /** Sends the next requests to `route`. */
  route(route: Route): void
  /** How many requests each instance was handed. */
  readonly served: number[]
  close(): Promise<void>
}

export async function startFront(): Promise<Front> {
  let route: Route = 0
  let turn = 0
  const served = [0, 0]
  const front: Omit<Front, 'url' | 'close'> = { instances: [], served, route: (next) => void (route = next) }
  const server = createServer((incoming, outgoing) => {
    if (route === 'down') return void outgoing.writeHead(503).end('down')
    const index = route === 'alternate' ? turn++ % 2 : route
    const target = front.instances[index]
    if (target === undefined) return void outgoing.writeHead(503).end('starting')
    served[index] = (served[index] ?? 0) + 1
    // The Host header stays the front's, as behind a reverse proxy.
    const upstream = forward(`${target}${incoming.url ?? '/'}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(outgoing)
    })
    upstream.on('error', () => (outgoing.headersSent ? outgoing.destroy() : outgoing.writeHead(502).end('instance unreachable')))
    incoming.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return Object.assign(front, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => closeServer(server),
  })
}
