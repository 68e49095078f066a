// Hostile input at the bearer check (issue 9 item 7; SPEC R4.4, R7.4, R7.5, R8.4; RFC 6750 §2.1,
// §3, §3.1): `authenticateRequest` with a request already read (headers as a record or `Headers`)
// and with a Web `Request` as it is, for opaque and JWT access tokens. Each case is judged by the
// Authorization header it actually carries, read as RFC 6750 §2.1 reads it.
import fc from 'fast-check'
import { createAuthorizationServer, type AuthorizationServer, type ReciprocalEvent, staticClients } from 'reciprocal-oauth'
import type { RawHttpRequest } from 'reciprocal-oauth/server'
import { generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { FULL_SCOPE, ISSUER, MUSIC, OTHER, TOKEN_ENDPOINT, TestClock, testRuntime } from '../server/fixtures.js'
import { headerBag } from './form-endpoint.js'
import { type Answer, FUZZ_TIMEOUT_MS, Tally, answerOfResult, check, expectNoSecret, expectNoUnexpectedFailure, expectOAuthError, fuzz, printable, unhandledRejections } from './harness.js'
import { FuzzStorage } from './fuzz-storage.js'
import { basicHeader, canary, headerName, headerValue, hostileString, otherMethod, percentEncode } from './hostile.js'

const FILE = 'test/fuzz/resource-server.test.ts'
const rejections = unhandledRejections()
const tally = new Tally('bearer check (authenticateRequest)')
afterAll(() => console.log(tally.report()))

const BEARER_ERRORS = ['invalid_request', 'invalid_token', 'insufficient_scope']
/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
/** What a quoted-string of a challenge may hold here (no quote, no backslash, printable ASCII). */
const QUOTED = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/
const REQUIRED_SCOPES = [undefined, 'assistant.read', 'assistant.announce', 'assistant.read assistant.announce', 'assistant.admin'] as const

interface Issued {
  readonly token: string
  readonly subject: string
  readonly scope: string
}

interface Fixture {
  readonly name: 'opaque' | 'jwt'
  readonly realm: string
  readonly server: AuthorizationServer
  readonly storage: FuzzStorage
  readonly events: ReciprocalEvent[]
  /** Live access tokens, and strings that look like tokens but are not live ones of this server. */
  readonly live: readonly Issued[]
  readonly dead: readonly string[]
}

async function fixture(name: 'opaque' | 'jwt', realm: string): Promise<Fixture> {
  const clock = new TestClock()
  const storage = new FuzzStorage(clock.now)
  const events: ReciprocalEvent[] = []
  const keys = name === 'jwt' ? await generateKeyPair('ES256') : undefined
  const server = createAuthorizationServer({
    issuer: ISSUER,
    tokenEndpoint: TOKEN_ENDPOINT,
    clients: staticClients([MUSIC, OTHER]),
    storage,
    runtime: testRuntime(clock),
    realm,
    ...(keys === undefined ? {} : { accessTokenFormat: { format: 'jwt' as const, alg: 'ES256', privateKey: keys.privateKey, publicKey: keys.publicKey } }),
    onEvent: (event) => void events.push(event),
  })
  const issue = async (clientId: string, secret: string, subject: string, scope: string) => {
    const { code } = await server.mintCode({ clientId, subject, scope })
    const result = await server.tokenEndpoint.handle({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicHeader(clientId, secret) }, body: `grant_type=authorization_code&code=${code}` })
    check(result.status === 200, () => `setup: redemption failed: ${result.body}`)
    return JSON.parse(result.body) as { access_token: string; refresh_token: string; scope: string }
  }
  const full = await issue('music', MUSIC.clientSecret ?? '', 'alice', FULL_SCOPE)
  const read = await issue('other', OTHER.clientSecret ?? '', 'bob', 'assistant.read')
  const revoked = await issue('music', MUSIC.clientSecret ?? '', 'carol', FULL_SCOPE)
  const info = await server.verifyAccessToken(revoked.access_token)
  check(info !== undefined, () => 'setup: the token to revoke is not live')
  await server.revokeGrant(info.grantId)
  storage.markBaseline()
  const tampered = `${full.access_token.slice(0, -2)}${full.access_token.endsWith('AA') ? 'BB' : 'AA'}`
  return {
    name,
    realm,
    server,
    storage,
    events,
    live: [
      { token: full.access_token, subject: 'alice', scope: FULL_SCOPE },
      { token: read.access_token, subject: 'bob', scope: 'assistant.read' },
    ],
    dead: [revoked.access_token, full.refresh_token, tampered, `${full.access_token}=`, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.', 'a.b.c', 't'.repeat(9000)],
  }
}

type Form = 'record' | 'headers' | 'request'

/** A token value: a live one (by index), a dead one, an unknown canary, or anything. */
type TokenPick = { readonly live: number } | { readonly dead: number } | { readonly text: string; readonly secret: boolean }

const tokenPick: fc.Arbitrary<TokenPick> = fc.oneof(
  { weight: 4, arbitrary: fc.nat(1).map((live) => ({ live })) },
  { weight: 2, arbitrary: fc.nat(6).map((dead) => ({ dead })) },
  { weight: 1, arbitrary: canary.map((text) => ({ text, secret: true })) },
  { weight: 1, arbitrary: hostileString.map((text) => ({ text, secret: false })) },
)

/** How the token is put in the header: RFC 6750 §2.1 spellings, broken ones, other schemes. */
type Spelling = (token: string) => string

const spelling: fc.Arbitrary<Spelling> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<(token: string) => string>((t) => `Bearer ${t}`, (t) => `bearer ${t}`, (t) => `BEARER   ${t}`, (t) => `Bearer ${t}  `),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<(token: string) => string>(
      (t) => `Bearer\t${t}`,
      (t) => `Bearer${t}`,
      (t) => `Bearer ${t} extra`,
      (t) => `Bearer ${t}, Bearer ${t}`,
      (t) => ` Bearer ${t}`,
      (t) => `Basic ${t}`,
      (t) => `DPoP ${t}`,
      (t) => `Token ${t}`,
      (t) => `Bearer "${t}"`,
      (t) => `Bearer ${percentEncode(t, true)}`,
      () => 'Bearer',
      () => 'Bearer ',
      () => '',
    ),
  },
)

