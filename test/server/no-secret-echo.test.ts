import { type HttpResult, type RawHttpRequest } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, MUSIC, VERIFIER, basic, bearer, formPost, json, makeServer, otherAuth, s256 } from './fixtures.js'

describe('SPEC R7.4, R8.4: no response echoes a secret, code or token that was sent', () => {
  it('SPEC R7.4: every answer of the token, revocation and resource doors is free of the values sent so far', async () => {
    const h = makeServer()
    const sent: string[] = [MUSIC.clientSecret ?? '', 'wrong-secret-value-123', VERIFIER]
    let checked = 0
    const expectClean = (answer: HttpResult): HttpResult => {
      const text = `${answer.body}\n${JSON.stringify(answer.headers)}`
      for (const secret of sent) expect(text).not.toContain(secret)
      checked++
      return answer
    }
    const token = async (request: RawHttpRequest) => expectClean(await h.server.tokenEndpoint.handle(request))
    const revoke = async (request: RawHttpRequest) => expectClean(await h.server.revocationEndpoint.handle(request))
    const resource = async (request: RawHttpRequest, scope?: string) => {
      const check = await h.server.authenticateRequest(request, scope)
      if (!check.ok) expectClean(check.result)
    }

    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, codeChallenge: s256(VERIFIER) })
    sent.push(code)
    await token(formPost({ grant_type: 'authorization_code', code }, { authorization: basic('music', 'wrong-secret-value-123') }))
    await token(formPost({ grant_type: 'authorization_code', code, code_verifier: 'y'.repeat(43) })) // consumes it
    await token(formPost({ grant_type: 'authorization_code', code, code_verifier: VERIFIER })) // replay
    await token(formPost(`grant_type=authorization_code&code=${code}&code=${code}`))
    await token(formPost({ grant_type: 'authorization_code', code, code_verifier: `${code}!` }))

    const fresh = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE })
    sent.push(fresh.code)
    const issued = json(await token(formPost({ grant_type: 'authorization_code', code: fresh.code })))
    const access = issued.access_token as string
    const refresh = issued.refresh_token as string
    sent.push(access, refresh)
    await resource(bearer(access), 'assistant.admin')
    await resource({ method: 'GET', headers: { authorization: `Bearer ${access} x` } })
    await token(formPost({ grant_type: 'refresh_token', refresh_token: refresh, scope: 'more' }))
    await token(formPost({ grant_type: 'refresh_token', refresh_token: refresh }, otherAuth))
    await token(formPost({ grant_type: 'refresh_token', refresh_token: refresh }))
    await token(formPost({ grant_type: 'authorization_code', code: access }))
    await revoke(formPost({ token: access }, otherAuth))
    await revoke(formPost({ token: refresh }, { authorization: basic('music', 'wrong-secret-value-123') }))
    await revoke(formPost({ token: refresh }))
    await resource(bearer(access))
    expect(checked).toBeGreaterThanOrEqual(16)
  })
})
