import { MemoryStorage } from 'reciprocal-oauth'
import { GRANT_TYPE_RECIPROCAL, jsonResult } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, MUSIC_REDIRECT, VERIFIER, bearer, codeAndTokens, formPost, json, makeServer, otherAuth, s256, wrapStorage } from './fixtures.js'

const mint = (h: ReturnType<typeof makeServer>, extra: Record<string, unknown> = {}) =>
  h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, ...extra })

describe('token endpoint: code checks (SPEC R4.2, R7.2)', () => {
  it('SPEC R3.1: an expired code is refused', async () => {
    const h = makeServer()
    const { code } = await mint(h)
    h.clock.advance(61)
    const result = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
    expect(json(result).error).toBe('invalid_grant')
  })

  it('SPEC R7.2: a code of another client is refused, and is then dead for its own client too', async () => {
    const h = makeServer()
    const { code } = await mint(h)
    const stolen = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }, otherAuth))
    expect(stolen.status).toBe(400)
    expect(json(stolen).error).toBe('invalid_grant')
    const rightful = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
    expect(json(rightful).error).toBe('invalid_grant')
  })

  it('SPEC R4.1: redirect_uri must match exactly when the code carries one', async () => {
    const h = makeServer()
    const attempts = [undefined, 'https://music.example/callback/', 'https://MUSIC.example/callback']
    for (const redirect of attempts) {
      const { code } = await mint(h, { redirectUri: MUSIC_REDIRECT })
      const params: Record<string, string> = { grant_type: 'authorization_code', code }
      if (redirect !== undefined) params.redirect_uri = redirect
      expect(json(await h.server.tokenEndpoint.handle(formPost(params))).error).toBe('invalid_grant')
    }
    const { code } = await mint(h, { redirectUri: MUSIC_REDIRECT })
    const ok = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code, redirect_uri: MUSIC_REDIRECT }))
    expect(ok.status).toBe(200)
  })

  it('SPEC R4.1: a code minted without redirect_uri is refused when one is sent', async () => {
    const h = makeServer()
    const { code } = await mint(h)
    const result = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code, redirect_uri: MUSIC_REDIRECT }))
    expect(json(result).error).toBe('invalid_grant')
  })

  it('RFC 6749 §4.1.3: a redirect_uri sent for a code issued without one is refused, and the description says so', async () => {
    const h = makeServer()
    const { code } = await mint(h)
    const result = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code, redirect_uri: MUSIC_REDIRECT }))
    expect(json(result).error).toBe('invalid_grant')
    expect(json(result).error_description).toBe('redirect_uri was sent, but the authorization code was issued without one: leave it out')
    expect(result.body).not.toContain(MUSIC_REDIRECT)
  })

  it('RFC 6749 §4.1.3: a code issued with redirect_uri and redeemed without it is refused, and the description says it is required', async () => {
    const h = makeServer()
    const { code } = await mint(h, { redirectUri: MUSIC_REDIRECT })
    const result = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
    expect(json(result).error).toBe('invalid_grant')
    expect(json(result).error_description).toBe('redirect_uri is required: the authorization request included one')
  })

  it('SPEC R7.1: PKCE — missing verifier, wrong verifier, and a verifier without challenge are refused', async () => {
    const h = makeServer()
    const challenge = s256(VERIFIER)
    const missing = await mint(h, { codeChallenge: challenge })
    expect(json(await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code: missing.code }))).error).toBe('invalid_grant')
    const wrong = await mint(h, { codeChallenge: challenge })
    const wrongResult = await h.server.tokenEndpoint.handle(
      formPost({ grant_type: 'authorization_code', code: wrong.code, code_verifier: 'x'.repeat(43) }),
    )
    expect(json(wrongResult).error).toBe('invalid_grant')
    const downgrade = await mint(h)
    const downgradeResult = await h.server.tokenEndpoint.handle(
      formPost({ grant_type: 'authorization_code', code: downgrade.code, code_verifier: VERIFIER }),
    )
    expect(json(downgradeResult).error).toBe('invalid_grant')
    const right = await mint(h, { codeChallenge: challenge })
    const ok = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code: right.code, code_verifier: VERIFIER }))
    expect(ok.status).toBe(200)
  })

  it('SPEC R4.2: a replayed code is refused and the tokens issued from it are revoked', async () => {
    const h = makeServer()
    const { code } = await mint(h)
    const first = json(await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code })))
    expect(await h.server.verifyAccessToken(first.access_token as string)).toBeDefined()
    const replay = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
    expect(json(replay).error).toBe('invalid_grant')
    expect(await h.server.verifyAccessToken(first.access_token as string)).toBeUndefined()
    const refresh = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string }))
    expect(json(refresh).error).toBe('invalid_grant')
  })

  it('SPEC R7.2: storage holds hashes, never the code or tokens', async () => {
    const inner = new MemoryStorage()
    const seen: string[] = []
    const spy = wrapStorage(inner, {
      set: async (key, value, ttl) => {
        seen.push(key, JSON.stringify(value))
        return inner.set(key, value, ttl)
      },
    })
    const h2 = makeServer({ storage: spy })
    const { code } = await h2.server.mintCode({ clientId: 'music', subject: 'u', scope: FULL_SCOPE })
    const body = json(await h2.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code })))
    const dump = seen.join('\n')
    for (const secret of [code, body.access_token as string, body.refresh_token as string]) expect(dump).not.toContain(secret)
  })
})

