import { DEFAULT_BODY_LIMIT_BYTES, type HttpResult, jsonResult, parseFormRequest, type RawHttpRequest, readRawRequest, toResponse, webHandler } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'

const URL_ = 'https://b.example/token'
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

interface StreamProbe {
  readonly stream: ReadableStream<Uint8Array>
  /** How many chunks the consumer pulled. */
  pulled(): number
  cancelled(): boolean
}

/** A body stream of `chunks` chunks of `size` bytes, produced on demand; it records cancellation. */
function streamOf(chunks: number, size: number, fill = 0x61): StreamProbe {
  let pulled = 0
  let cancelled = false
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === chunks) return controller.close()
      pulled++
      controller.enqueue(new Uint8Array(size).fill(fill))
    },
    cancel() {
      cancelled = true
    },
  }, { highWaterMark: 0 })
  return { stream, pulled: () => pulled, cancelled: () => cancelled }
}

function streamedRequest(stream: ReadableStream<Uint8Array>, headers: Record<string, string> = FORM): Request {
  // No Content-Length: the body is sent chunked, so only counting can enforce the limit.
  return new Request(URL_, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit & { duplex: 'half' })
}

describe('readRawRequest (SPEC R7.5: request bodies have a size limit)', () => {
  it('reads method, headers, url and body bytes', async () => {
    const request = new Request(`${URL_}?x=1`, { method: 'POST', headers: { ...FORM, authorization: 'Basic YTpi' }, body: 'a=1&b=é' })
    const raw = await readRawRequest(request)
    if (raw === 'too-large') throw new Error('unexpected')
    expect(raw.method).toBe('POST')
    expect(raw.url).toBe(`${URL_}?x=1`)
    expect(raw.headers).toBe(request.headers)
    expect(raw.body).toBeInstanceOf(Uint8Array)
    expect(new TextDecoder().decode(raw.body as Uint8Array)).toBe('a=1&b=é')
  })

  it('reads a request without a body as empty bytes', async () => {
    const raw = await readRawRequest(new Request(URL_))
    if (raw === 'too-large') throw new Error('unexpected')
    expect(raw.method).toBe('GET')
    expect(raw.body).toEqual(new Uint8Array(0))
  })

  it('feeds parseFormRequest directly', async () => {
    const raw = await readRawRequest(new Request(URL_, { method: 'POST', headers: FORM, body: 'grant_type=x&code=y' }))
    if (raw === 'too-large') throw new Error('unexpected')
    const parsed = parseFormRequest(raw)
    expect(parsed.ok && Object.fromEntries(parsed.value)).toEqual({ grant_type: 'x', code: 'y' })
  })

  it('accepts a body of exactly the limit and refuses one byte more', async () => {
    const at = await readRawRequest(new Request(URL_, { method: 'POST', body: 'x'.repeat(100) }), 100)
    expect(at).not.toBe('too-large')
    expect(await readRawRequest(new Request(URL_, { method: 'POST', body: 'x'.repeat(101) }), 100)).toBe('too-large')
  })

  it('defaults to DEFAULT_BODY_LIMIT_BYTES', async () => {
    const at = new Request(URL_, { method: 'POST', body: 'x'.repeat(DEFAULT_BODY_LIMIT_BYTES) })
    const over = new Request(URL_, { method: 'POST', body: 'x'.repeat(DEFAULT_BODY_LIMIT_BYTES + 1) })
    expect(await readRawRequest(at)).not.toBe('too-large')
    expect(await readRawRequest(over)).toBe('too-large')
  })

  it('joins a streamed body under the limit', async () => {
    const probe = streamOf(4, 25)
    const raw = await readRawRequest(streamedRequest(probe.stream), 100)
    if (raw === 'too-large') throw new Error('unexpected')
    expect(raw.body).toEqual(new Uint8Array(100).fill(0x61))
    expect(probe.cancelled()).toBe(false)
  })

  it('stops reading and cancels a streamed body without Content-Length as soon as it exceeds the limit', async () => {
    const probe = streamOf(1_000_000, 1024) // a ~1 GB body that must never be read whole
    const request = streamedRequest(probe.stream)
    expect(request.headers.get('content-length')).toBeNull()
    expect(await readRawRequest(request, 4 * 1024)).toBe('too-large')
    expect(probe.cancelled()).toBe(true)
    // the limit is 4 chunks; a little read-ahead by the platform is fine, reading on is not
    expect(probe.pulled()).toBeLessThan(10)
  })

  it('refuses a Content-Length over the limit before reading the body', async () => {
    const probe = streamOf(1, 10)
    const request = streamedRequest(probe.stream, { ...FORM, 'content-length': '1000000' })
    expect(await readRawRequest(request, 100)).toBe('too-large')
    expect(probe.pulled()).toBe(0)
  })

  it('does not trust a Content-Length under the limit: it still counts', async () => {
    const probe = streamOf(10, 50)
    const request = streamedRequest(probe.stream, { ...FORM, 'content-length': '10' })
    expect(await readRawRequest(request, 100)).toBe('too-large')
    expect(probe.cancelled()).toBe(true)
  })

  it('ignores a Content-Length that is not a number', async () => {
    const probe = streamOf(1, 10)
    const raw = await readRawRequest(streamedRequest(probe.stream, { ...FORM, 'content-length': 'lots' }), 100)
    expect(raw).not.toBe('too-large')
  })

  it('rejects when the body stream fails', async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('connection reset'))
      },
    })
    await expect(readRawRequest(streamedRequest(failing))).rejects.toThrow()
  })
})

