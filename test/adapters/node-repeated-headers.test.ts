// Found by the fuzz suite (test/fuzz/node-listener.test.ts): Node's `IncomingMessage.headers`
// keeps only the first of a repeated Authorization or Content-Type header, so through the Node
// adapter a request the lower and Web doors refuse as ambiguous was served with the first value.
import { toNodeListener } from 'reciprocal-oauth/node'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { closeServersAfterEach } from '../helpers/node-server.js'
import { basic, makeServer, musicAuth } from '../server/fixtures.js'

const track = closeServersAfterEach()

/** POSTs `body` with `headers` sent as given: an array is sent as that many header lines. */
async function post(port: number, headers: Record<string, string | string[]>, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port, method: 'POST', path: '/token', headers }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }))
    })
    sent.on('error', reject)
    sent.end(body)
  })
}

const FORM = 'application/x-www-form-urlencoded'

describe('RFC 9110 §5.3, SPEC R7.5: through the Node adapter a repeated Authorization or Content-Type is refused, as at the other doors', () => {
  for (const mount of ['the endpoint (lower door)', 'its Web door'] as const) {
    it(`${mount}: the valid value first does not make the request valid, and the refusal leaves the code usable`, async () => {
      const h = makeServer()
      const endpoint = h.server.tokenEndpoint
      const server = track(createServer(toNodeListener(mount === 'its Web door' ? (r: Request) => endpoint.fetch(r) : endpoint)))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const { port } = server.address() as AddressInfo
      const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: 'assistant.read' })
      const body = `grant_type=authorization_code&code=${code}`

      const twoAuthorizations = await post(port, { 'content-type': FORM, authorization: [musicAuth.authorization, basic('other', 'x')] }, body)
      expect(twoAuthorizations.status).toBe(401)
      expect(twoAuthorizations.body['error']).toBe('invalid_client')
      const twoContentTypes = await post(port, { 'content-type': [FORM, 'text/plain'], ...musicAuth }, body)
      expect(twoContentTypes.status).toBe(400)
      expect(twoContentTypes.body['error']).toBe('invalid_request')

      const single = await post(port, { 'content-type': FORM, ...musicAuth }, body)
      expect(single.status).toBe(200)
    })
  }
})
