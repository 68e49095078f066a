// Hostile input at the authorization endpoint (issue 9 item 7; SPEC R1.1, R7.1, R7.5, R8.4; RFC
// 6749 §4.1.1, §4.1.2.1, §3.1.2.3; RFC 9207): `authorization.validate` takes the request URL —
// a `URL` or a string, as an application hands it over (it has no HTTP door of its own). Each case
// is judged against the URL it actually is, read as RFC 6749 reads it.
import fc from 'fast-check'
import { createAuthorizationServer, type AuthorizationServer, type ReciprocalEvent, type RegisteredClient, staticClients } from 'reciprocal-oauth'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { FULL_SCOPE, ISSUER, MUSIC, MUSIC_REDIRECT, PUBLIC, TOKEN_ENDPOINT, TestClock, VERIFIER, s256, testRuntime } from '../server/fixtures.js'
import { FUZZ_TIMEOUT_MS, Tally, check, expectNoSecret, expectNoUnexpectedFailure, fail, fuzz, printable, unhandledRejections } from './harness.js'
import { FuzzStorage } from './fuzz-storage.js'
import { canary, formEncode, hostileString, percentEncode } from './hostile.js'

const FILE = 'test/fuzz/authorization-endpoint.test.ts'
const rejections = unhandledRejections()
const tally = new Tally('authorization endpoint (authorization.validate)')
afterAll(() => console.log(tally.report()))

const QUERY_APP: RegisteredClient = { clientId: 'query-app', tokenEndpointAuthMethod: 'none', redirectUris: ['https://q.example/cb?tenant=1'], scope: 'assistant.read' }
const CLIENTS = [MUSIC, PUBLIC, QUERY_APP]
const CHALLENGE = s256(VERIFIER)
const AUTHORIZE = 'https://music.example/authorize'
/** The error codes of RFC 6749 §4.1.2.1 an invalid request gets. */
const REDIRECT_ERRORS = ['invalid_request', 'unsupported_response_type', 'invalid_scope']
const DESCRIPTION = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/
const SCOPE_SYNTAX = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/

type Param = readonly [string, string]

interface UrlCase {
  readonly input: string
  readonly asUrl: boolean
  readonly notes: readonly string[]
}

const VALUES: Readonly<Record<string, fc.Arbitrary<string>>> = {
  response_type: fc.oneof(fc.constantFrom('token', 'code token', 'CODE', 'code ', 'id_token'), hostileString),
  client_id: fc.oneof(fc.constantFrom('public-app', 'query-app', 'unknown-client', 'MUSIC', 'music '), hostileString, fc.constant('m'.repeat(5000))),
  redirect_uri: fc.oneof(fc.constantFrom('https://app.example/cb', 'https://q.example/cb?tenant=1', `${MUSIC_REDIRECT}/`, 'https://evil.example/callback', MUSIC_REDIRECT.toUpperCase(), `${MUSIC_REDIRECT}#x`), hostileString),
  scope: fc.oneof(fc.subarray(FULL_SCOPE.split(' '), { minLength: 1 }).map((tokens) => tokens.join(' ')), fc.constantFrom('assistant.admin', 'assistant.read assistant.admin', 'assistant.read  x', '"q"', 'x'.repeat(5000)), hostileString),
  state: fc.oneof(canary, hostileString, fc.integer({ min: 2040, max: 2060 }).map((n) => 's'.repeat(n))),
  code_challenge: fc.oneof(
    fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 42, maxLength: 44 }),
    fc.constantFrom(`${CHALLENGE.slice(0, 42)}=`, `${CHALLENGE.slice(0, 42)}+`, `${CHALLENGE.slice(0, 42)}/`, VERIFIER),
    hostileString,
  ),
  code_challenge_method: fc.oneof(fc.constantFrom('plain', 's256', 'S512', 'S256 '), hostileString),
}
const NAMES = Object.keys(VALUES)

type Mutation =
  | { readonly kind: 'drop' | 'empty'; readonly name: string }
  | { readonly kind: 'repeat'; readonly name: string; readonly value: string | null }
  | { readonly kind: 'replace'; readonly name: string; readonly value: string }
  | { readonly kind: 'unknown'; readonly name: string; readonly value: string }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('drop' as const, 'empty' as const), name: fc.constantFrom(...NAMES) }),
  fc.record({ kind: fc.constant('repeat' as const), name: fc.constantFrom(...NAMES), value: fc.option(hostileString) }),
  { weight: 4, arbitrary: fc.constantFrom(...NAMES).chain((name) => (VALUES[name] ?? hostileString).map((value): Mutation => ({ kind: 'replace', name, value }))) },
  fc.record({ kind: fc.constant('unknown' as const), name: fc.oneof(hostileString, fc.constantFrom('nonce', 'prompt', 'request', 'request_uri', 'reciprocal', 'iss')), value: hostileString }),
)

