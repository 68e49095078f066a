// Hostile input at party A's callback (issue 9 item 7; SPEC R7.1, R7.9, R7.5, R8.4; RFC 6749
// §4.1.2, RFC 9207, RFC 9700 §4.4): `handleCallback` with arbitrary URLs and query strings and
// users. A callback that names no pending link of the peer that answered changes nothing; one
// that does spends the link (its `state` was presented once: a stale tab, a replay or a forgery
// cannot be told from the user), and completes it only when all of it is right. No error, event
// or failed state carries the code, the `state`, the PKCE verifier, a secret or a token.
import fc from 'fast-check'
import { ClientSecretBasic, createAuthorizationServer, createPartyA, ErrorCode, type PartyA, ReciprocalError, type ReciprocalEvent, staticClients } from 'reciprocal-oauth'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { TestClock, testRuntime } from '../server/fixtures.js'
import { FUZZ_TIMEOUT_MS, Tally, check, expectNoSecret, expectNoUnexpectedFailure, fail, fuzz, printable, unhandledRejections, inProcessFetch } from './harness.js'
import { FuzzStorage } from './fuzz-storage.js'
import { canary, hostileString, percentEncode } from './hostile.js'

const FILE = 'test/fuzz/callback.test.ts'
const rejections = unhandledRejections()
const tally = new Tally("party A's callback (handleCallback)")
afterAll(() => console.log(tally.report()))

const A = 'https://assistant.example'
const B = 'https://music.example'
const VIDEO = 'https://video.example'
const REDIRECT = `${A}/callback`
const MUSIC_SCOPE = 'music.play music.read'
const SECRET = 'assistant-secret-at-music-0123456789'
/**
 * Parameters that make an authorization response another one (RFC 6749 §4.1.2.1; an `id_token`, a
 * token or a JARM `response` makes it another kind): the others are ignored, as `error_description`
 * is without `error`.
 */
const DECISIVE_PARAMETERS = ['error', 'id_token', 'access_token', 'response']

interface Fixture {
  readonly partyA: PartyA
  readonly storages: readonly FuzzStorage[]
  readonly events: ReciprocalEvent[]
  /** The callback B sent alice, as B sent it. */
  readonly callback: URL
  /** Issuer of the peer → `state` → the user of the pending link it names. */
  readonly pending: ReadonlyMap<string, ReadonlyMap<string, string>>
  /** The state of a link that completed already. */
  readonly spent: string
  readonly secrets: readonly string[]
  /** Tokens B issued in the exchange of the current case. */
  readonly issued: string[]
}

