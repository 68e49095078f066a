// Shared test fixtures for the authorization-server kit: a controllable clock, registered
// clients, and builders of token-endpoint requests.
import { type AuthorizationServer, type AuthorizationServerOptions, createAuthorizationServer, type JsonValue, MemoryStorage, type RegisteredClient, type Runtime, staticClients, type Storage } from 'reciprocal-oauth'
import { type HttpResult, type RawHttpRequest } from 'reciprocal-oauth/server'
import { createHash, randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/protocol/client-credentials.js'

export const ISSUER = 'https://assistant.example'
export const TOKEN_ENDPOINT = 'https://assistant.example/token'
export const REVOCATION_ENDPOINT = 'https://assistant.example/revoke'
export const MUSIC_REDIRECT = 'https://music.example/callback'
export const FULL_SCOPE = 'assistant.announce assistant.read'

export const MUSIC: RegisteredClient = {
  clientId: 'music',
  tokenEndpointAuthMethod: 'client_secret_basic',
  clientSecret: 'music-secret-value',
  redirectUris: [MUSIC_REDIRECT],
  scope: FULL_SCOPE,
}
export const POSTER: RegisteredClient = {
  clientId: 'poster',
  tokenEndpointAuthMethod: 'client_secret_post',
  clientSecret: 'poster-secret-value',
  scope: FULL_SCOPE,
}
export const OTHER: RegisteredClient = {
  clientId: 'other',
  tokenEndpointAuthMethod: 'client_secret_basic',
  clientSecret: 'other-secret-value',
  scope: FULL_SCOPE,
}
export const PUBLIC: RegisteredClient = {
  clientId: 'public-app',
  tokenEndpointAuthMethod: 'none',
  redirectUris: ['https://app.example/cb'],
  scope: 'assistant.read',
}

/**
 * A clock the test moves by hand, and a runtime over it. Waiting on it (`sleep`) moves it too, in
 * whole seconds once the milliseconds add up: nothing really sleeps.
 */
export class TestClock {
  t = 1_700_000_000
  #sleptMs = 0 // milliseconds slept that do not make a whole second yet
  now = (): number => this.t
  advance(seconds: number): void {
    this.t += seconds
  }
  sleep = async (ms: number): Promise<void> => {
    this.#sleptMs += ms
    this.advance(Math.floor(this.#sleptMs / 1000))
    this.#sleptMs %= 1000
  }
}

export function testRuntime(clock: TestClock): Runtime {
  return { now: clock.now, randomBytes: (n) => new Uint8Array(randomBytes(n)), sleep: clock.sleep }
}

export interface Harness {
  readonly clock: TestClock
  readonly storage: MemoryStorage
  readonly server: AuthorizationServer
}

/** A server with only the `music` client, over a storage the test wraps (to count or pause operations). */
export function serverOver(
  storage: Storage,
  clock: TestClock,
  overrides: Partial<AuthorizationServerOptions> = {},
): AuthorizationServer {
  return createAuthorizationServer({
    issuer: ISSUER,
    tokenEndpoint: TOKEN_ENDPOINT,
    clients: staticClients([MUSIC]),
    storage,
    runtime: testRuntime(clock),
    ...overrides,
  })
}

export function makeServer(
  overrides: Partial<AuthorizationServerOptions> = {},
  extraClients: readonly RegisteredClient[] = [],
): Harness {
  const clock = new TestClock()
  const storage = new MemoryStorage({ now: clock.now })
  const server = createAuthorizationServer({
    issuer: ISSUER,
    tokenEndpoint: TOKEN_ENDPOINT,
    revocationEndpoint: REVOCATION_ENDPOINT,
    clients: staticClients([MUSIC, POSTER, OTHER, PUBLIC, ...extraClients]),
    storage,
    runtime: testRuntime(clock),
    ...overrides,
  })
  return { clock, storage, server }
}

export function basic(clientId: string, secret: string): string {
  const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+')
  return `Basic ${btoa(`${enc(clientId)}:${enc(secret)}`)}`
}

export const musicAuth = { authorization: basic(MUSIC.clientId, MUSIC.clientSecret ?? '') }
export const otherAuth = { authorization: basic(OTHER.clientId, OTHER.clientSecret ?? '') }

/** A token-endpoint style POST with a form body. */
export function formPost(
  params: Record<string, string> | string,
  headers: Record<string, string> = musicAuth,
): RawHttpRequest {
  const body = typeof params === 'string' ? params : new URLSearchParams(params).toString()
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  }
}

export function json(result: HttpResult): Record<string, unknown> {
  return JSON.parse(result.body) as Record<string, unknown>
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}

export const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'

/** Mints a code for `music` and redeems it: the common first step of many tests. */
export async function codeAndTokens(
  h: Harness,
  scope = FULL_SCOPE,
  extra: { supersede?: boolean } = {},
): Promise<{ access_token: string; refresh_token: string; scope: string }> {
  const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope, ...extra })
  const result = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
  if (result.status !== 200) throw new Error(`redemption failed: ${result.body}`)
  return json(result) as { access_token: string; refresh_token: string; scope: string }
}