describe('toResponse', () => {
  it('copies status, headers and body', async () => {
    const response = toResponse(jsonResult(400, { error: 'invalid_request' }, { 'www-authenticate': 'Basic realm="x"' }))
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('pragma')).toBe('no-cache')
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="x"')
    expect(await response.json()).toEqual({ error: 'invalid_request' })
  })

  it('keeps a UTF-8 body intact', async () => {
    expect(await toResponse({ status: 200, headers: {}, body: '{"name":"Müsik 🎵"}' }).text()).toBe('{"name":"Müsik 🎵"}')
  })

  it.each([204, 205, 304])('sends no body with status %d', async (status) => {
    const response = toResponse({ status, headers: {}, body: '' })
    expect(response.status).toBe(status)
    expect(response.body).toBeNull()
  })
})

describe('webHandler (SPEC R7.5, R8.3)', () => {
  const echo = async (raw: RawHttpRequest): Promise<HttpResult> => {
    const parsed = parseFormRequest(raw)
    return jsonResult(200, parsed.ok ? Object.fromEntries(parsed.value) : { error: parsed.error.error })
  }

  it('passes the request to the lower door and returns its result', async () => {
    const response = await webHandler(echo)(new Request(URL_, { method: 'POST', headers: FORM, body: 'a=1' }))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ a: '1' })
  })

  it('answers a body over the limit with 400 invalid_request, without calling the handler', async () => {
    let called = false
    const handler = webHandler(async (raw) => {
      called = true
      return echo(raw)
    }, 10)
    const probe = streamOf(100, 100)
    const response = await handler(streamedRequest(probe.stream))
    expect(response.status).toBe(400)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'The request body is too large' })
    expect(called).toBe(false)
    expect(probe.cancelled()).toBe(true)
  })

  it('turns a throw into a bare 500 server_error with no-store and no leak', async () => {
    const handler = webHandler(async () => {
      throw new Error('db password=SECRET at /srv/app/index.js:42')
    })
    const response = await handler(new Request(URL_, { method: 'POST', headers: FORM, body: 'code=SECRET-CODE' }))
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const text = await response.text()
    const body = JSON.parse(text) as Record<string, unknown>
    expect(body['error']).toBe('server_error')
    expect(Object.keys(body).sort()).toEqual(['error', 'error_description'])
    expect(text).not.toMatch(/SECRET|password|index\.js|at |stack/i)
  })

  it('turns a thrown non-Error and a rejected promise into 500 too', async () => {
    const thrower = webHandler(() => {
      throw 'plain string'
    })
    expect((await thrower(new Request(URL_, { method: 'POST' }))).status).toBe(500)
    const rejecter = webHandler(() => Promise.reject(new TypeError('x')))
    expect((await rejecter(new Request(URL_, { method: 'POST' }))).status).toBe(500)
  })

  it('turns a result that cannot become a Response into 500', async () => {
    const invalid = webHandler(async () => ({ status: 999, headers: {}, body: '' }))
    expect((await invalid(new Request(URL_))).status).toBe(500)
  })

  it('turns a failing body stream into 500, not an unhandled rejection', async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('connection reset'))
      },
    })
    const response = await webHandler(echo)(streamedRequest(failing))
    expect(response.status).toBe(500)
    expect(await response.json()).toMatchObject({ error: 'server_error' })
  })

  it('turns an already-consumed body into 500', async () => {
    const request = new Request(URL_, { method: 'POST', headers: FORM, body: 'a=1' })
    await request.text()
    expect((await webHandler(echo)(request)).status).toBe(500)
  })
})
