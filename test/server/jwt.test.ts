import { decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  FULL_SCOPE,
  ISSUER,
  JWT_BEARER_ASSERTION_TYPE,
  REVOCATION_ENDPOINT,
  codeAndTokens,
  formPost,
  json,
  jwtClient,
  makeServer,
} from './fixtures.js'

async function jwtServer(audience?: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const h = makeServer({
    accessTokenFormat: { format: 'jwt', alg: 'ES256', kid: 'k1', privateKey, publicKey, ...(audience ? { audience } : {}) },
  })
  return { h, publicKey }
}

describe('RFC 9068 JWT access tokens (SPEC R4.2)', () => {
  it('SPEC R4.2: issues a signed at+jwt with the RFC 9068 claims and a grant id', async () => {
    const { h, publicKey } = await jwtServer()
    const tokens = await codeAndTokens(h)
    expect(decodeProtectedHeader(tokens.access_token)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
    const { payload } = await jwtVerify(tokens.access_token, publicKey, { currentDate: new Date(h.clock.t * 1000) })
    expect(payload).toMatchObject({ iss: ISSUER, sub: 'user-1', aud: 'music', client_id: 'music', scope: FULL_SCOPE })
    expect(payload.exp).toBe(h.clock.t + 3600)
    expect(payload.iat).toBe(h.clock.t)
    expect(typeof payload.jti).toBe('string')
    expect(typeof payload.gid).toBe('string')
  })

  it('SPEC R4.4: verifies, and a revoked grant revokes the JWT too', async () => {
    const { h } = await jwtServer()
    const tokens = await codeAndTokens(h)
    const info = await h.server.verifyAccessToken(tokens.access_token)
    expect(info).toMatchObject({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, expiresAt: h.clock.t + 3600 })
    await h.server.revokeGrant(info!.grantId)
    expect(await h.server.verifyAccessToken(tokens.access_token)).toBeUndefined()
  })

  it('SPEC R4.2: a code replay revokes JWT access tokens issued from it', async () => {
    const { h } = await jwtServer()
    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'u', scope: FULL_SCOPE })
    const first = json(await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code })))
    await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
    expect(await h.server.verifyAccessToken(first.access_token as string)).toBeUndefined()
  })

  it('RFC 7009: revoking a JWT at the revocation endpoint revokes its grant', async () => {
    const { h } = await jwtServer()
    const tokens = await codeAndTokens(h)
    const result = await h.server.revocationEndpoint.handle(formPost({ token: tokens.access_token }))
    expect(result.status).toBe(200)
    expect(await h.server.verifyAccessToken(tokens.access_token)).toBeUndefined()
    const refresh = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }))
    expect(json(refresh).error).toBe('invalid_grant')
  })

  it('refuses tampered, foreign-key and expired JWTs', async () => {
    const { h } = await jwtServer()
    const tokens = await codeAndTokens(h)
    const [header, payload, signature] = tokens.access_token.split('.') as [string, string, string]
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>
    const forged = btoa(JSON.stringify({ ...claims, scope: 'everything' })).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
    expect(await h.server.verifyAccessToken(`${header}.${forged}.${signature}`)).toBeUndefined()

    const { h: stranger } = await jwtServer()
    const foreign = await codeAndTokens(stranger)
    expect(await h.server.verifyAccessToken(foreign.access_token)).toBeUndefined()

    h.clock.advance(3600)
    expect(await h.server.verifyAccessToken(tokens.access_token)).toBeUndefined()
  })

  it('uses a configured resource audience and checks it', async () => {
    const { h, publicKey } = await jwtServer('https://api.assistant.example')
    const tokens = await codeAndTokens(h)
    const { payload } = await jwtVerify(tokens.access_token, publicKey, { currentDate: new Date(h.clock.t * 1000) })
    expect(payload.aud).toBe('https://api.assistant.example')
    expect(await h.server.verifyAccessToken(tokens.access_token)).toBeDefined()
  })
})

describe('private_key_jwt client authentication (RFC 7523, SPEC R3.2)', () => {
  it('redeems a code with a signed client assertion, and refuses the same assertion twice', async () => {
    const { client, assertion } = await jwtClient()
    const h = makeServer({}, [client])
    const signed = await assertion()
    const redeem = async (code: string, jwt: string) =>
      h.server.tokenEndpoint.handle(
        formPost({ grant_type: 'authorization_code', code, client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: jwt }, {}),
      )
    const first = await h.server.mintCode({ clientId: client.clientId, subject: 'u', scope: FULL_SCOPE })
    const ok = await redeem(first.code, signed)
    expect(ok.status).toBe(200)
    expect((await h.server.verifyAccessToken(json(ok).access_token as string))?.clientId).toBe(client.clientId)

    const second = await h.server.mintCode({ clientId: client.clientId, subject: 'u', scope: FULL_SCOPE })
    const replayed = await redeem(second.code, signed)
    expect(replayed.status).toBe(401)
    expect(json(replayed).error).toBe('invalid_client')
  })

  it('refuses an assertion for another audience and one signed by another key', async () => {
    const { client, assertion } = await jwtClient()
    const { assertion: impostor } = await jwtClient()
    const h = makeServer({}, [client])
    for (const jwt of [await assertion({}, 'https://elsewhere.example/token'), await impostor()]) {
      const { code } = await h.server.mintCode({ clientId: client.clientId, subject: 'u', scope: FULL_SCOPE })
      const result = await h.server.tokenEndpoint.handle(
        formPost({ grant_type: 'authorization_code', code, client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: jwt }, {}),
      )
      expect(json(result).error).toBe('invalid_client')
    }
  })

  it('an assertion for the revocation endpoint is accepted there', async () => {
    const { client, assertion } = await jwtClient()
    const h = makeServer({}, [client])
    const { code } = await h.server.mintCode({ clientId: client.clientId, subject: 'u', scope: FULL_SCOPE })
    const tokens = json(
      await h.server.tokenEndpoint.handle(
        formPost({ grant_type: 'authorization_code', code, client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: await assertion() }, {}),
      ),
    )
    const revoked = await h.server.revocationEndpoint.handle(
      formPost(
        { token: tokens.access_token as string, client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: await assertion({}, REVOCATION_ENDPOINT) },
        {},
      ),
    )
    expect(revoked.status).toBe(200)
    expect(await h.server.verifyAccessToken(tokens.access_token as string)).toBeUndefined()
  })
})
