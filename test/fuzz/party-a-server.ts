// Party A's authorization server for the fuzz tests of its token endpoint (through both doors, and
// through the Node adapter on a real server): every grant it serves, a client of each
// authentication method, and the codes and tokens that near-valid requests are made of.
import fc from 'fast-check'
import { createAuthorizationServer, type AuthorizationServer, type ReciprocalEvent, type RegisteredClient, staticClients } from 'reciprocal-oauth'
import { DEFAULT_BODY_LIMIT_BYTES, GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import { FULL_SCOPE, ISSUER, MUSIC, MUSIC_REDIRECT, OTHER, POSTER, PUBLIC, REVOCATION_ENDPOINT, TOKEN_ENDPOINT, TestClock, VERIFIER, jwtClient, s256, testRuntime } from '../server/fixtures.js'
import { type Credentials, authVariants, ownAuth } from './auth-variants.js'
import { type FormCase, type FormTemplate, type Replacement, nearValidCases } from './form-cases.js'
import { chaosCases } from './form-noise.js'
import { check, TOKEN_ERRORS } from './harness.js'
import { FuzzStorage } from './fuzz-storage.js'
import type { FormTarget } from './form-endpoint.js'
import { basicHeader } from './hostile.js'
import { grantTypeRule, opaqueRule, redirectRule, scopeReplacement, verifierRule } from './params.js'

const PUBLIC_VERIFIER = 'pUbLiC-vErIfIeR-0123456789-abcdefghijklmnopqrstu'
export const music = { method: 'client_secret_basic', id: MUSIC.clientId, secret: MUSIC.clientSecret ?? '' } as const
export const other = { method: 'client_secret_basic', id: OTHER.clientId, secret: OTHER.clientSecret ?? '' } as const
export const poster = { method: 'client_secret_post', id: POSTER.clientId, secret: POSTER.clientSecret ?? '' } as const
const publicApp = { method: 'none', id: PUBLIC.clientId } as const

export interface PartyAServer {
  readonly server: AuthorizationServer
  readonly storage: FuzzStorage
  readonly events: ReciprocalEvent[]
  readonly templates: readonly FormTemplate[]
  readonly secrets: readonly string[]
}

async function redeem(server: AuthorizationServer, code: string): Promise<{ access_token: string; refresh_token: string }> {
  const result = await server.tokenEndpoint.handle({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicHeader(music.id, music.secret) },
    body: `grant_type=authorization_code&code=${code}`,
  })
  check(result.status === 200, () => `setup: redemption failed: ${result.body}`)
  return JSON.parse(result.body) as { access_token: string; refresh_token: string }
}