describe('token endpoint: reciprocal scope and extension grants (SPEC R1.2, R6.1)', () => {
  it('SPEC R1.2: the token response carries reciprocal when the hook asks for it', async () => {
    const asked: unknown[] = []
    const h = makeServer({
      reciprocalScope: (info) => {
        asked.push(info)
        return info.clientId === 'music' ? 'music.play music.read' : undefined
      },
    })
    const tokens = await codeAndTokens(h)
    expect((tokens as unknown as { reciprocal: string }).reciprocal).toBe('music.play music.read')
    expect(asked).toEqual([{ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE }])
    // A refresh is not an authorization: no reciprocal there.
    const refreshed = json(await h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })))
    expect(refreshed).not.toHaveProperty('reciprocal')
  })

  it('SPEC R1.2: a hook returning an empty string adds nothing', async () => {
    const h = makeServer({ reciprocalScope: () => '' })
    expect(await codeAndTokens(h)).not.toHaveProperty('reciprocal')
  })

  it('SPEC R6.1: a grant type in extensionGrants is dispatched with the parsed form', async () => {
    const received: [string | undefined, string | undefined][] = []
    const h = makeServer({
      extensionGrants: {
        [GRANT_TYPE_RECIPROCAL]: async (_raw, params) => {
          received.push([params.get('code'), params.get('client_id')])
          return jsonResult(200, {})
        },
      },
    })
    const result = await h.server.tokenEndpoint.handle(
      formPost({ grant_type: GRANT_TYPE_RECIPROCAL, code: 'c', client_id: 'assistant', access_token: 't' }, {}),
    )
    expect(result.status).toBe(200)
    expect(received).toEqual([['c', 'assistant']])
    expect(h.server.metadata().grant_types_supported).toContain(GRANT_TYPE_RECIPROCAL)
  })

  it('a throwing extension handler becomes server_error', async () => {
    const h = makeServer({
      extensionGrants: {
        [GRANT_TYPE_RECIPROCAL]: async () => {
          throw new Error('boom')
        },
      },
    })
    const result = await h.server.tokenEndpoint.handle(formPost({ grant_type: GRANT_TYPE_RECIPROCAL }))
    expect(result.status).toBe(500)
    expect(json(result)).toMatchObject({ error: 'server_error' })
  })

  it('bearer() helper sanity: a resource request with the issued token authenticates', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    const check = await h.server.authenticateRequest(bearer(tokens.access_token))
    expect(check.ok).toBe(true)
  })
})
