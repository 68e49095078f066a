// The fast door is the default one (issue 8): an SDK endpoint given to toNodeListener is served
// through its lower door, and the SDK's own dispatch (token endpoint → extension grant → the
// receiver's handleParsed) builds no Web Request, Response, Headers or AbortSignal.
import { createAuthorizationServer, staticClients } from 'reciprocal-oauth'
import { toNodeListener, type NodeIncomingMessage } from 'reciprocal-oauth/node'
import { createReciprocalReceiver, GRANT_TYPE_RECIPROCAL, type ReceivedReciprocalCode } from 'reciprocal-oauth/server'
import { afterEach, describe, expect, it, vi } from 'vitest'

const basic = `Basic ${btoa('assistant:assistant-secret')}`

function message(body: string, method = 'POST'): NodeIncomingMessage {
  const bytes = new TextEncoder().encode(body)
  return {
    method,
    url: '/token',
    headers: { host: 'music.example', 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(bytes.byteLength), authorization: basic },
    async *[Symbol.asyncIterator]() {
      yield bytes
    },
  }
}

async function call(listener: ReturnType<typeof toNodeListener>, incoming: NodeIncomingMessage): Promise<{ status: number; body: string }> {
  let status = 0
  let body = ''
  await listener(incoming, {
    writeHead: (s) => (status = s),
    end: (b) => (body = typeof b === 'string' ? b : new TextDecoder().decode(b)),
  })
  return { status, body }
}

/** B's authorization server with a receiver registered for the reciprocal grant, and A's access token at B. */
async function partyB() {
  const musicAs = createAuthorizationServer({
    issuer: 'https://music.example',
    tokenEndpoint: 'https://music.example/token',
    clients: staticClients([{ clientId: 'assistant', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: 'assistant-secret', scope: 'music.play' }]),
  })
  const received: ReceivedReciprocalCode[] = []
  const receiver = createReciprocalReceiver({
    clients: musicAs.clients,
    audiences: ['https://music.example', 'https://music.example/token'],
    verifyAccessToken: (token) => musicAs.verifyAccessToken(token),
    onCode: async (code) => (received.push(code), { ok: true }),
  })
  musicAs.registerExtensionGrant(GRANT_TYPE_RECIPROCAL, receiver.handleParsed)
  const { code } = await musicAs.mintCode({ clientId: 'assistant', subject: 'alice', scope: 'music.play' })
  const tokens = await musicAs.tokenEndpoint.handle({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
    body: new URLSearchParams({ grant_type: 'authorization_code', code }).toString(),
  })
  const accessToken = (JSON.parse(tokens.body) as { access_token: string }).access_token
  return { musicAs, receiver, received, accessToken }
}

/** Makes building any Web request object throw, as if the runtime had none. */
function forbidWebObjects(): void {
  for (const name of ['Request', 'Response', 'Headers', 'AbortController', 'ReadableStream']) {
    vi.stubGlobal(
      name,
      class {
        constructor() {
          throw new Error(`${name} built on the fast path`)
        }
      },
    )
  }
  vi.stubGlobal('AbortSignal', { timeout: () => { throw new Error('AbortSignal built on the fast path') }, any: () => { throw new Error('AbortSignal built on the fast path') } })
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('the Node adapter takes the fast door by default (DESIGN §1, two doors)', () => {
  it("SPEC R3.4: B's token endpoint, mounted as toNodeListener(endpoint), receives a reciprocal code with no Web Request, Response, Headers or AbortSignal built", async () => {
    const { musicAs, received, accessToken } = await partyB()
    const listener = toNodeListener(musicAs.tokenEndpoint)
    forbidWebObjects()
    const body = new URLSearchParams({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code: 'code-from-a', access_token: accessToken }).toString()
    const answer = await call(listener, message(body))
    vi.unstubAllGlobals()
    expect(answer).toEqual({ status: 200, body: '{}' })
    expect(received.map((r) => [r.peerClientId, r.userId, r.code])).toEqual([['assistant', 'alice', 'code-from-a']])
  })

  it('a receiver is an endpoint too; a method it does not serve gets its own 405, the body unread', async () => {
    const { receiver, received } = await partyB()
    const answer = await call(toNodeListener(receiver), message('', 'TRACE'))
    expect(answer.status).toBe(405)
    expect(received).toEqual([])
  })

  it('a function is still served through a Web Request, for the application’s own routes', async () => {
    const answer = await call(
      toNodeListener(async (request) => new Response(`${request.method} ${new URL(request.url).pathname}`)),
      message('x=1'),
    )
    expect(answer).toEqual({ status: 200, body: 'POST /token' })
  })

  it("SPEC R7.5: the endpoint's own body limit holds through the fast door, as through its Web door", async () => {
    const wide = createAuthorizationServer({
      issuer: 'https://music.example',
      tokenEndpoint: 'https://music.example/token',
      clients: staticClients([{ clientId: 'assistant', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: 'assistant-secret', scope: 'music.play' }]),
      bodyLimitBytes: 64 * 1024,
    })
    // 20 KB: over the default limit, within this server's. The handler reads it and refuses the
    // grant itself, rather than the adapter refusing the body as too large.
    const body = `grant_type=authorization_code&code=unknown&padding=${'a'.repeat(20 * 1024)}`
    const web = await wide.tokenEndpoint.fetch(new Request('https://music.example/token', { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body }))
    const fast = await call(toNodeListener(wide.tokenEndpoint), message(body))
    expect(fast.status).toBe(web.status)
    expect(JSON.parse(fast.body)).toEqual(await web.json())
    expect(fast.body).not.toContain('too large')
  })

  it('refuses, at construction, what is neither an endpoint nor a function', () => {
    expect(() => toNodeListener({} as never)).toThrow(TypeError)
    expect(() => toNodeListener(null as never)).toThrow(TypeError)
  })
})
