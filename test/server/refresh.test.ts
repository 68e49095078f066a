import { DEFAULT_REFRESH_TOKEN_REUSE_GRACE_SECONDS } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, codeAndTokens, formPost, json, makeServer, otherAuth } from './fixtures.js'

const refresh = (h: ReturnType<typeof makeServer>, token: string, extra: Record<string, string> = {}, headers?: Record<string, string>) =>
  h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: token, ...extra }, headers))

describe('refresh_token grant (SPEC R8.2, R7.6)', () => {
  it('rotates: a new pair in the same grant, the old refresh token stops working', async () => {
    const h = makeServer()
    const first = await codeAndTokens(h)
    h.clock.advance(100)
    const result = await refresh(h, first.refresh_token)
    expect(result.status).toBe(200)
    expect(result.headers['cache-control']).toBe('no-store')
    const second = json(result)
    expect(second).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: FULL_SCOPE })
    expect(second.refresh_token).not.toBe(first.refresh_token)
    const before = await h.server.verifyAccessToken(first.access_token)
    const after = await h.server.verifyAccessToken(second.access_token as string)
    expect(after?.grantId).toBe(before?.grantId)
    // And the new refresh token rotates again.
    expect((await refresh(h, second.refresh_token as string)).status).toBe(200)
  })

  it('RFC 9700 §4.14.2: reuse of a rotated refresh token after its grace period is refused and revokes the grant', async () => {
    const h = makeServer()
    const first = await codeAndTokens(h)
    const second = json(await refresh(h, first.refresh_token))
    h.clock.advance(DEFAULT_REFRESH_TOKEN_REUSE_GRACE_SECONDS)
    const reuse = await refresh(h, first.refresh_token)
    expect(json(reuse).error).toBe('invalid_grant')
    expect(await h.server.verifyAccessToken(second.access_token as string)).toBeUndefined()
    expect(json(await refresh(h, second.refresh_token as string)).error).toBe('invalid_grant')
  })

  it('RFC 9700 §4.14.2: 20 concurrent refreshes with one token → one 200, and the replays revoke what it issued', async () => {
    const h = makeServer()
    const first = await codeAndTokens(h)
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(h, first.refresh_token)))
    const winners = results.filter((r) => r.status === 200)
    expect(winners).toHaveLength(1)
    expect(results.filter((r) => json(r).error === 'invalid_grant')).toHaveLength(19)
    const issued = json(winners[0] ?? results[0]!)
    expect(await h.server.verifyAccessToken(issued.access_token as string)).toBeUndefined()
  })

  it('a refresh token presented by another client is refused and the grant is revoked', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    const stolen = await refresh(h, tokens.refresh_token, {}, otherAuth)
    expect(json(stolen).error).toBe('invalid_grant')
    expect(await h.server.verifyAccessToken(tokens.access_token)).toBeUndefined()
  })

  it('SPEC R7.6: a narrower scope is honoured for the access token, and the grant scope stays available', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    const narrow = json(await refresh(h, tokens.refresh_token, { scope: 'assistant.read' }))
    expect(narrow.scope).toBe('assistant.read')
    expect((await h.server.verifyAccessToken(narrow.access_token as string))?.scope).toBe('assistant.read')
    // RFC 6749 §6: the next refresh may ask again for anything originally granted.
    const full = json(await refresh(h, narrow.refresh_token as string))
    expect(full.scope).toBe(FULL_SCOPE)
  })

  it('SPEC R7.6: a wider scope is refused with invalid_scope', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h, 'assistant.read')
    const wide = await refresh(h, tokens.refresh_token, { scope: 'assistant.read assistant.announce' })
    expect(wide.status).toBe(400)
    expect(json(wide).error).toBe('invalid_scope')
  })

  it('a malformed scope is invalid_request', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    expect(json(await refresh(h, tokens.refresh_token, { scope: 'a  b' })).error).toBe('invalid_request')
  })

  it('an expired refresh token is refused', async () => {
    const h = makeServer({ refreshTokenTtlSeconds: 7200 })
    const tokens = await codeAndTokens(h)
    h.clock.advance(7201)
    expect(json(await refresh(h, tokens.refresh_token)).error).toBe('invalid_grant')
  })

  it('the grant lifetime slides with each rotation', async () => {
    const h = makeServer({ refreshTokenTtlSeconds: 7200, accessTokenTtlSeconds: 600 })
    let tokens = await codeAndTokens(h)
    for (let i = 0; i < 5; i++) {
      h.clock.advance(5000)
      const next = await refresh(h, tokens.refresh_token)
      expect(next.status).toBe(200)
      tokens = json(next) as typeof tokens
    }
    expect(await h.server.verifyAccessToken(tokens.access_token)).toBeDefined()
  })

  it('an access token expires on time', async () => {
    const h = makeServer({ accessTokenTtlSeconds: 600 })
    const tokens = await codeAndTokens(h)
    h.clock.advance(599)
    expect(await h.server.verifyAccessToken(tokens.access_token)).toBeDefined()
    h.clock.advance(1)
    expect(await h.server.verifyAccessToken(tokens.access_token)).toBeUndefined()
  })

  it('a refresh request when refresh tokens are off is invalid_grant', async () => {
    const h = makeServer({ refreshTokens: false })
    expect(json(await refresh(h, 'anything')).error).toBe('invalid_grant')
    expect(h.server.metadata().grant_types_supported).not.toContain('refresh_token')
  })

  it('a refresh token of a revoked grant is refused', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    const info = await h.server.verifyAccessToken(tokens.access_token)
    await h.server.revokeGrant(info!.grantId)
    expect(json(await refresh(h, tokens.refresh_token)).error).toBe('invalid_grant')
  })
})
