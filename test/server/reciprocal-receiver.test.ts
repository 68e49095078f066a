import { MemoryStorage, staticClients } from 'reciprocal-oauth'
import { createReciprocalReceiver, GRANT_TYPE_RECIPROCAL, invalidGrant, type RawHttpRequest, type ReceivedReciprocalCode, type ReciprocalReceiverOptions } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'

const now = 1_700_000_000
const runtime = { now: () => now, randomBytes: (n: number) => new Uint8Array(n).fill(7) }
const SECRET = 'assistant-secret-xyz'
const TOKENS: Record<string, { clientId: string; subject: string; scope: string; expiresAt?: number }> = {
  'token-of-assistant': { clientId: 'assistant', subject: 'alice', scope: 'music.play music.link' },
  'token-of-radio': { clientId: 'radio', subject: 'bob', scope: 'music.play music.link' },
  'token-expired': { clientId: 'assistant', subject: 'alice', scope: 'music.link', expiresAt: now - 1 },
  'token-no-link-scope': { clientId: 'assistant', subject: 'alice', scope: 'music.play' },
}

function receiver(overrides: Partial<ReciprocalReceiverOptions> = {}) {
  const received: ReceivedReciprocalCode[] = []
  const r = createReciprocalReceiver({
    clients: staticClients([
      { clientId: 'assistant', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRET, scope: 'music.play' },
      { clientId: 'radio', tokenEndpointAuthMethod: 'client_secret_post', clientSecret: 'radio-secret', scope: 'music.play' },
    ]),
    audiences: ['https://music.example', 'https://music.example/token'],
    verifyAccessToken: async (token) => TOKENS[token],
    requiredScope: 'music.link',
    storage: new MemoryStorage({ now: runtime.now }),
    runtime,
    onCode: async (code) => {
      received.push(code)
      return { ok: true }
    },
    ...overrides,
  })
  return { r, received }
}

const basic = `Basic ${btoa(`assistant:${SECRET}`)}`
function request(fields: Record<string, string>, headers: Record<string, string> = { authorization: basic }): RawHttpRequest {
  const body = new URLSearchParams({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code: 'the-code', access_token: 'token-of-assistant', ...fields })
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: body.toString() }
}