async function setUp(): Promise<Fixture> {
  const clock = new TestClock()
  const runtime = testRuntime(clock)
  const storageA = new FuzzStorage(clock.now)
  const storageB = new FuzzStorage(clock.now)
  const events: ReciprocalEvent[] = []
  const onEvent = (event: ReciprocalEvent): void => void events.push(event)
  const musicAs = createAuthorizationServer({
    issuer: B,
    tokenEndpoint: `${B}/token`,
    authorizationEndpoint: `${B}/authorize`,
    clients: staticClients([{ clientId: 'assistant', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRET, redirectUris: [REDIRECT], scope: MUSIC_SCOPE }]),
    storage: storageB,
    runtime,
    onEvent,
    reciprocalScope: () => 'assistant.read',
  })
  const assistantAs = createAuthorizationServer({
    issuer: A,
    tokenEndpoint: `${A}/token`,
    clients: staticClients([{ clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: 'music-secret-at-assistant', scope: 'assistant.read assistant.announce' }]),
    storage: storageA,
    runtime,
    onEvent,
  })
  const issued: string[] = []
  const as = (issuer: string) => ({ issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, authorization_response_iss_parameter_supported: true })
  const partyA = createPartyA({
    peers: {
      music: {
        peer: {
          as: as(B),
          client: { client_id: 'assistant' },
          clientAuth: ClientSecretBasic(SECRET),
          fetch: inProcessFetch(musicAs.tokenEndpoint, issued),
        },
        redirectUri: REDIRECT,
        scope: MUSIC_SCOPE,
        reciprocal: { peerClientId: 'music', offer: 'assistant.read assistant.announce' },
      },
      // A second peer at the same redirect URI: RFC 9207 `iss` tells the callbacks apart (RFC 9700 §4.4).
      video: {
        peer: { as: as(VIDEO), client: { client_id: 'assistant' }, clientAuth: ClientSecretBasic('video-secret-0123456789'), fetch: async () => new Response('{}', { status: 500 }) },
        redirectUri: REDIRECT,
        scope: 'video.watch',
        reciprocal: { peerClientId: 'video', offer: 'assistant.read' },
      },
    },
    authorizationServer: assistantAs,
    storage: storageA,
    runtime,
    onEvent,
  })
  /** Starts a link for `user` and plays B's consent: the callback URL B redirects to. */
  const link = async (user: string): Promise<URL> => {
    const { url } = await partyA.startLink('music', user)
    const validation = await musicAs.authorization.validate(url)
    if (!validation.ok) fail(`setup: B refused the authorization request: ${validation.error.error}`)
    return new URL(await musicAs.authorization.approve(validation.request, { subject: `${user}-at-music` }))
  }
  const callback = await link('alice')
  const mallory = await link('mallory')
  const completed = await link('carol')
  const state = await partyA.handleCallback(completed, 'carol')
  check(state.status === 'awaiting-consent', () => `setup: the callback ended ${state.status}`)
  const video = await partyA.startLink('video', 'alice')
  storageA.markBaseline()
  storageB.markBaseline()
  const stateOf = (url: URL): string => url.searchParams.get('state') ?? ''
  const secrets = [SECRET, 'music-secret-at-assistant', 'video-secret-0123456789', ...[callback, mallory, completed].flatMap((url) => [stateOf(url), url.searchParams.get('code') ?? '']), ...issued.splice(0), ...storageA.secrets(), ...storageB.secrets()]
  return {
    partyA,
    storages: [storageA, storageB],
    events,
    callback,
    pending: new Map([
      [B, new Map([[stateOf(callback), 'alice'], [stateOf(mallory), 'mallory']])],
      [VIDEO, new Map([[new URL(video.url).searchParams.get('state') ?? '', 'alice']])],
    ]),
    spent: stateOf(completed),
    secrets,
    issued,
  }
}

type Param = [string, string]

interface CallbackCase {
  readonly input: string
  readonly asUrl: boolean
  readonly userId: string
  readonly secrets: readonly string[]
  readonly notes: readonly string[]
}

/** Where the callback arrives: the redirect URI, absolute or as Node's `req.url`, or elsewhere. */
const PREFIXES = [REDIRECT, REDIRECT, '/callback', '/callback', `${REDIRECT}/`, `${A}/other`, 'https://evil.example/callback', '//evil.example/callback', '/\\evil.example/callback', 'callback', `${A.toUpperCase()}/callback`, `${REDIRECT}?lang=en&`]

