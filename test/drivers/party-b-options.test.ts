// createPartyB({ authorizationServer }) derives what party B needs from B's own authorization
// server and registers the reciprocal grant there (issue 7 item 4): no forward reference, no
// option given twice.
import { ClientSecretBasic, createAuthorizationServer, createPartyB, MisuseCode, staticClients } from 'reciprocal-oauth'
import { GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'

const ISSUER = 'https://music.example'
const clients = staticClients([
  { clientId: 'assistant', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: 'assistant-secret-at-music-0123456789', scope: 'music.play' },
])
const peers = {
  assistant: { as: { issuer: 'https://assistant.example', token_endpoint: 'https://assistant.example/token' }, client: { client_id: 'music' }, clientAuth: ClientSecretBasic('s3cret') },
}
const musicAs = () => createAuthorizationServer({ issuer: ISSUER, tokenEndpoint: `${ISSUER}/token`, clients })

/** The `code` of the TypeError `build` throws. */
function misuseCode(build: () => unknown): unknown {
  try {
    build()
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError)
    return (error as { code?: unknown }).code
  }
  throw new Error('expected a TypeError')
}

describe('createPartyB({ authorizationServer }) (SPEC R3.3, R8.3)', () => {
  it('registers the reciprocal grant at the authorization server it is given', async () => {
    const as = musicAs()
    expect(as.metadata().grant_types_supported).not.toContain(GRANT_TYPE_RECIPROCAL)
    createPartyB({ authorizationServer: as, peers })
    expect(as.metadata().grant_types_supported).toContain(GRANT_TYPE_RECIPROCAL)
    // The token endpoint now hands the reciprocal grant to party B's receiver, which checks the
    // client with the server's own registry: a wrong secret is invalid_client, not unsupported_grant_type.
    const response = await as.tokenEndpoint.fetch(
      new Request(`${ISSUER}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${btoa('assistant:wrong')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code: 'c', access_token: 't' }),
      }),
    )
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_client' })
  })

  it('checks A\'s access token with the server\'s own token check: a token it never issued is invalid_token', async () => {
    const as = musicAs()
    createPartyB({ authorizationServer: as, peers })
    const response = await as.tokenEndpoint.fetch(
      new Request(`${ISSUER}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${btoa('assistant:assistant-secret-at-music-0123456789')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code: 'c', access_token: 'never-issued' }),
      }),
    )
    expect(await response.json()).toMatchObject({ error: 'invalid_token' })
  })

  it('refuses a second party B on one authorization server, and a grant type registered twice', () => {
    const as = musicAs()
    createPartyB({ authorizationServer: as, peers })
    expect(misuseCode(() => createPartyB({ authorizationServer: as, peers }))).toBe(MisuseCode.InvalidValue)
    const preset = createAuthorizationServer({ issuer: ISSUER, tokenEndpoint: `${ISSUER}/token`, clients, extensionGrants: { [GRANT_TYPE_RECIPROCAL]: async () => ({ status: 200, headers: {}, body: '{}' }) } })
    expect(misuseCode(() => createPartyB({ authorizationServer: preset, peers }))).toBe(MisuseCode.InvalidValue)
  })

  it('registerExtensionGrant refuses the grants the token endpoint handles itself', () => {
    const as = musicAs()
    const handler = async () => ({ status: 200, headers: {}, body: '{}' })
    expect(misuseCode(() => as.registerExtensionGrant('authorization_code', handler))).toBe(MisuseCode.InvalidValue)
    expect(misuseCode(() => as.registerExtensionGrant('refresh_token', handler))).toBe(MisuseCode.InvalidValue)
    expect(misuseCode(() => as.registerExtensionGrant('urn:example:grant', 'not a function' as never))).toBe(MisuseCode.InvalidType)
  })

  it('takes either the authorization server or the pieces for another one, not both and not neither', () => {
    const verifyAccessToken = async () => undefined
    expect(misuseCode(() => createPartyB({ authorizationServer: musicAs(), clients, peers }))).toBe(MisuseCode.InvalidValue)
    expect(misuseCode(() => createPartyB({ peers }))).toBe(MisuseCode.InvalidValue)
    expect(misuseCode(() => createPartyB({ clients, verifyAccessToken, peers }))).toBe(MisuseCode.InvalidValue)
    expect(() => createPartyB({ clients, audiences: [ISSUER, `${ISSUER}/token`], verifyAccessToken, peers })).not.toThrow()
  })
})