export function bearer(token: string): RawHttpRequest {
  return { method: 'GET', headers: { authorization: `Bearer ${token}` } }
}

/** A client registered for private_key_jwt with a fresh ES256 key pair. */
export async function jwtClient(clientId = 'jwt-client'): Promise<{
  client: RegisteredClient
  assertion: (claims?: Record<string, unknown>, audience?: string) => Promise<string>
}> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = await exportJWK(publicKey)
  const client: RegisteredClient = {
    clientId,
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: { keys: [{ ...jwk, alg: 'ES256', use: 'sig' }] },
    scope: FULL_SCOPE,
  }
  const assertion = async (claims: Record<string, unknown> = {}, audience = TOKEN_ENDPOINT): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(audience)
      .setIssuedAt(1_700_000_000)
      .setExpirationTime(1_700_000_000 + 60)
      .setJti(crypto.randomUUID())
      .sign(privateKey)
  return { client, assertion }
}

export { JWT_BEARER_ASSERTION_TYPE }

/** A Storage that delegates to `inner` except for the methods given. */
export function wrapStorage(inner: Storage, overrides: Partial<Storage>): Storage {
  return {
    get: (key) => inner.get(key),
    set: (key, value, ttl) => inner.set(key, value, ttl),
    add: (key, value, ttl) => inner.add(key, value, ttl),
    delete: (key) => inner.delete(key),
    take: (key) => inner.take(key),
    ...overrides,
  }
}

/** A MemoryStorage on `clock` whose operations are counted, for tests that measure cost in storage operations. */
export function countingStorage(clock: TestClock): {
  readonly inner: MemoryStorage
  readonly storage: Storage
  readonly counts: { gets: number; writes: number; deletes: number; takes: number }
} {
  const inner = new MemoryStorage({ now: clock.now })
  const counts = { gets: 0, writes: 0, deletes: 0, takes: 0 }
  const storage = wrapStorage(inner, {
    get: async <T extends JsonValue>(key: string): Promise<T | undefined> => {
      counts.gets++
      return inner.get<T>(key)
    },
    set: async (key, value, ttl) => {
      counts.writes++
      return inner.set(key, value, ttl)
    },
    add: async (key, value, ttl) => {
      counts.writes++
      return inner.add(key, value, ttl)
    },
    delete: async (key) => {
      counts.deletes++
      return inner.delete(key)
    },
    take: async <T extends JsonValue>(key: string): Promise<T | undefined> => {
      counts.takes++
      return inner.take<T>(key)
    },
  })
  return { inner, storage, counts }
}

/**
 * A MemoryStorage on `clock` that remembers every key written, so a test can list the keys that
 * still hold a value (`liveKeys`), optionally only those starting with a prefix.
 */
export function recordingStorage(clock: TestClock): {
  readonly inner: MemoryStorage
  readonly storage: Storage
  liveKeys(prefix?: string): Promise<string[]>
} {
  const inner = new MemoryStorage({ now: clock.now })
  const written = new Set<string>()
  const storage = wrapStorage(inner, {
    set: async (key, value, ttl) => {
      written.add(key)
      return inner.set(key, value, ttl)
    },
    add: async (key, value, ttl) => {
      written.add(key)
      return inner.add(key, value, ttl)
    },
  })
  const liveKeys = async (prefix = ''): Promise<string[]> => {
    const live: string[] = []
    for (const key of written) if (key.startsWith(prefix) && (await inner.get(key)) !== undefined) live.push(key)
    return live.sort()
  }
  return { inner, storage, liveKeys }
}