function callbackCases(f: Fixture): fc.Arbitrary<CallbackCase> {
  const states = [...[...f.pending.values()].flatMap((links) => [...links.keys()]), f.spent]
  const values: Readonly<Record<string, fc.Arbitrary<string>>> = {
    state: fc.oneof(fc.constantFrom(...states), canary, hostileString),
    code: fc.oneof(canary, hostileString, fc.constant('c'.repeat(5000))),
    iss: fc.oneof(fc.constantFrom(VIDEO, `${B}/`, B.toUpperCase(), A), hostileString),
  }
  type Mutation = { kind: 'drop' | 'repeat' | 'replace'; name: string; value: string } | { kind: 'add'; name: string; value: string }
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constantFrom<'drop' | 'repeat'>('drop', 'repeat'), name: fc.constantFrom('state', 'code', 'iss', 'reciprocal'), value: hostileString }),
    { weight: 3, arbitrary: fc.constantFrom('state', 'code', 'iss').chain((name) => (values[name] ?? hostileString).map((value): Mutation => ({ kind: 'replace', name, value }))) },
    fc.record({
      kind: fc.constant<'add'>('add'),
      name: fc.oneof(fc.constantFrom('error', 'error_description', 'reciprocal', 'id_token', 'response'), hostileString),
      value: fc.oneof(fc.constantFrom('access_denied', 'server_error', 'assistant.announce'), hostileString),
    }),
  )
  const nearValid = fc
    .record({
      mutations: fc.oneof({ weight: 1, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
      prefix: fc.constantFrom(...PREFIXES),
      fragment: fc.constantFrom('', '', '#state=x', '#'),
      userId: fc.oneof({ weight: 8, arbitrary: fc.constant('alice') }, { weight: 1, arbitrary: fc.constantFrom('mallory', 'carol') }, { weight: 1, arbitrary: hostileString }),
      asUrl: fc.boolean(),
      encode: fc.constantFrom((text: string) => percentEncode(text), (text: string) => percentEncode(text, true)),
    })
    .map(({ mutations, prefix, fragment, userId, asUrl, encode }): CallbackCase => {
      const params: Param[] = [...f.callback.searchParams].map(([n, v]): Param => [n, v])
      const secrets: string[] = []
      for (const m of mutations) {
        const at = params.findIndex(([name]) => name === m.name)
        if (m.kind === 'drop') params.splice(0, params.length, ...params.filter(([name]) => name !== m.name))
        else if (m.kind === 'repeat' && at >= 0) params.push([m.name, m.value])
        else if (m.kind === 'replace') at >= 0 ? (params[at] = [m.name, m.value]) : params.push([m.name, m.value])
        else if (m.kind === 'add') params.push([m.name, m.value])
        if (/^cnry/.test(m.value)) secrets.push(m.value)
      }
      const query = params.map(([n, v]) => `${encode(n)}=${encode(v)}`).join('&')
      const input = `${prefix}${prefix.includes('?') ? '' : '?'}${query}${fragment}`
      return printable({ input, asUrl, userId, secrets, notes: [prefix, ...mutations.map((m) => `${m.kind} ${m.name}`), `user ${userId.slice(0, 20)}`] })
    })
  const chaos = fc
    .record({ input: fc.oneof(hostileString, canary.map((c) => `${REDIRECT}?state=${c}&code=${c}`), fc.integer({ min: 10_000, max: 60_000 }).map((n) => `${REDIRECT}?state=${'s'.repeat(n)}`)), userId: fc.oneof(fc.constant('alice'), hostileString) })
    .map(({ input, userId }): CallbackCase => printable({ input, asUrl: false, userId, secrets: input.match(/cnry[A-Za-z0-9_-]{24}/g) ?? [], notes: ['chaos'] }))
  return fc.oneof({ weight: 8, arbitrary: nearValid }, { weight: 2, arbitrary: chaos })
}

/**
 * What RFC 9700 §4.4 and the SDK's contract make of `input`: the user of the pending link it names
 * (the peer answering is told by the redirect URI and RFC 9207 `iss`, the link by `state`), or
 * none; and whether the response is right — B's `code`, `state` and `iss`, nothing repeated, no
 * error — so that it must complete (`true`), must fail (`false`), or may do either (`undefined`:
 * another `reciprocal` than B's, which is B's to choose, SPEC R1.2; an empty `error` or `id_token`).
 */
function judge(f: Fixture, input: string): { user: string; right: boolean | undefined } | undefined {
  if (!(URL.canParse(input) || input.startsWith('/')) || !URL.canParse(input, REDIRECT)) return undefined
  const url = new URL(input, REDIRECT)
  const registered = new URL(REDIRECT)
  if (url.origin !== registered.origin || url.pathname !== registered.pathname) return undefined
  const issuers = url.searchParams.getAll('iss')
  // Both peers answer at this redirect URI: only `iss` says which, and a link is found among that peer's only.
  if (issuers.length !== 1) return undefined
  const user = f.pending.get(issuers[0] ?? '')?.get(url.searchParams.get('state') ?? '')
  if (user === undefined) return undefined
  const names = [...url.searchParams.keys()]
  const right =
    new Set(names).size === names.length &&
    ['code', 'state', 'iss'].every((name) => url.searchParams.get(name) === f.callback.searchParams.get(name)) &&
    !DECISIVE_PARAMETERS.some((name) => (url.searchParams.get(name) ?? '') !== '')
  if (!right) return { user, right }
  // An empty decisive parameter may count as absent (RFC 6749 §3.1) or as present; either answer will do.
  const undecided = DECISIVE_PARAMETERS.some((name) => url.searchParams.get(name) === '')
  const reciprocal = url.searchParams.get('reciprocal')
  return { user, right: undecided || (reciprocal !== null && reciprocal !== f.callback.searchParams.get('reciprocal')) ? undefined : true }
}

describe("hostile input at party A's callback (SPEC R7.1, R7.9, R7.5, R8.4; RFC 9700 §4.4)", () => {
  let f: Fixture
  beforeAll(async () => {
    f = await setUp()
  })

  it(
    'SPEC R7.1, R7.5: a callback naming no pending link of the answering peer is refused with ERR_CALLBACK_INVALID and changes nothing; one that does completes the link only when it is exactly right (and the user is the link’s, SPEC R7.9); nothing carries a secret',
    async () => {
      await fuzz(FILE, callbackCases(f), async (c) => {
        for (const storage of f.storages) await storage.reset()
        f.events.length = 0
        f.issued.length = 0
        const expected = judge(f, c.input)
        const context = `[${c.notes.join('; ')}]`
        const secrets = [...f.secrets, ...c.secrets]
        let outcome: { state: Awaited<ReturnType<PartyA['handleCallback']>> } | { error: unknown }
        try {
          outcome = { state: await f.partyA.handleCallback(c.asUrl && URL.canParse(c.input) ? new URL(c.input) : c.input, c.userId) }
        } catch (error) {
          outcome = { error }
        }
        if ('error' in outcome) {
          const error = outcome.error
          check(error instanceof ReciprocalError && error.code === ErrorCode.CallbackInvalid, () => `${context} threw ${error instanceof Error ? `${error.name} ${(error as { code?: string }).code}` : typeof error}, not ERR_CALLBACK_INVALID`)
          expectNoSecret(`${context} error`, error, [...secrets, ...f.issued])
          tally.count(expected === undefined ? 'no link: refused' : 'link spent: refused')
        } else {
          const { state } = outcome
          check(expected !== undefined, () => `${context} resolved ${state.status} for a callback that names no pending link`)
          const right = expected.user === c.userId ? expected.right : false
          if (state.status === 'failed') {
            check(right !== true, () => `${context} the right callback of its user failed: ${JSON.stringify(state.error)}`)
            expectNoSecret(`${context} failed state's error`, state.error, [...secrets, ...f.issued])
            tally.count(`link spent: ${state.error.code}`)
          } else {
            check(right !== false, () => `${context} a callback that is not right ended ${state.status}`)
            tally.count('completed')
          }
        }
        if (expected === undefined) {
          const changes = f.storages.flatMap((storage) => storage.changes)
          check(changes.length === 0, () => `${context} a callback naming no pending link changed storage: ${changes.join(', ')}`)
        }
        expectNoUnexpectedFailure(f.events)
        expectNoSecret(`${context} events`, f.events, [...secrets, ...f.issued])
        await rejections.settle()
        tally.count('cases')
      })
      tally.expectReached(['completed', 'no link: refused', 'link spent: refused', 'link spent: ERR_CALLBACK_INVALID', 'link spent: ERR_AUTHORIZATION_DENIED', 'link spent: ERR_TOKEN_EXCHANGE_FAILED'])
    },
    FUZZ_TIMEOUT_MS,
  )
})