export async function partyAServer(): Promise<PartyAServer> {
  const clock = new TestClock()
  const storage = new FuzzStorage(clock.now)
  const events: ReciprocalEvent[] = []
  const jwt = await jwtClient()
  const clients: RegisteredClient[] = [MUSIC, OTHER, POSTER, PUBLIC, jwt.client]
  const server = createAuthorizationServer({
    issuer: ISSUER,
    tokenEndpoint: TOKEN_ENDPOINT,
    revocationEndpoint: REVOCATION_ENDPOINT,
    clients: staticClients(clients),
    storage,
    runtime: testRuntime(clock),
    onEvent: (event) => void events.push(event),
    // The rotated refresh token below stands for a replay: no grace for a lost answer (that
    // path is tested in test/server/refresh-grace.test.ts).
    refreshTokenReuseGraceSeconds: 0,
  })
  const mint = async (clientId: string, subject: string, extra: { redirectUri?: string; codeChallenge?: string; supersede?: boolean; scope?: string } = {}) =>
    (await server.mintCode({ clientId, subject, scope: FULL_SCOPE, ...extra })).code
  const initial = await mint('music', 'alice', { redirectUri: MUSIC_REDIRECT, codeChallenge: s256(VERIFIER) })
  const reciprocal = await mint('music', 'bob', { supersede: true, scope: 'assistant.announce' })
  const posted = await mint('poster', 'carol')
  const publicCode = await server.mintCode({ clientId: PUBLIC.clientId, subject: 'dave', scope: PUBLIC.scope, redirectUri: 'https://app.example/cb', codeChallenge: s256(PUBLIC_VERIFIER) })
  const jwtCode = await mint('jwt-client', 'erin')
  const used = await mint('music', 'frank')
  const usedTokens = await redeem(server, used)
  const rotated = await redeem(server, await mint('music', 'gina'))
  const refreshed = await server.tokenEndpoint.handle({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicHeader(music.id, music.secret) },
    body: `grant_type=refresh_token&refresh_token=${rotated.refresh_token}`,
  })
  const live = JSON.parse(refreshed.body) as { access_token: string; refresh_token: string }
  const assertion = await jwt.assertion()
  storage.markBaseline()

  // A code presented by a client it was not issued to has leaked and is consumed; a used one revokes
  // its grant (RFC 6749 §4.1.2, RFC 9700 §4.5): refusals that may write.
  const foreignCodes: Replacement[] = [
    { value: posted, label: 'refused-may-write' },
    { value: used, label: 'refused-may-write' },
    { value: live.refresh_token, label: 'refused' },
  ]
  const codeParams = (code: string) => ({ grant_type: grantTypeRule([{ value: 'refresh_token', label: 'malformed' }, { value: GRANT_TYPE_RECIPROCAL, label: 'malformed' }]), code: opaqueRule('malformed', 'refused', foreignCodes.filter((r) => r.value !== code)) })
  const otherGrantParams = fc.constantFrom(
    { name: 'scope', value: 'assistant.read', label: 'neutral' as const },
    // Not a live refresh token: with grant_type mutated to refresh_token it would make another valid request.
    { name: 'refresh_token', value: 'not-a-refresh-token-of-this-server', label: 'neutral' as const },
    { name: 'token_type_hint', value: 'access_token', label: 'neutral' as const },
  )
  const initialTemplate: FormTemplate = {
    name: 'initial flow code with PKCE',
    params: [['grant_type', 'authorization_code'], ['code', initial], ['redirect_uri', MUSIC_REDIRECT], ['code_verifier', VERIFIER]],
    rules: { ...codeParams(initial), redirect_uri: redirectRule('refused', MUSIC_REDIRECT), code_verifier: verifierRule('refused', 'refused') },
    optional: otherGrantParams,
    auth: authVariants(music, other, 'refused-may-write'),
    ownAuth: ownAuth(music),
  }
  const reciprocalTemplate: FormTemplate = {
    name: 'reciprocal code (SPEC R4.1)',
    params: [['grant_type', 'authorization_code'], ['code', reciprocal]],
    rules: codeParams(reciprocal),
    // SPEC R4.1: the reciprocal code is redeemed without redirect_uri and verifier; sending one is a mistake (RFC 9700 §2.1.1).
    optional: fc.oneof(
      otherGrantParams,
      fc.constantFrom(
        { name: 'redirect_uri', value: MUSIC_REDIRECT, label: 'refused' as const },
        { name: 'code_verifier', value: VERIFIER, label: 'refused' as const },
        { name: 'code_verifier', value: 'short', label: 'malformed' as const },
      ),
    ),
    auth: authVariants(music, other, 'refused-may-write'),
    ownAuth: ownAuth(music),
  }
  const refreshTemplate: FormTemplate = {
    name: 'refresh token (RFC 6749 §6)',
    params: [['grant_type', 'refresh_token'], ['refresh_token', live.refresh_token]],
    rules: {
      grant_type: grantTypeRule([{ value: 'authorization_code', label: 'malformed' }]),
      // RFC 9700 §4.14.2: a rotated refresh token that comes back revokes the grant.
      refresh_token: opaqueRule('malformed', 'refused', [{ value: rotated.refresh_token, label: 'refused-may-write' }, { value: live.access_token, label: 'refused' }, { value: initial, label: 'refused' }]),
    },
    optional: fc.oneof(
      scopeReplacement(FULL_SCOPE.split(' ')).map((r) => ({ name: 'scope', ...r })),
      fc.constantFrom({ name: 'code', value: initial, label: 'neutral' as const }, { name: 'redirect_uri', value: MUSIC_REDIRECT, label: 'neutral' as const }),
    ),
    auth: authVariants(music, other, 'refused-may-write'),
    ownAuth: ownAuth(music),
  }
  const postTemplate: FormTemplate = {
    name: 'client_secret_post',
    params: [['grant_type', 'authorization_code'], ['code', posted]],
    rules: codeParams(posted),
    optional: otherGrantParams,
    auth: authVariants(poster, other, 'refused-may-write'),
    ownAuth: ownAuth(poster),
  }
  const publicTemplate: FormTemplate = {
    name: 'public client with PKCE',
    params: [['grant_type', 'authorization_code'], ['code', publicCode.code], ['redirect_uri', 'https://app.example/cb'], ['code_verifier', PUBLIC_VERIFIER]],
    rules: { ...codeParams(publicCode.code), redirect_uri: redirectRule('refused', 'https://app.example/cb'), code_verifier: verifierRule('refused', 'refused') },
    optional: otherGrantParams,
    auth: authVariants(publicApp, other, 'refused-may-write'),
    ownAuth: ownAuth(publicApp),
  }
  const jwtCredentials: Credentials = { method: 'private_key_jwt', id: jwt.client.clientId, assertion }
  const jwtTemplate: FormTemplate = {
    name: 'private_key_jwt',
    params: [['grant_type', 'authorization_code'], ['code', jwtCode]],
    rules: codeParams(jwtCode),
    optional: otherGrantParams,
    auth: authVariants(jwtCredentials, other, 'refused-may-write'),
    ownAuth: ownAuth(jwtCredentials),
  }
  const secrets = [
    ...[MUSIC, OTHER, POSTER].map((client) => client.clientSecret ?? ''),
    VERIFIER,
    PUBLIC_VERIFIER,
    initial,
    reciprocal,
    posted,
    publicCode.code,
    jwtCode,
    used,
    assertion,
    ...[usedTokens, rotated, live].flatMap((tokens) => [tokens.access_token, tokens.refresh_token]),
    ...storage.secrets(),
  ].filter((secret) => typeof secret === 'string' && secret.length >= 8)
  return { server, storage, events, templates: [initialTemplate, reciprocalTemplate, refreshTemplate, postTemplate, publicTemplate, jwtTemplate], secrets }
}

