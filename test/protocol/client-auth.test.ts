// Tests src/server/client-auth.ts: it lives here because it is the second half of the
// credential handling whose first half is src/protocol/client-credentials.ts.
import { MemoryStorage, type RegisteredClient, staticClients } from 'reciprocal-oauth'
import { authenticateClient, type ClientAuthContext, extractClientCredentials, type Parsed } from 'reciprocal-oauth/server'
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/protocol/client-credentials.js'

const NOW = 1_700_000_000
const ISSUER = 'https://a.example'
const TOKEN_URL = 'https://a.example/token'

let privateKey: CryptoKey
let otherPrivateKey: CryptoKey
let publicJwk: JWK

beforeAll(async () => {
  const pair = await generateKeyPair('ES256')
  privateKey = pair.privateKey
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
  otherPrivateKey = (await generateKeyPair('ES256')).privateKey
})

function registry(): ReturnType<typeof staticClients> {
  return staticClients([
    { clientId: 'basic-client', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: 's3cret:+%', scope: 'a' },
    { clientId: 'post-client', tokenEndpointAuthMethod: 'client_secret_post', clientSecret: 'p0st', scope: 'a' },
    { clientId: 'jwt-client', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [publicJwk] }, scope: 'a' },
    { clientId: 'public-client', tokenEndpointAuthMethod: 'none', scope: 'a' },
    { clientId: 'no-secret', tokenEndpointAuthMethod: 'client_secret_basic', scope: 'a' },
    { clientId: 'no-keys', tokenEndpointAuthMethod: 'private_key_jwt', scope: 'a' },
    { clientId: 'clïent-ü', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [publicJwk] }, scope: 'a' },
  ])
}

function context(overrides: Partial<ClientAuthContext> = {}): ClientAuthContext {
  return { clients: registry(), audiences: [ISSUER, TOKEN_URL], storage: new MemoryStorage({ now: () => NOW }), now: NOW, ...overrides }
}

