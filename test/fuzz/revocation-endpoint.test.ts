// Hostile input at party A's revocation endpoint (issue 9 item 7; SPEC R5.2, R7.4, R7.5, R8.4;
// RFC 7009 §2): near-valid revocations (one valid request, mutated) and pure noise, through both doors.
import fc from 'fast-check'
import { createAuthorizationServer, type AuthorizationServer, type ReciprocalEvent, type RegisteredClient, staticClients } from 'reciprocal-oauth'
import { DEFAULT_BODY_LIMIT_BYTES } from 'reciprocal-oauth/server'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { FULL_SCOPE, ISSUER, MUSIC, OTHER, POSTER, REVOCATION_ENDPOINT, TOKEN_ENDPOINT, TestClock, testRuntime } from '../server/fixtures.js'
import { authVariants, ownAuth } from './auth-variants.js'
import { type FormTemplate, type ParamRule, nearValidCases } from './form-cases.js'
import { chaosCases } from './form-noise.js'
import { runFormCase } from './form-endpoint.js'
import { FUZZ_TIMEOUT_MS, Tally, TOKEN_ERRORS, check, fuzz, unhandledRejections } from './harness.js'
import { FuzzStorage } from './fuzz-storage.js'
import { basicHeader, hostileString } from './hostile.js'
import { opaqueRule } from './params.js'

const FILE = 'test/fuzz/revocation-endpoint.test.ts'
const rejections = unhandledRejections()
const tally = new Tally("party A's revocation endpoint")
afterAll(() => console.log(tally.report()))

const music = { method: 'client_secret_basic', id: MUSIC.clientId, secret: MUSIC.clientSecret ?? '' } as const
const other = { method: 'client_secret_basic', id: OTHER.clientId, secret: OTHER.clientSecret ?? '' } as const
const poster = { method: 'client_secret_post', id: POSTER.clientId, secret: POSTER.clientSecret ?? '' } as const
const THIRD: RegisteredClient = { ...OTHER, clientId: 'third', clientSecret: 'third-secret-value' }
const third = { method: 'client_secret_basic', id: THIRD.clientId, secret: THIRD.clientSecret ?? '' } as const

interface Fixture {
  readonly server: AuthorizationServer
  readonly storage: FuzzStorage
  readonly events: ReciprocalEvent[]
  readonly templates: readonly FormTemplate[]
  readonly secrets: readonly string[]
}

async function setUp(): Promise<Fixture> {
  const clock = new TestClock()
  const storage = new FuzzStorage(clock.now)
  const events: ReciprocalEvent[] = []
  const server = createAuthorizationServer({
    issuer: ISSUER,
    tokenEndpoint: TOKEN_ENDPOINT,
    revocationEndpoint: REVOCATION_ENDPOINT,
    clients: staticClients([MUSIC, OTHER, POSTER, THIRD]),
    storage,
    runtime: testRuntime(clock),
    onEvent: (event) => void events.push(event),
  })
  const tokensOf = async (client: { id: string; secret: string; method: string }, subject: string) => {
    const { code } = await server.mintCode({ clientId: client.id, subject, scope: FULL_SCOPE })
    const auth = client.method === 'client_secret_basic' ? { authorization: basicHeader(client.id, client.secret) } : {}
    const body = client.method === 'client_secret_basic' ? `grant_type=authorization_code&code=${code}` : `grant_type=authorization_code&code=${code}&client_id=${client.id}&client_secret=${client.secret}`
    const result = await server.tokenEndpoint.handle({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth }, body })
    check(result.status === 200, () => `setup: redemption failed: ${result.body}`)
    return { code, ...(JSON.parse(result.body) as { access_token: string; refresh_token: string }) }
  }
  const mine = await tokensOf(music, 'alice')
  // A client no case authenticates as: its tokens are another client's for every request.
  const theirs = await tokensOf(third, 'bob')
  const posted = await tokensOf(poster, 'carol')
  storage.markBaseline()

  // RFC 7009 §2.2: an unknown token, or one of another client (left alone), is answered 200 and changes nothing.
  const tokenRule = (own: string): ParamRule =>
    opaqueRule('malformed', 'noop', [
      { value: theirs.access_token, label: 'noop' },
      { value: theirs.refresh_token, label: 'noop' },
      { value: mine.code, label: 'noop' },
      ...[mine.access_token, mine.refresh_token].filter((token) => token !== own).map((value) => ({ value, label: 'neutral' as const })),
    ])
  // RFC 7009 §2.1: the hint is only where to look first; any value is taken.
  const hintRule: ParamRule = { drop: 'neutral', replace: fc.oneof(fc.constantFrom('access_token', 'refresh_token', 'id_token', 'code'), hostileString).map((value) => ({ value, label: 'neutral' as const })) }
  const template = (name: string, token: string, hint: string | undefined, client: typeof music | typeof poster): FormTemplate => ({
    name,
    params: [['token', token], ...(hint === undefined ? [] : [['token_type_hint', hint] as const])],
    rules: { token: tokenRule(token), token_type_hint: hintRule },
    optional: fc.constantFrom({ name: 'token_type_hint', value: 'refresh_token', label: 'neutral' as const }, { name: 'scope', value: 'x', label: 'neutral' as const }),
    auth: authVariants(client, other, 'noop'),
    ownAuth: ownAuth(client),
  })
  const templates = [
    template('access token', mine.access_token, undefined, music),
    template('refresh token with its hint', mine.refresh_token, 'refresh_token', music),
    template('access token, client_secret_post', posted.access_token, 'access_token', poster),
  ]
  const secrets = [MUSIC, OTHER, POSTER, THIRD].map((client) => client.clientSecret ?? '').concat(...[mine, theirs, posted].map((t) => [t.code, t.access_token, t.refresh_token]), storage.secrets())
  return { server, storage, events, templates, secrets }
}

describe("hostile input at party A's revocation endpoint (SPEC R7.5, R7.4, R8.4; RFC 7009 §2)", () => {
  let fixture: Fixture
  beforeAll(async () => {
    fixture = await setUp()
  })

  it(
    'SPEC R7.5: any request gets a well-formed OAuth error or 200; only a valid revocation of a token of the requesting client changes storage (RFC 7009 §2.1); nothing sent or stored leaks',
    async () => {
      const target = {
        url: REVOCATION_ENDPOINT,
        limitBytes: DEFAULT_BODY_LIMIT_BYTES,
        endpoint: fixture.server.revocationEndpoint,
        storages: [fixture.storage],
        events: fixture.events,
        secrets: fixture.secrets,
        statuses: [400, 401, 405],
        errors: TOKEN_ERRORS,
        chaosMaySucceed: true,
        onSuccess: (answer: { body: string }) => {
          check(answer.body === '{}', () => `a revocation answered ${answer.body.slice(0, 200)}, not {}`)
          return []
        },
      }
      const cases = fc.oneof(
        { weight: 7, arbitrary: nearValidCases(fixture.templates, DEFAULT_BODY_LIMIT_BYTES) },
        { weight: 3, arbitrary: chaosCases([basicHeader(music.id, music.secret), basicHeader(other.id, other.secret)], [music.id, poster.id], DEFAULT_BODY_LIMIT_BYTES) },
      )
      await fuzz(FILE, cases, (c) => runFormCase(target, c, tally, rejections.settle))
      tally.expectReached(['valid:200', 'noop:200', 'malformed:400', 'malformed:401', 'malformed:405', 'refused:401'].map((kind) => `lower:${kind}`))
    },
    FUZZ_TIMEOUT_MS,
  )
})