const cases = fc
  .record({
    server: fc.constantFrom<0 | 1>(0, 1),
    method: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'get') }, { weight: 1, arbitrary: otherMethod }),
    // Mostly one Authorization header; sometimes none, sometimes two.
    headers: fc.constantFrom(0, 1, 1, 1, 1, 1, 1, 2).chain((count) => fc.array(fc.tuple(tokenPick, spelling), { minLength: count, maxLength: count })),
    raw: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hostileString }),
    noise: fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
    queryToken: fc.boolean(),
    path: fc.oneof(fc.constantFrom('/api/announce', '/api/profile?x=1', '/'), hostileString.map((text) => `/${percentEncode(text)}`)),
    form: fc.constantFrom<Form>('record', 'headers', 'request'),
    requiredScope: fc.constantFrom(...REQUIRED_SCOPES),
  })
  .map((drawn) => printable(drawn))

/** The header as a door sees it: `Headers` trims each value and joins repeats with ", " (a record joins only). */
function seen(values: readonly string[], form: Form): string | undefined {
  if (values.length === 0) return undefined
  return values.map((value) => (form === 'record' ? value : value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, ''))).join(', ')
}

/** RFC 6750 §2.1, §3.1: no Bearer credentials, malformed ones, or a b64token. */
function readBearer(header: string | undefined): { kind: 'none' } | { kind: 'malformed' } | { kind: 'token'; token: string } {
  if (header === undefined || header.slice(0, 6).toLowerCase() !== 'bearer') return { kind: 'none' }
  if (header.length > 6 && !/\s/.test(header.charAt(6))) return { kind: 'none' }
  const match = /^ +(.*?) *$/s.exec(header.slice(6))
  if (match === null || !B64TOKEN.test(match[1] ?? '')) return { kind: 'malformed' }
  return { kind: 'token', token: match[1] ?? '' }
}