/** RFC 7523 §3: a verified assertion's `jti` is recorded whatever becomes of the request, so that it is accepted once. */
const assertionRecorded = (c: FormCase, change: string): boolean => change.startsWith('add jti:') && c.template === 'private_key_jwt'

/** RFC 6749 §5.1: a token response, and the new tokens it carries. */
function tokenResponse(body: string): string[] {
  const parsed = JSON.parse(body) as Record<string, unknown>
  check(typeof parsed['access_token'] === 'string' && parsed['token_type'] === 'Bearer' && typeof parsed['expires_in'] === 'number', () => `not a token response: ${body.slice(0, 200)}`)
  return [parsed['access_token'] as string, ...(typeof parsed['refresh_token'] === 'string' ? [parsed['refresh_token']] : [])]
}

/** The token endpoint as a fuzz target: what its answers may be, what it may write, what must not leak. */
export function tokenEndpointTarget(server: PartyAServer): FormTarget {
  return {
    url: TOKEN_ENDPOINT,
    limitBytes: DEFAULT_BODY_LIMIT_BYTES,
    endpoint: server.server.tokenEndpoint,
    storages: [server.storage],
    events: server.events,
    secrets: server.secrets,
    statuses: [400, 401, 405],
    errors: TOKEN_ERRORS,
    tolerated: assertionRecorded,
    onSuccess: (answer) => tokenResponse(answer.body),
  }
}

/** The token endpoint's cases: near-valid requests of every template, and noise (some with a valid client authentication). */
export function tokenEndpointCases(server: PartyAServer): fc.Arbitrary<FormCase> {
  return fc.oneof(
    { weight: 7, arbitrary: nearValidCases(server.templates, DEFAULT_BODY_LIMIT_BYTES) },
    { weight: 3, arbitrary: chaosCases([basicHeader(music.id, music.secret), basicHeader(other.id, other.secret)], [music.id, poster.id, 'jwt-client'], DEFAULT_BODY_LIMIT_BYTES) },
  )
}