describe('reciprocal grant receiver (SPEC R3.3, R3.4)', () => {
  it('SPEC R3.4: a valid request → 200 {} with no-store, and the code handed over with the token subject (SPEC R7.9)', async () => {
    const { r, received } = receiver()
    const result = await r.handle(request({}))
    expect(result).toMatchObject({ status: 200, body: '{}' })
    expect(result.headers['cache-control']).toBe('no-store')
    expect(received).toEqual([{ peerClientId: 'assistant', userId: 'alice', code: 'the-code', receivedAt: now }])
  })

  const cases: Array<[string, RawHttpRequest, { draft: [number, string]; google: [number, string] }]> = [
    ['an unknown access token (SPEC R7.3)', request({ access_token: 'nope' }), { draft: [400, 'invalid_token'], google: [401, 'invalid_token'] }],
    ['an expired access token (SPEC R7.3)', request({ access_token: 'token-expired' }), { draft: [400, 'invalid_token'], google: [401, 'invalid_token'] }],
    ["another client's access token (SPEC R7.3)", request({ access_token: 'token-of-radio' }), { draft: [400, 'invalid_token'], google: [401, 'invalid_token'] }],
    ['a token without the required scope (SPEC R7.3)', request({ access_token: 'token-no-link-scope' }), { draft: [400, 'insufficient_scope'], google: [403, 'insufficient_permission'] }],
    ['a wrong secret (SPEC R3.3)', request({}, { authorization: `Basic ${btoa('assistant:wrong')}` }), { draft: [401, 'invalid_client'], google: [401, 'invalid_client'] }],
    ['no client authentication', request({}, {}), { draft: [400, 'invalid_client'], google: [401, 'invalid_client'] }],
    ['a missing code', request({ code: '' }), { draft: [400, 'invalid_request'], google: [400, 'invalid_request'] }],
    ['a missing client_id (the draft requires it)', request({ client_id: '' }), { draft: [400, 'invalid_request'], google: [400, 'invalid_request'] }],
    ['another grant type', request({ grant_type: 'authorization_code' }), { draft: [400, 'unsupported_grant_type'], google: [400, 'unsupported_grant_type'] }],
  ]

  it.each(cases)('%s → the profile’s error', async (_name, raw, expected) => {
    for (const profile of ['draft', 'google'] as const) {
      const { r, received } = receiver({ errorProfile: profile })
      const result = await r.handle(raw)
      const [status, error] = expected[profile]
      expect(result.status).toBe(status)
      expect(JSON.parse(result.body)).toMatchObject({ error })
      expect(result.headers['cache-control']).toBe('no-store')
      expect(result.body).not.toContain(SECRET)
      expect(result.body).not.toContain('the-code')
      expect(received).toEqual([])
    }
  })

  it('SPEC R3.4: the Google profile challenges a bad token with WWW-Authenticate: Bearer; the draft profile does not', async () => {
    const google = await receiver({ errorProfile: 'google' }).r.handle(request({ access_token: 'nope' }))
    expect(google.headers['www-authenticate']).toMatch(/^Bearer /)
    const draft = await receiver().r.handle(request({ access_token: 'nope' }))
    expect(draft.headers['www-authenticate']).toBeUndefined()
  })

  it.each([
    ['a wrong secret', `Basic ${btoa('assistant:wrong')}`],
    ['an unknown client', `Basic ${btoa(`nobody:${SECRET}`)}`],
    ['malformed Basic credentials', 'Basic !!!'],
  ])(
    'SPEC R3.4, RFC 6749 §5.2: a failed HTTP Basic authentication (%s) is 401 with WWW-Authenticate: Basic in every profile',
    async (_name, authorization) => {
      for (const profile of ['draft', 'google'] as const) {
        const result = await receiver({ errorProfile: profile }).r.handle(request({}, { authorization }))
        expect(result.status).toBe(401)
        expect(JSON.parse(result.body)).toMatchObject({ error: 'invalid_client' })
        expect(result.headers['www-authenticate']).toMatch(/^Basic realm="[^"]*"$/)
      }
    },
  )

  it('SPEC R3.4: in the draft profile, a failed client_secret_post authentication is still a plain 400', async () => {
    const raw = request({ client_id: 'radio', client_secret: 'wrong', access_token: 'token-of-radio' }, {})
    const result = await receiver().r.handle(raw)
    expect(result.status).toBe(400)
    expect(JSON.parse(result.body)).toMatchObject({ error: 'invalid_client' })
    expect(result.headers['www-authenticate']).toBeUndefined()
  })

  it('RFC 6749 §2.3.1: a rotated client secret takes effect at once — the old one is refused, though its hash was remembered', async () => {
    let secret = SECRET
    const { r } = receiver({
      clients: { findClient: (id) => (id === 'assistant' ? { clientId: 'assistant', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: secret, scope: 'music.play' } : undefined) },
    })
    expect(await r.handle(request({ code: 'code-1' }))).toMatchObject({ status: 200 })
    secret = 'rotated-secret'
    expect(await r.handle(request({ code: 'code-2' }))).toMatchObject({ status: 401 })
    const rotated = await r.handle(request({ code: 'code-3' }, { authorization: `Basic ${btoa('assistant:rotated-secret')}` }))
    expect(rotated).toMatchObject({ status: 200 })
  })

  it('SPEC R7.10: 50 concurrent POSTs of one code → the code is handed over exactly once', async () => {
    const { r, received } = receiver()
    const results = await Promise.all(Array.from({ length: 50 }, () => r.handle(request({}))))
    expect(results.filter((x) => x.status === 200)).toHaveLength(1)
    expect(results.filter((x) => JSON.parse(x.body).error === 'invalid_grant')).toHaveLength(49)
    expect(received).toHaveLength(1)
  })

  it('an application refusal is answered in the chosen profile', async () => {
    const { r } = receiver({ onCode: async () => ({ ok: false, error: invalidGrant('The reciprocal code could not be redeemed') }) })
    expect(await r.handle(request({}))).toMatchObject({ status: 400 })
  })

  it('SPEC R7.5: a throwing verifier or handler becomes a bare 500 server_error, never an exception', async () => {
    const { r } = receiver({
      verifyAccessToken: async () => {
        throw new Error(`database down while reading ${SECRET}`)
      },
    })
    const result = await r.handle(request({}))
    expect(result.status).toBe(500)
    expect(JSON.parse(result.body)).toMatchObject({ error: 'server_error' })
    expect(result.body).not.toContain(SECRET)
  })

  it('the Request door works the same', async () => {
    const { r } = receiver()
    const raw = request({})
    const response = await r.fetch(
      new Request('https://music.example/token', { method: 'POST', headers: raw.headers as Record<string, string>, body: raw.body as string }),
    )
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({})
  })

  it('refuses a malformed requiredScope at construction', () => {
    expect(() => receiver({ requiredScope: 'a  b' })).toThrow(TypeError)
  })
})