function basicHeader(id: string, secret: string): string {
  const encode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2)
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`
}

/** Drives the whole path: extraction from a request, then authentication. */
async function authenticate(
  headers: Record<string, string>,
  params: Record<string, string>,
  ctx: ClientAuthContext = context(),
): Promise<Parsed<RegisteredClient>> {
  const presented = extractClientCredentials(headers, new Map(Object.entries(params)))
  if (!presented.ok) throw new Error(`extraction failed: ${presented.error.error}`)
  return authenticateClient(presented.value, ctx)
}

function expectClient(result: Parsed<RegisteredClient>, clientId: string): void {
  expect(result.ok).toBe(true)
  if (result.ok) expect(result.value.clientId).toBe(clientId)
}

function expectRefused(
  result: Parsed<RegisteredClient>,
  challenge?: 'Basic',
  // Every failure but a wrong method looks the same: nothing tells which part was wrong.
  description = 'Client authentication failed',
): void {
  expect(result.ok).toBe(false)
  if (result.ok) return
  expect(result.error.error).toBe('invalid_client')
  expect(result.error.status).toBe(401)
  expect(result.error.challenge).toBe(challenge)
  expect(result.error.description).toBe(description)
}

interface AssertionOptions {
  readonly iss?: string
  readonly sub?: string
  readonly aud?: string | string[]
  readonly exp?: number
  readonly iat?: number
  readonly jti?: string | null
  readonly key?: CryptoKey
}

async function assertion(options: AssertionOptions = {}): Promise<string> {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(options.iss ?? 'jwt-client')
    .setSubject(options.sub ?? 'jwt-client')
    .setAudience(options.aud ?? TOKEN_URL)
    .setIssuedAt(options.iat ?? NOW)
    .setExpirationTime(options.exp ?? NOW + 60)
  if (options.jti !== null) jwt.setJti(options.jti ?? crypto.randomUUID())
  return jwt.sign(options.key ?? privateKey)
}

const jwtParams = (jwt: string, extra: Record<string, string> = {}): Record<string, string> => ({
  client_assertion: jwt,
  client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
  ...extra,
})

describe('client_secret_basic (RFC 6749 §2.3.1, SPEC R7.4)', () => {
  it('accepts the right secret, even one with ":" "+" "%"', async () => {
    expectClient(await authenticate({ authorization: basicHeader('basic-client', 's3cret:+%') }, {}), 'basic-client')
  })

  it('refuses a wrong secret with a Basic challenge', async () => {
    expectRefused(await authenticate({ authorization: basicHeader('basic-client', 's3cret') }, {}), 'Basic')
    expectRefused(await authenticate({ authorization: basicHeader('basic-client', 's3cret:+%x') }, {}), 'Basic')
    expectRefused(await authenticate({ authorization: basicHeader('basic-client', '') }, {}), 'Basic')
  })

  it('refuses a client with no stored secret', async () => {
    expectRefused(await authenticate({ authorization: basicHeader('no-secret', '') }, {}), 'Basic')
  })
})

describe('client_secret_post (RFC 6749 §2.3.1)', () => {
  it('accepts the right secret', async () => {
    expectClient(await authenticate({}, { client_id: 'post-client', client_secret: 'p0st' }), 'post-client')
  })

  it('refuses a wrong secret without a challenge', async () => {
    expectRefused(await authenticate({}, { client_id: 'post-client', client_secret: 'p0sT' }))
  })
})

describe('registered method must match, and the refusal names it (issue 6)', () => {
  it('refuses a basic client that authenticates in the body', async () => {
    const result = await authenticate({}, { client_id: 'basic-client', client_secret: 's3cret:+%' })
    expectRefused(result, undefined, 'This client must authenticate with client_secret_basic')
  })

  it('refuses a post client that uses Basic', async () => {
    const result = await authenticate({ authorization: basicHeader('post-client', 'p0st') }, {})
    expectRefused(result, 'Basic', 'This client must authenticate with client_secret_post')
  })

  it('refuses a confidential client that presents only its client_id', async () => {
    expectRefused(await authenticate({}, { client_id: 'basic-client' }), undefined, 'This client must authenticate with client_secret_basic')
    expectRefused(await authenticate({}, { client_id: 'jwt-client' }), undefined, 'This client must authenticate with private_key_jwt')
  })

  it('refuses a public client that presents a secret', async () => {
    const result = await authenticate({}, { client_id: 'public-client', client_secret: 'anything' })
    expectRefused(result, undefined, 'This client is public (none): it must send its client_id only, without credentials')
  })

  it('accepts a public client by its client_id', async () => {
    expectClient(await authenticate({}, { client_id: 'public-client' }), 'public-client')
  })
})

describe('unknown clients', () => {
  it('refuses an unknown client for every method', async () => {
    expectRefused(await authenticate({ authorization: basicHeader('nobody', 'x') }, {}), 'Basic')
    expectRefused(await authenticate({}, { client_id: 'nobody', client_secret: 'x' }))
    expectRefused(await authenticate({}, { client_id: 'nobody' }))
    expectRefused(await authenticate({}, jwtParams(await assertion({ iss: 'nobody', sub: 'nobody' }))))
  })

  it('works with an async registry', async () => {
    const sync = registry()
    const ctx = context({ clients: { findClient: async (id) => sync.findClient(id) } })
    expectClient(await authenticate({}, { client_id: 'post-client', client_secret: 'p0st' }, ctx), 'post-client')
  })
})

describe('private_key_jwt (RFC 7523 §3)', () => {
  it('accepts a valid assertion, with or without client_id in the body', async () => {
    expectClient(await authenticate({}, jwtParams(await assertion())), 'jwt-client')
    expectClient(await authenticate({}, jwtParams(await assertion(), { client_id: 'jwt-client' })), 'jwt-client')
  })

  it('accepts the issuer identifier as audience, and an audience array', async () => {
    expectClient(await authenticate({}, jwtParams(await assertion({ aud: ISSUER }))), 'jwt-client')
    expectClient(await authenticate({}, jwtParams(await assertion({ aud: ['https://other', TOKEN_URL] }))), 'jwt-client')
  })

  it('SPEC R7.4 / RFC 7523 §3: accepts an assertion once and refuses the replayed jti', async () => {
    const ctx = context()
    const jwt = await assertion({ jti: 'once' })
    expectClient(await authenticate({}, jwtParams(jwt), ctx), 'jwt-client')
    expectRefused(await authenticate({}, jwtParams(jwt), ctx))
    // a fresh assertion with the same jti is a replay too
    expectRefused(await authenticate({}, jwtParams(await assertion({ jti: 'once', exp: NOW + 120 })), ctx))
    // while a new jti is fine
    expectClient(await authenticate({}, jwtParams(await assertion({ jti: 'twice' })), ctx), 'jwt-client')
  })

  it('SPEC R7.4: of 50 concurrent uses of one assertion, exactly one is accepted', async () => {
    const ctx = context()
    const jwt = await assertion()
    const results = await Promise.all(Array.from({ length: 50 }, () => authenticate({}, jwtParams(jwt), ctx)))
    expect(results.filter((result) => result.ok)).toHaveLength(1)
  })

  it('finds the client by a non-ASCII issuer when the body has no client_id', async () => {
    expectClient(await authenticate({}, jwtParams(await assertion({ iss: 'clïent-ü', sub: 'clïent-ü' }))), 'clïent-ü')
  })

  it('refuses a wrong audience', async () => {
    expectRefused(await authenticate({}, jwtParams(await assertion({ aud: 'https://b.example/token' }))))
  })

  it('refuses an expired assertion (beyond the 30 s tolerance)', async () => {
    expectRefused(await authenticate({}, jwtParams(await assertion({ iat: NOW - 600, exp: NOW - 31 }))))
  })

  it('refuses an assertion without jti', async () => {
    expectRefused(await authenticate({}, jwtParams(await assertion({ jti: null }))))
  })

  it('refuses an assertion signed by another key', async () => {
    expectRefused(await authenticate({}, jwtParams(await assertion({ key: otherPrivateKey }))))
  })

  it('refuses a sub that is not the client', async () => {
    expectRefused(await authenticate({}, jwtParams(await assertion({ sub: 'someone-else' }))))
  })

  it('refuses a body client_id that is not the assertion issuer', async () => {
    const jwt = await assertion({ iss: 'jwt-client', sub: 'jwt-client' })
    expectRefused(await authenticate({}, jwtParams(jwt, { client_id: 'no-keys' })))
  })

  it('refuses a client without registered keys', async () => {
    expectRefused(await authenticate({}, jwtParams(await assertion({ iss: 'no-keys', sub: 'no-keys' }))))
  })

  it('refuses a client registered for another method', async () => {
    const result = await authenticate({}, jwtParams(await assertion({ iss: 'post-client', sub: 'post-client' })))
    expectRefused(result, undefined, 'This client must authenticate with client_secret_post')
  })

  it.each(['not-a-jwt', 'a.b.c', '..', 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJqd3QtY2xpZW50In0.'])(
    'refuses the garbage assertion %j',
    async (garbage) => {
      expectRefused(await authenticate({}, jwtParams(garbage)))
    },
  )

  it('does not remember the jti of a refused assertion', async () => {
    const ctx = context()
    const storage = ctx.storage as MemoryStorage
    await authenticate({}, jwtParams(await assertion({ aud: 'https://wrong' })), ctx)
    expect(storage.size()).toBe(0)
  })

  it('remembers a used jti for as long as the assertion could still be accepted', async () => {
    let now = NOW
    const storage = new MemoryStorage({ now: () => now })
    const jwt = await assertion({ jti: 'j', exp: NOW + 60 })
    expectClient(await authenticate({}, jwtParams(jwt), context({ storage })), 'jwt-client')
    now = NOW + 60 + 29
    expectRefused(await authenticate({}, jwtParams(jwt), context({ storage, now })))
  })
})