/** Near-valid authorization URLs: a valid request of `music` with mutations, on a base that may carry its own noise. */
const nearValid: fc.Arbitrary<UrlCase> = fc
  .record({
    state: canary,
    withScope: fc.boolean(),
    mutations: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 4, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
    base: fc.constantFrom(AUTHORIZE, `${AUTHORIZE}?`, `${AUTHORIZE}?lang=en&`, 'http://localhost:3000/authorize', 'HTTPS://MUSIC.EXAMPLE/authorize', 'https://user:pass@music.example/authorize'),
    fragment: fc.constantFrom('', '#client_id=evil', '#'),
    encode: fc.constantFrom(percentEncode, formEncode, (text: string) => percentEncode(text, true)),
    asUrl: fc.boolean(),
  })
  .map(({ state, withScope, mutations, base, fragment, encode, asUrl }): UrlCase => {
    const params: [string, string][] = [
      ['response_type', 'code'],
      ['client_id', MUSIC.clientId],
      ['redirect_uri', MUSIC_REDIRECT],
      ...(withScope ? [['scope', 'assistant.read'] as [string, string]] : []),
      ['state', state],
      ['code_challenge', CHALLENGE],
      ['code_challenge_method', 'S256'],
    ]
    const notes: string[] = []
    for (const m of mutations) {
      const at = params.findIndex(([name]) => name === m.name)
      if (m.kind === 'drop') params.splice(0, params.length, ...params.filter(([name]) => name !== m.name))
      else if (m.kind === 'empty' && at >= 0) params[at] = [m.name, '']
      else if (m.kind === 'repeat' && at >= 0) params.push([m.name, m.value ?? params[at]?.[1] ?? ''])
      else if (m.kind === 'replace') at >= 0 ? (params[at] = [m.name, m.value]) : params.push([m.name, m.value])
      else if (m.kind === 'unknown') params.push([m.name, m.value])
      notes.push(`${m.kind} ${m.name}`)
    }
    const query = params.map(([n, v]) => `${encode(n)}=${encode(v)}`).join('&')
    return printable({ input: `${base}${base.includes('?') ? '' : '?'}${query}${fragment}`, asUrl, notes })
  })

/** Anything at all: not URLs, relative references, other schemes, huge URLs. */
const chaos: fc.Arbitrary<UrlCase> = fc
  .oneof(
    hostileString,
    fc.constantFrom('/authorize?client_id=music', 'javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', '//evil.example/?client_id=music', 'https://', '', '?', 'https://music.example/authorize?%zz=%zz'),
    fc.tuple(fc.constantFrom(AUTHORIZE, 'file:///etc/passwd', 'ftp://x'), hostileString).map(([base, text]) => `${base}?${text}`),
    fc.integer({ min: 10_000, max: 100_000 }).map((n) => `${AUTHORIZE}?client_id=music&x=${'a'.repeat(n)}`),
  )
  .map((input) => printable({ input, asUrl: false, notes: ['chaos'] }))

/** What RFC 6749 makes of `input`: whether the client and redirect URI can be trusted, whether all of it is valid, the `state` to echo. */
function judge(input: string): { trusted: false } | { trusted: true; client: RegisteredClient; redirectUri: string; valid: boolean; state: string | undefined; scope: string[] } {
  if (!URL.canParse(input)) return { trusted: false }
  const values = new Map<string, string[]>()
  for (const [name, value] of new URL(input).searchParams) {
    if (value === '') continue // RFC 6749 §3.1: a parameter without a value is omitted
    values.set(name, [...(values.get(name) ?? []), value])
  }
  const single = (name: string): string | undefined => {
    const found = values.get(name)
    return found?.length === 1 ? found[0] : undefined
  }
  const client = CLIENTS.find((c) => c.clientId === single('client_id'))
  const redirectUri = single('redirect_uri')
  // RFC 6749 §3.1.2.3: exact comparison with a registered redirect URI; else nothing is trusted.
  if (client === undefined || redirectUri === undefined || !(client.redirectUris ?? []).includes(redirectUri)) return { trusted: false }
  const registered = client.scope.split(' ')
  const scope = single('scope')
  const requested = scope === undefined ? registered : SCOPE_SYNTAX.test(scope) && scope.length <= 4096 ? scope.split(' ') : []
  const granted = [...new Set(requested.filter((token) => registered.includes(token)))].sort()
  const state = single('state')
  const valid =
    [...values.values()].every((list) => list.length === 1) &&
    single('response_type') === 'code' &&
    (single('client_id') ?? '').length <= 4096 &&
    redirectUri.length <= 4096 &&
    /^[A-Za-z0-9_-]{43}$/.test(single('code_challenge') ?? '') &&
    single('code_challenge_method') === 'S256' &&
    (state === undefined || state.length <= 2048) &&
    granted.length > 0
  return { trusted: true, client, redirectUri, valid, state, scope: granted }
}