describe('hostile input at the bearer check (SPEC R4.4, R7.5, R8.4; RFC 6750 §3.1)', () => {
  let fixtures: readonly [Fixture, Fixture]
  beforeAll(async () => {
    fixtures = [await fixture('opaque', 'oauth'), await fixture('jwt', 'music "api" \\ ü')]
  })

  it(
    'RFC 6750 §3.1: every request gets the bearer check RFC 6750 prescribes — a bare challenge, invalid_request, invalid_token, insufficient_scope — or the token when live and sufficient; nothing is written; no token is echoed',
    async () => {
      await fuzz(FILE, cases, async (drawn) => {
        const f = fixtures[drawn.server]
        const secrets: string[] = [...f.live.map((issued) => issued.token), ...f.dead.filter((dead) => dead.length >= 16)]
        const tokenOf = (pick: TokenPick): string => {
          if ('live' in pick) return f.live[pick.live]?.token ?? ''
          if ('dead' in pick) return f.dead[pick.dead] ?? ''
          if (pick.secret) secrets.push(pick.text)
          return pick.text
        }
        const authorization = drawn.headers.map(([pick, spell]) => spell(tokenOf(pick)))
        if (drawn.raw !== null) authorization.push(drawn.raw)
        const lines: [string, string][] = [...drawn.noise.filter(([n]) => n.toLowerCase() !== 'authorization'), ...authorization.map((v): [string, string] => ['Authorization', v])]
        const token = f.live[0]?.token ?? ''
        // RFC 6750 §2.3 (the query parameter) is not supported: a token there is no credential.
        const url = `https://assistant.example${drawn.path}${drawn.queryToken ? `${drawn.path.includes('?') ? '&' : '?'}access_token=${token}` : ''}`
        let request: Pick<RawHttpRequest, 'method' | 'headers' | 'url'> | undefined
        let form: Form = drawn.form
        if (form === 'request') {
          try {
            request = new Request(url, { method: drawn.method, headers: lines })
          } catch {
            // expected: a method or header no Request can carry; the lower door takes it.
            tally.count('request-not-constructible')
            form = 'headers'
          }
        }
        if (request === undefined) {
          const headers = headerBag(lines, form === 'headers' ? 'headers' : 'record')
          // A value no Headers object takes makes the bag a record.
          if (!(headers instanceof Headers)) form = 'record'
          request = { method: drawn.method, headers, url }
        }
        await f.storage.reset()
        f.events.length = 0
        const outcome = await f.server.authenticateRequest(request, drawn.requiredScope)
        const header = seen(authorization, form)
        const read = readBearer(header)
        const live = read.kind === 'token' ? f.live.find((issued) => issued.token === read.token) : undefined
        const needed = drawn.requiredScope?.split(' ') ?? []
        const context = `[${f.name}, ${form}, Authorization ${JSON.stringify(header)?.slice(0, 120)}, required ${drawn.requiredScope}]`
        if (outcome.ok) {
          check(live !== undefined && needed.every((s) => live.scope.split(' ').includes(s)), () => `${context} accepted a request it must refuse`)
          check(outcome.token.subject === live.subject, () => `${context} the token of another user`)
          expectNoSecret(`${context} verified token`, outcome.token, secrets)
          tally.count(`${form}:ok`)
        } else {
          const answer: Answer = answerOfResult(outcome.result)
          const challenge = answer.headers['www-authenticate'] ?? ''
          const realm = /^Bearer realm="([^"]*)"/.exec(challenge)?.[1]
          check(realm !== undefined && QUOTED.test(realm) && realm === f.realm.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, ''), () => `${context} challenge ${challenge}`)
          if (read.kind === 'none') {
            // RFC 6750 §3.1: no credentials, no error code.
            check(answer.status === 401 && answer.body === '{}' && challenge === `Bearer realm="${realm}"`, () => `${context} ${answer.status} ${challenge} ${answer.body} for a request without Bearer credentials`)
            check(answer.headers['cache-control'] === 'no-store', () => `${context} no Cache-Control: no-store`)
            tally.count(`${form}:no-credentials:401`)
          } else {
            const expected = read.kind === 'malformed' ? ['invalid_request', 400] : live === undefined ? ['invalid_token', 401] : ['insufficient_scope', 403]
            const body = expectOAuthError(answer, [expected[1] as number], BEARER_ERRORS)
            check(body.error === expected[0], () => `${context} ${body.error}, expected ${expected[0]}`)
            check(challenge.includes(`error="${body.error}"`), () => `${context} the challenge does not name the error: ${challenge}`)
            if (body.error === 'insufficient_scope') check(challenge.includes(`scope="${needed.slice().sort().join(' ')}"`), () => `${context} the challenge does not name the scope: ${challenge}`)
            tally.count(`${form}:${body.error}:${answer.status}`)
          }
          expectNoSecret(`${context} answer`, [answer.body, answer.headers], secrets)
        }
        check(f.storage.changes.length === 0, () => `${context} the bearer check changed storage: ${f.storage.changes.join(', ')}`)
        expectNoUnexpectedFailure(f.events)
        expectNoSecret(`${context} events`, f.events, secrets)
        await rejections.settle()
        tally.count('cases')
      })
      const kinds = ['ok', 'no-credentials:401', 'invalid_request:400', 'invalid_token:401', 'insufficient_scope:403']
      tally.expectReached(['record', 'headers', 'request'].flatMap((form) => kinds.map((kind) => `${form}:${kind}`)))
    },
    FUZZ_TIMEOUT_MS,
  )
})
