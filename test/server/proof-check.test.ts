// The seam for sender-constrained tokens in the bearer check (issue 7, item 6): today only
// `Bearer`; a plugged-in proof check (DPoP, RFC 9449 §7.1, in a later release) adds its scheme.
import { invalidToken, type ProofCheck } from 'reciprocal-oauth/server'
import { describe, expect, it, vi } from 'vitest'
import { codeAndTokens, json, makeServer } from './fixtures.js'

const request = (authorization: string) => ({
  method: 'GET',
  url: 'https://assistant.example/announce',
  headers: { authorization, dpop: 'eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.sig' },
})

describe('the bearer check and sender-constrained schemes (RFC 6750, RFC 9449)', () => {
  it('RFC 6750 §3.1: a DPoP scheme without a proof check plugged in gets the bare Bearer challenge, never the resource', async () => {
    const h = makeServer({ realm: 'assistant' })
    const tokens = await codeAndTokens(h)
    const check = await h.server.authenticateRequest(request(`DPoP ${tokens.access_token}`), 'assistant.read')
    expect(check.ok).toBe(false)
    if (!check.ok) {
      expect(check.result.status).toBe(401)
      expect(check.result.headers['www-authenticate']).toBe('Bearer realm="assistant"')
      expect(json(check.result)).not.toHaveProperty('error')
    }
  })

  it('RFC 9449 §7.1: a plugged-in proof check is called with the token, what it grants and the whole request', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    const verify = vi.fn<ProofCheck['verify']>(async () => undefined)
    const presented = request(`dpop ${tokens.access_token}`)
    const check = await h.server.authenticateRequest(presented, 'assistant.read', { proofCheck: { scheme: 'DPoP', verify } })
    expect(check.ok && check.token).toMatchObject({ clientId: 'music', subject: 'user-1' })
    expect(verify).toHaveBeenCalledOnce()
    expect(verify.mock.calls[0]?.[0]).toMatchObject({
      token: tokens.access_token,
      tokenInfo: { clientId: 'music', subject: 'user-1' },
      request: presented,
    })
  })

  it('RFC 9449 §7.1: a proof the check refuses is answered with its error; Bearer requests never reach it', async () => {
    const h = makeServer()
    const tokens = await codeAndTokens(h)
    const verify = vi.fn<ProofCheck['verify']>(async () => invalidToken('The proof does not match the token'))
    const proofCheck: ProofCheck = { scheme: 'DPoP', verify }
    const refused = await h.server.authenticateRequest(request(`DPoP ${tokens.access_token}`), 'assistant.read', { proofCheck })
    expect(refused.ok).toBe(false)
    if (!refused.ok) {
      expect(refused.result.status).toBe(401)
      expect(json(refused.result).error).toBe('invalid_token')
    }
    const asBearer = await h.server.authenticateRequest(request(`Bearer ${tokens.access_token}`), 'assistant.read', { proofCheck })
    expect(asBearer.ok).toBe(true)
    expect(verify).toHaveBeenCalledOnce()
  })

  it('RFC 6750 §3.1: an unknown token under the plugged-in scheme is invalid_token before any proof is checked', async () => {
    const h = makeServer()
    const verify = vi.fn<ProofCheck['verify']>(async () => undefined)
    const check = await h.server.authenticateRequest(request('DPoP not-a-token'), undefined, { proofCheck: { scheme: 'DPoP', verify } })
    expect(!check.ok && json(check.result).error).toBe('invalid_token')
    expect(verify).not.toHaveBeenCalled()
  })

  it('RFC 6749 §5.1: the token endpoint issues token_type Bearer', async () => {
    const h = makeServer()
    expect(await codeAndTokens(h)).toMatchObject({ token_type: 'Bearer' })
  })
})
