// The same grants on node-oidc-provider (panva's certified OpenID provider), the way a Node team
// without this SDK would serve them: its own `authorization_code` redemption, and the reciprocal
// grant registered through `provider.registerGrantType`, doing comparable work to B's receiver —
// client authentication (oidc-provider's own), the access-token lookup, a check that it was issued
// to that client and carries the scope, and a stored once-only marker of the code.
import { createHash } from 'node:crypto'
import Provider from 'oidc-provider'
import { CALLBACK, GRANT_TYPE_RECIPROCAL, MUSIC_SCOPE, SECRETS, basic, formPost, listen, reciprocalPost, uniqueCode } from '../lib/fixtures.mjs'

const MUSIC_API = 'urn:example:music-api'
const VERIFIER = 'bench-pkce-verifier-0123456789-0123456789-0123456789'
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url')

/**
 * oidc-provider's development adapter is an LRU of 1,000 entries, which the codes minted up front
 * would evict: this one keeps every entry until it expires, like the SDK's `MemoryStorage`.
 */
class MapAdapter {
  static entries = new Map()
  constructor(model) {
    this.model = model
  }
  key(id) {
    return `${this.model}:${id}`
  }
  async upsert(id, payload, expiresIn) {
    MapAdapter.entries.set(this.key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 })
  }
  async find(id) {
    const entry = MapAdapter.entries.get(this.key(id))
    return entry && entry.expiresAt > Date.now() ? entry.payload : undefined
  }
  async findByUid(uid) {
    return this.find(uid)
  }
  async findByUserCode(userCode) {
    return this.find(userCode)
  }
  async consume(id) {
    const entry = MapAdapter.entries.get(this.key(id))
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000)
  }
  async destroy(id) {
    MapAdapter.entries.delete(this.key(id))
  }
  // Called only when a code is replayed or a grant revoked, which no scenario does.
  async revokeByGrantId() {}
}

export async function startServers() {
  // The provider needs its issuer (the server's origin) first; requests wait for `callback`.
  let callback
  const served = await listen((request, response) => callback(request, response))
  const provider = new Provider(served.url, {
    clients: [
      {
        client_id: 'assistant',
        client_secret: SECRETS.assistantAtMusic,
        redirect_uris: [CALLBACK],
        grant_types: ['authorization_code', 'refresh_token', GRANT_TYPE_RECIPROCAL],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    adapter: MapAdapter,
    scopes: MUSIC_SCOPE.split(' '),
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    // A refresh token with every access token, as the SDK's redemption issues one.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => MUSIC_API,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: MUSIC_SCOPE, accessTokenFormat: 'opaque' }),
      },
    },
  })
  callback = provider.callback()

  // The reciprocal grant's marker store: code hashes with their expiry, like the receiver's.
  const received = new Map()
  provider.registerGrantType(
    GRANT_TYPE_RECIPROCAL,
    async (ctx) => {
      const { access_token: token, code } = ctx.oidc.params
      const accessToken = token ? await provider.AccessToken.find(token) : undefined
      if (!accessToken || accessToken.isExpired || accessToken.clientId !== ctx.oidc.client.clientId || !accessToken.scopes.has('music.read')) {
        ctx.status = 400
        ctx.body = { error: 'invalid_token', error_description: 'The access token is not valid for this client' }
        return
      }
      const marker = createHash('sha256').update(code).digest('base64url')
      if (received.has(marker)) {
        ctx.status = 400
        ctx.body = { error: 'invalid_grant' }
        return
      }
      received.set(marker, Date.now() + 600_000)
      ctx.body = {}
    },
    ['code', 'access_token'],
  )

  const client = await provider.Client.find('assistant')
  /** A grant for `accountId` and a fresh authorization code in it, as the authorization endpoint would save them. */
  const mintCode = async (accountId) => {
    const grant = new provider.Grant({ accountId, clientId: client.clientId })
    grant.addResourceScope(MUSIC_API, MUSIC_SCOPE)
    const grantId = await grant.save()
    const code = new provider.AuthorizationCode({
      accountId,
      client,
      grantId,
      scope: MUSIC_SCOPE,
      resource: MUSIC_API,
      redirectUri: CALLBACK,
      codeChallenge: CHALLENGE,
      codeChallengeMethod: 'S256',
    })
    return code.save()
  }
  // One access token of alice's, to send in every reciprocal POST.
  const tokenResponse = await fetch(`${served.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('assistant', SECRETS.assistantAtMusic) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: await mintCode('alice'), redirect_uri: CALLBACK, code_verifier: VERIFIER }),
  })
  const accessToken = (await tokenResponse.json()).access_token
  if (typeof accessToken !== 'string') throw new Error(`oidc-provider's token endpoint answered ${tokenResponse.status}`)

  return {
    urls: { provider: served.url, accessToken },
    prepare: {
      'oidc-authorization-code': async (count) => {
        const codes = []
        for (let i = 0; i < count; i++) codes.push(await mintCode(`user-${i % 256}`))
        return codes
      },
    },
    close: () => served.server.close(),
  }
}

export const scenarios = [
  {
    name: 'oidc-authorization-code',
    label: "oidc-provider's token endpoint, redeeming an authorization code",
    server: 'provider',
    prepared: true,
    request: (code) => formPost('/token', { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: VERIFIER }, basic('assistant', SECRETS.assistantAtMusic)),
    expect: 200,
    vs: { ceiling: 'ceiling' },
  },
  {
    name: 'oidc-reciprocal',
    label: 'oidc-provider, reciprocal grant via registerGrantType, valid POST',
    server: 'provider',
    request: (i, urls) => reciprocalPost('/token', uniqueCode(i), urls.accessToken),
    expect: 200,
    vs: { ceiling: 'ceiling' },
  },
  {
    name: 'oidc-reciprocal-unknown',
    label: 'oidc-provider, reciprocal grant via registerGrantType, unknown token',
    server: 'provider',
    request: (i) => reciprocalPost('/token', uniqueCode(i), `unknown-${i}`),
    expect: 400,
    vs: { ceiling: 'ceiling' },
  },
]