describe('hostile input at the authorization endpoint (SPEC R7.1, R7.5, R8.4; RFC 6749 §4.1.2.1)', () => {
  let server: AuthorizationServer
  let storage: FuzzStorage
  const events: ReciprocalEvent[] = []
  beforeAll(() => {
    const clock = new TestClock()
    storage = new FuzzStorage(clock.now)
    server = createAuthorizationServer({
      issuer: ISSUER,
      tokenEndpoint: TOKEN_ENDPOINT,
      authorizationEndpoint: AUTHORIZE,
      clients: staticClients(CLIENTS),
      storage,
      runtime: testRuntime(clock),
      onEvent: (event) => void events.push(event),
    })
    storage.markBaseline()
  })

  it(
    'RFC 6749 §4.1.2.1, §3.1.2.3: validate never throws; it redirects only to a registered redirect URI of the named client, with a registered error, the state and iss; it accepts only a valid request; it writes nothing and shows no secret',
    async () => {
      await fuzz(
        FILE,
        fc.oneof({ weight: 7, arbitrary: nearValid }, { weight: 3, arbitrary: chaos }),
        async (c) => {
          await storage.reset()
          events.length = 0
          const expected = judge(c.input)
          const sentState = expected.trusted ? expected.state : undefined
          const secret = sentState !== undefined && /^cnry/.test(sentState) ? [sentState] : []
          const outcome = await server.authorization.validate(c.asUrl && URL.canParse(c.input) ? new URL(c.input) : c.input)
          const context = `[${c.notes.join('; ')}]`
          if (outcome.ok) {
            check(expected.trusted && expected.valid, () => `${context} accepted an invalid request`)
            check(outcome.request.clientId === expected.client.clientId && outcome.request.redirectUri === expected.redirectUri, () => `${context} accepted for another client or redirect URI`)
            check(outcome.request.state === expected.state, () => `${context} the pending request lost or changed the state`)
            check(outcome.request.scope === expected.scope.join(' '), () => `${context} scope ${outcome.request.scope}, expected ${expected.scope.join(' ')}`)
            tally.count('valid')
          } else {
            check(!(expected.trusted && expected.valid), () => `${context} refused a valid request: ${JSON.stringify(outcome.error)}`)
            check(DESCRIPTION.test(outcome.error.description ?? ''), () => `${context} error description has forbidden characters`)
            expectNoSecret(`${context} error`, outcome.error, secret)
            if (!expected.trusted) {
              // RFC 6749 §4.1.2.1: no redirect to a URI that was not checked (an open redirector otherwise).
              check(outcome.redirectTo === undefined, () => `${context} redirected although the client or redirect URI is not trusted: ${outcome.redirectTo}`)
              check(outcome.error.error === 'invalid_request' && outcome.error.status === 400, () => `${context} ${outcome.error.error} ${outcome.error.status}`)
              tally.count('untrusted, shown to the user')
            } else {
              const target = outcome.redirectTo
              if (target === undefined) fail(`${context} no error redirect for a trusted redirect URI`)
              const url = new URL(target)
              const registered = new URL(expected.redirectUri)
              check(url.origin === registered.origin && url.pathname === registered.pathname, () => `${context} redirected elsewhere: ${target}`)
              for (const [name, value] of registered.searchParams) check(url.searchParams.get(name) === value, () => `${context} the redirect URI lost its query parameter ${name}`)
              check(REDIRECT_ERRORS.includes(url.searchParams.get('error') ?? ''), () => `${context} error ${url.searchParams.get('error')}`)
              check(DESCRIPTION.test(url.searchParams.get('error_description') ?? ''), () => `${context} error_description has forbidden characters`)
              check(url.searchParams.get('iss') === ISSUER, () => `${context} no iss (RFC 9207)`)
              check(url.searchParams.getAll('state').length === (expected.state === undefined ? 0 : 1) && (url.searchParams.get('state') ?? undefined) === expected.state, () => `${context} the state is not echoed exactly once`)
              url.searchParams.delete('state')
              expectNoSecret(`${context} redirect outside its state`, url.href, secret)
              tally.count(`redirected:${url.searchParams.get('error')}`)
            }
          }
          check(storage.changes.length === 0, () => `${context} validate changed storage: ${storage.changes.join(', ')}`)
          expectNoUnexpectedFailure(events)
          expectNoSecret(`${context} events`, events, secret)
          await rejections.settle()
          tally.count('cases')
        },
      )
      tally.expectReached(['valid', 'untrusted, shown to the user', 'redirected:invalid_request', 'redirected:unsupported_response_type', 'redirected:invalid_scope'])
    },
    FUZZ_TIMEOUT_MS,
  )
})
