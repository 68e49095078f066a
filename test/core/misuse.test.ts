// Misuse by the caller throws a TypeError with a Node-style `code` (as oauth4webapi does), so
// that a caller can tell a programming error from a protocol failure (SPEC R8.1).
import { createAuthorizationServer, createPartyA, createPartyB, MemoryStorage, MisuseCode, staticClients } from 'reciprocal-oauth'
import { createReciprocalReceiver } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { MUSIC, serverOver, TestClock } from '../server/fixtures.js'

/** Runs `call` and returns the `code` of the TypeError it threw (sync or async). */
async function misuseCode(call: () => unknown): Promise<unknown> {
  try {
    await call()
  } catch (err) {
    expect(err).toBeInstanceOf(TypeError)
    return (err as { code?: unknown }).code
  }
  throw new Error('expected a TypeError')
}

const { InvalidValue, InvalidType } = MisuseCode
const server = () => serverOver(new MemoryStorage(), new TestClock())
const receiverOptions = {
  clients: staticClients([MUSIC]),
  audiences: ['https://music.example'],
  verifyAccessToken: async () => undefined,
  onCode: async () => ({ ok: true as const }),
}

describe('misuse throws a coded TypeError (SPEC R8.1)', () => {
  it.each<[string, () => unknown, MisuseCode]>([
    ['createAuthorizationServer: relative issuer', () => createAuthorizationServer({ issuer: '/as', tokenEndpoint: 'https://as.example/token', clients: staticClients([]) }), InvalidValue],
    ['createAuthorizationServer: tokenEndpoint not a string', () => createAuthorizationServer({ issuer: 'https://as.example', tokenEndpoint: 42 as never, clients: staticClients([]) }), InvalidType],
    ['createAuthorizationServer: code lifetime over the limit', () => createAuthorizationServer({ issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token', clients: staticClients([]), codeTtlSeconds: 3600 }), InvalidValue],
    ['createAuthorizationServer: accessTokenFormat of the wrong type', () => createAuthorizationServer({ issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token', clients: staticClients([]), accessTokenFormat: 'jwt' as never }), InvalidType],
    ['staticClients: duplicate ids', () => staticClients([MUSIC, MUSIC]), InvalidValue],
    ['staticClients: not an array', () => staticClients(MUSIC as never), InvalidType],
    ['MemoryStorage: maxEntries 0', () => new MemoryStorage({ maxEntries: 0 }), InvalidValue],
    ['MemoryStorage: maxEntries a string', () => new MemoryStorage({ maxEntries: '3' as never }), InvalidType],
    ['MemoryStorage.set: ttl not positive', () => new MemoryStorage().set('k', 1, 0), InvalidValue],
    ['mintCode: unknown client', () => server().mintCode({ clientId: 'nobody', subject: 'u', scope: 'assistant.read' }), InvalidValue],
    ['mintCode: subject not a string', () => server().mintCode({ clientId: 'music', subject: 7 as never, scope: 'assistant.read' }), InvalidType],
    ['mintCode: scope wider than registered', () => server().mintCode({ clientId: 'music', subject: 'u', scope: 'admin' }), InvalidValue],
    ['createPartyA: no peers', () => createPartyA({ peers: {}, authorizationServer: server() }), InvalidValue],
    ['createPartyB: retention not positive', () => createPartyB({ ...receiverOptions, peers: {}, endedLinkRetentionSeconds: -1 }), InvalidValue],
    ['createReciprocalReceiver: malformed requiredScope', () => createReciprocalReceiver({ ...receiverOptions, requiredScope: 'a\u0000b' }), InvalidValue],
  ])('%s', async (_name, call, code) => {
    expect(await misuseCode(call)).toBe(code)
  })
})

describe('every TypeError in src/ carries a code (SPEC R8.1)', () => {
  it('no bare `new TypeError(` outside the one helper', async () => {
    const { readdir, readFile } = await import('node:fs/promises')
    const files = (await readdir('src', { recursive: true })).filter((f) => f.endsWith('.ts') && f !== 'core/misuse.ts')
    const bare: string[] = []
    for (const file of files) if ((await readFile(`src/${file}`, 'utf8')).includes('new TypeError(')) bare.push(file)
    expect(bare).toEqual([])
  })
})
