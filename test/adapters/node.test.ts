import { DEFAULT_NODE_METHODS, type NodeListener, toNodeListener, toNodeRawListener } from 'reciprocal-oauth/node'
import { jsonResult } from 'reciprocal-oauth/server'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { closeServersAfterEach } from '../helpers/node-server.js'
import { makeServer } from '../server/fixtures.js'

const track = closeServersAfterEach()

async function listen(listener: NodeListener): Promise<string> {
  const server = track(createServer(listener))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('Node adapter', () => {
  it('toNodeListener passes method, URL, headers and body, and keeps several Set-Cookie headers apart', async () => {
    const url = await listen(
      toNodeListener(async (request) => {
        const headers = new Headers({ 'content-type': 'application/json' })
        headers.append('set-cookie', 'a=1; Path=/')
        headers.append('set-cookie', 'b=2; Path=/')
        return new Response(JSON.stringify({ method: request.method, url: request.url, body: await request.text(), x: request.headers.get('x-test') }), {
          status: 201,
          headers,
        })
      }),
    )
    const response = await fetch(`${url}/path?q=1`, { method: 'POST', headers: { 'x-test': 'yes' }, body: 'hello' })
    expect(response.status).toBe(201)
    expect(await response.json()).toEqual({ method: 'POST', url: `${url}/path?q=1`, body: 'hello', x: 'yes' })
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/'])
  })

  it('toNodeRawListener calls the lower door with the bytes read, no Request built', async () => {
    const url = await listen(
      toNodeRawListener(async (raw) => jsonResult(200, { method: raw.method, length: (raw.body as Uint8Array).byteLength, url: raw.url })),
    )
    const response = await fetch(`${url}/token`, { method: 'POST', body: 'a=b' })
    expect(await response.json()).toEqual({ method: 'POST', length: 3, url: `${url}/token` })
    expect(response.headers.get('cache-control')).toBe('no-store')
  })

  it('SPEC R7.5: a streamed body (no Content-Length) over the limit gets invalid_request, the handler never runs', async () => {
    const counted = countingListener(10)
    const url = await listen(counted.listener)
    const chunks = ['xxxxxx', 'xxxxxx']
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift()
        if (next === undefined) controller.close()
        else controller.enqueue(new TextEncoder().encode(next))
      },
    })
    const response = await fetch(url, { method: 'POST', body, duplex: 'half' } as RequestInit)
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
    expect(counted.calls()).toBe(0)
  })

  it('SPEC R7.5: a throwing handler becomes a bare 500 server_error, never a crash or a leaked message', async () => {
    const url = await listen(
      toNodeListener(async () => {
        throw new Error('secret-detail')
      }),
    )
    const response = await fetch(url)
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(JSON.parse(text)).toMatchObject({ error: 'server_error' })
    expect(text).not.toContain('secret-detail')
  })

  it('builds request.url from the configured origin behind a proxy', async () => {
    const url = await listen(toNodeListener(async (request) => new Response(request.url), { origin: 'https://assistant.example' }))
    expect(await (await fetch(`${url}/callback?code=x`)).text()).toBe('https://assistant.example/callback?code=x')
  })
})

describe('Node adapter: malformed requests (SPEC R7.5)', () => {
  it('a Host header that makes no URL gets 400 invalid_request, not a 500', async () => {
    const url = await listen(toNodeListener(async () => new Response('unreachable')))
    const { port } = new URL(url)
    const { request } = await import('node:http')
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: 'a b' } }, (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      req.end()
    })
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' })
  })

  it('a declared Content-Length over the limit is refused before the body is read', async () => {
    const counted = countingListener(10)
    const url = await listen(counted.listener)
    const response = await fetch(url, { method: 'POST', body: 'y'.repeat(1000) })
    expect(response.status).toBe(400)
    expect(counted.calls()).toBe(0)
  })
})

describe('Node adapter: methods (SPEC R7.5, RFC 9110 §15.5.6)', () => {
  it('TRACE through toNodeListener gets 405 with Allow, not 500 server_error; the handler never runs', async () => {
    let calls = 0
    const url = await listen(
      toNodeListener(async () => {
        calls++
        return new Response('unreachable')
      }),
    )
    const answer = await send(url, 'TRACE')
    expect(answer.status).toBe(405)
    expect(answer.headers['allow']).toBe(DEFAULT_NODE_METHODS.join(', '))
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' })
    expect(calls).toBe(0)
  })

  it.each(['CONNECT', 'TRACK', 'TRACE', 'PROPFIND'])('toNodeListener answers %s, which it does not carry, with 405', async (method) => {
    const answer = await callDirectly(toNodeListener(async () => new Response('unreachable')), method)
    expect(answer.status).toBe(405)
    expect(answer.headers['allow']).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS')
  })

  it('options.methods chooses what toNodeListener carries and what Allow lists', async () => {
    const listener = toNodeListener(async (request) => new Response(request.method), { methods: ['GET', 'POST', 'PROPFIND'] })
    const propfind = await callDirectly(listener, 'PROPFIND')
    expect(propfind).toMatchObject({ status: 200, body: 'PROPFIND' })
    const put = await callDirectly(listener, 'PUT')
    expect(put.status).toBe(405)
    expect(put.headers['allow']).toBe('GET, POST, PROPFIND')
  })

  it('options.methods cannot name a method no Web Request can carry', () => {
    expect(() => toNodeListener(async () => new Response(''), { methods: ['GET', 'TRACE'] })).toThrow(TypeError)
  })

  it('toNodeRawListener passes TRACE to the handler: the token endpoint answers 405 with Allow: POST', async () => {
    const url = await listen(toNodeRawListener(makeServer().server.tokenEndpoint.handle))
    const answer = await send(url, 'TRACE')
    expect(answer.status).toBe(405)
    expect(answer.headers['allow']).toBe('POST')
    expect(JSON.parse(answer.body)).toEqual({ error: 'invalid_request', error_description: 'The request must use POST' })
  })
})

/** Sends a request with any method (fetch refuses TRACE) and reads the whole answer. */
async function send(url: string, method: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { request } = await import('node:http')
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Calls a listener without a server, for methods Node's HTTP parser would not hand over. */
async function callDirectly(listener: NodeListener, method: string): Promise<{ status: number; headers: Record<string, string | string[]>; body: string }> {
  let status = 0
  let headers: Record<string, string | string[]> = {}
  let body = ''
  await listener(
    { method, url: '/', headers: { host: 'example.test' }, async *[Symbol.asyncIterator]() {} },
    {
      writeHead: (s, h) => {
        status = s
        headers = h
      },
      end: (b) => {
        body = typeof b === 'string' ? b : new TextDecoder().decode(b)
      },
    },
  )
  return { status, headers, body }
}

/** A lower-door listener with a body limit that counts how often its handler ran. */
function countingListener(bodyLimitBytes: number) {
  let calls = 0
  const listener = toNodeRawListener(
    async () => {
      calls++
      return jsonResult(200, {})
    },
    { bodyLimitBytes },
  )
  return { listener, calls: () => calls }
}
