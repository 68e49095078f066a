// Test helper: serve a Web `(Request) => Promise<Response>` handler on 127.0.0.1 with node:http.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Served {
  /** The server's origin, `http://127.0.0.1:<port>`. */
  readonly url: string
  /** Sets the handler; until then the server answers 503 (lets two servers learn each other's URL first). */
  use(handler: WebHandler): void
  close(): Promise<void>
}

export type WebHandler = (request: Request) => Promise<Response>

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else if (value !== undefined) headers.set(name, value)
  }
  const method = req.method ?? 'GET'
  const body = method === 'GET' || method === 'HEAD' ? null : new Uint8Array(Buffer.concat(chunks))
  return new Request(new URL(req.url ?? '/', origin), { method, headers, body })
}

/** Starts a server on an ephemeral loopback port. */
export async function serve(): Promise<Served> {
  let origin = ''
  let handle: WebHandler = async () => new Response('starting', { status: 503 })
  const server: Server = createServer(async (req, res) => {
    try {
      const response = await handle(await toRequest(req, origin))
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(`test bridge: ${String(err)}`)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: origin,
    use: (handler) => {
      handle = handler
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
