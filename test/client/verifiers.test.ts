import { ErrorCode, type PeerConfig } from 'reciprocal-oauth'
import { introspectionVerifier, jwtAccessTokenVerifier } from 'reciprocal-oauth/client'
import { describe, expect, it } from 'vitest'
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose'
import {
  ACCESS_TOKEN,
  CLIENT_ID,
  CLIENT_SECRET,
  ISSUER,
  decodeBasic,
  expectReciprocalError,
  fakeFetch,
  json,
  peerConfig,
} from './fixtures.js'

const NOW = 1_700_000_000

describe('introspectionVerifier (SPEC R3.3, RFC 7662)', () => {
  it('SPEC R3.3: maps an active token to client, subject, scope and expiry', async () => {
    const { fetch, requests } = fakeFetch(() =>
      json({ active: true, client_id: 'assistant-at-b', sub: 'user-42', scope: 'music.play reciprocal', exp: NOW + 60 }),
    )
    const verify = introspectionVerifier(peerConfig({ fetch }))
    await expect(verify(ACCESS_TOKEN)).resolves.toEqual({
      clientId: 'assistant-at-b',
      subject: 'user-42',
      scope: 'music.play reciprocal',
      expiresAt: NOW + 60,
    })
    expect(requests[0]?.url).toBe('https://b.example/oauth/introspect')
    expect(decodeBasic(requests[0]?.headers.get('authorization'))).toEqual([CLIENT_ID, CLIENT_SECRET])
    expect(Object.fromEntries(requests[0]?.body ?? [])).toEqual({ token: ACCESS_TOKEN, token_type_hint: 'access_token' })
  })

  it('SPEC R7.3: an inactive token, one without client_id or sub, or a refresh token resolves undefined', async () => {
    for (const body of [
      { active: false },
      { active: true, sub: 'user-42' },
      { active: true, client_id: 'assistant-at-b' },
      { active: true, client_id: 'assistant-at-b', sub: 'user-42', token_type: 'refresh_token' },
    ]) {
      const verify = introspectionVerifier(peerConfig({ fetch: fakeFetch(() => json(body)).fetch }))
      await expect(verify(ACCESS_TOKEN)).resolves.toBeUndefined()
    }
  })

  it('an introspection outage rejects with a typed error instead of calling the token bad', async () => {
    const verify = introspectionVerifier(peerConfig({ fetch: fakeFetch(() => new Response('', { status: 503 })).fetch }))
    const error = await expectReciprocalError(() => verify(ACCESS_TOKEN))
    expect(error).toMatchObject({ code: ErrorCode.PeerUnavailable, step: 'receive-code', retryable: true })
  })

  it('refuses a configuration without an introspection endpoint', async () => {
    const base = peerConfig({ fetch: fakeFetch(() => json({})).fetch })
    const config: PeerConfig = { ...base, as: { issuer: ISSUER } }
    expect((await expectReciprocalError(() => introspectionVerifier(config))).code).toBe(ErrorCode.Configuration)
  })
})

describe('jwtAccessTokenVerifier (SPEC R3.3, RFC 9068)', () => {
  async function setup() {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }
    const jwks = createLocalJWKSet({ keys: [jwk] })
    const sign = (claims: Record<string, unknown>, options: { typ?: string; key?: CryptoKey } = {}) =>
      new SignJWT({ client_id: 'assistant-at-b', scope: 'music.play', ...claims })
        .setProtectedHeader({ alg: 'ES256', typ: options.typ ?? 'at+jwt', kid: 'k1' })
        .setIssuer(ISSUER)
        .setSubject('user-42')
        .setAudience('https://b.example/api')
        .setIssuedAt(NOW)
        .setExpirationTime(NOW + 300)
        .sign(options.key ?? privateKey)
    const verify = jwtAccessTokenVerifier({ issuer: ISSUER, jwks, audience: 'https://b.example/api', now: () => NOW + 10 })
    return { sign, verify, jwks }
  }

  it('SPEC R8.1: a key set that cannot be reached is an outage, thrown on for the door to report, not a bad token', async () => {
    const { sign } = await setup()
    const unreachable = jwtAccessTokenVerifier({
      issuer: ISSUER,
      jwks: async () => {
        throw Object.assign(new Error('request timed out'), { code: 'ERR_JWKS_TIMEOUT' })
      },
      now: () => NOW + 10,
    })
    await expect(unreachable(await sign({}))).rejects.toMatchObject({ code: 'ERR_JWKS_TIMEOUT' })
  })

  it('SPEC R3.3: accepts a good at+jwt and maps its claims', async () => {
    const { sign, verify } = await setup()
    await expect(verify(await sign({}))).resolves.toEqual({
      clientId: 'assistant-at-b',
      subject: 'user-42',
      scope: 'music.play',
      expiresAt: NOW + 300,
    })
  })

  it('accepts the application/at+jwt spelling of typ', async () => {
    const { sign, verify } = await setup()
    await expect(verify(await sign({}, { typ: 'application/at+jwt' }))).resolves.toBeDefined()
  })

  it('SPEC R7.3: an expired token resolves undefined (time moved by the injected clock)', async () => {
    const { sign, jwks } = await setup()
    const later = jwtAccessTokenVerifier({ issuer: ISSUER, jwks, now: () => NOW + 301 })
    await expect(later(await sign({}))).resolves.toBeUndefined()
  })

  it('a wrong issuer, wrong audience, wrong typ, missing client_id or foreign key resolves undefined', async () => {
    const { sign, verify, jwks } = await setup()
    const other = await generateKeyPair('ES256')
    const wrongIssuer = jwtAccessTokenVerifier({ issuer: 'https://evil.example', jwks, now: () => NOW })
    await expect(wrongIssuer(await sign({}))).resolves.toBeUndefined()
    const wrongAudience = jwtAccessTokenVerifier({ issuer: ISSUER, jwks, audience: 'https://other.example', now: () => NOW })
    await expect(wrongAudience(await sign({}))).resolves.toBeUndefined()
    await expect(verify(await sign({}, { typ: 'JWT' }))).resolves.toBeUndefined()
    await expect(verify(await sign({ client_id: undefined }))).resolves.toBeUndefined()
    await expect(verify(await sign({}, { key: other.privateKey }))).resolves.toBeUndefined()
  })

  it('never throws for garbage', async () => {
    const { verify } = await setup()
    for (const token of ['', 'not-a-jwt', 'a.b.c', ACCESS_TOKEN]) await expect(verify(token)).resolves.toBeUndefined()
  })
})
