// Hostile input at party B's reciprocal grant receiver (issue 9 item 7; SPEC R3.3–R3.4, R7.3–R7.5,
// R7.10, R7.11, R8.4): the standalone receiver (`createReciprocalReceiver`, in the draft and the
// Google error profiles) and the one `createPartyB` registers at B's token endpoint, which redeems
// each accepted code at A at once (SPEC R4.3) — near-valid requests and pure noise, both doors.
import fc from 'fast-check'
import { ClientSecretBasic, createAuthorizationServer, createPartyB, type AuthorizationServer, type ReciprocalEvent, type RegisteredClient, staticClients } from 'reciprocal-oauth'
import { type ReceivedReciprocalCode, DEFAULT_BODY_LIMIT_BYTES, GRANT_TYPE_RECIPROCAL, createReciprocalReceiver } from 'reciprocal-oauth/server'
import { afterAll, describe, it } from 'vitest'
import { TestClock, testRuntime } from '../server/fixtures.js'
import { authVariants, ownAuth } from './auth-variants.js'
import { type Auth, type FormCase, type FormTemplate, type Label, type Replacement, nearValidCases } from './form-cases.js'
import { chaosCases } from './form-noise.js'
import { type Doors, runFormCase } from './form-endpoint.js'
import { FUZZ_TIMEOUT_MS, Tally, TOKEN_ERRORS, check, fuzz, unhandledRejections, inProcessFetch } from './harness.js'
import { FuzzStorage } from './fuzz-storage.js'
import { basicHeader } from './hostile.js'
import { grantTypeRule, opaqueRule } from './params.js'

const FILE = 'test/fuzz/reciprocal-receiver.test.ts'
const rejections = unhandledRejections()
const tallies = { standalone: new Tally('reciprocal grant receiver (createReciprocalReceiver)'), partyB: new Tally("party B's token endpoint with the reciprocal grant (createPartyB)") }
afterAll(() => {
  for (const tally of Object.values(tallies)) console.log(tally.report())
})

const A = 'https://assistant.example'
const B = 'https://music.example'
const MUSIC_SCOPE = 'music.play music.read'
const assistant = { method: 'client_secret_basic', id: 'assistant', secret: 'assistant-secret-at-music-0123456789' } as const
const radio = { method: 'client_secret_post', id: 'radio', secret: 'radio-secret-at-music-5555555555' } as const
/** A client no case authenticates as: its access token is another client's for every request. */
const tv = { method: 'client_secret_post', id: 'tv', secret: 'tv-secret-at-music-7777777777' } as const
const MUSIC_AT_A_SECRET = 'music-secret-at-assistant-9876543210'
/** The errors a receiver sends: RFC 6749 §5.2, RFC 6750 §3.1, and Google's `insufficient_permission` (SPEC R3.4). */
const RECEIVER_ERRORS = [...TOKEN_ERRORS, 'invalid_token', 'insufficient_scope', 'insufficient_permission']

/** B's authorization server with party A's client (`assistant`) and two others (`radio`, `tv`), and access tokens it issued. */
async function musicServer(clock: TestClock, storage: FuzzStorage, events: ReciprocalEvent[]) {
  const clients: RegisteredClient[] = [
    { clientId: assistant.id, tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: assistant.secret, redirectUris: [`${A}/callback`], scope: MUSIC_SCOPE },
    { clientId: radio.id, tokenEndpointAuthMethod: 'client_secret_post', clientSecret: radio.secret, scope: MUSIC_SCOPE },
    { clientId: tv.id, tokenEndpointAuthMethod: 'client_secret_post', clientSecret: tv.secret, scope: MUSIC_SCOPE },
  ]
  const server = createAuthorizationServer({ issuer: B, tokenEndpoint: `${B}/token`, clients: staticClients(clients), storage, runtime: testRuntime(clock), onEvent: (event) => void events.push(event) })
  const issue = async (client: typeof assistant | typeof radio | typeof tv, scope: string) => {
    const { code } = await server.mintCode({ clientId: client.id, subject: `user-of-${client.id}`, scope })
    const basic = client.method === 'client_secret_basic'
    const result = await server.tokenEndpoint.handle({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(basic ? { authorization: basicHeader(client.id, client.secret) } : {}) },
      body: `grant_type=authorization_code&code=${code}${basic ? '' : `&client_id=${client.id}&client_secret=${client.secret}`}`,
    })
    check(result.status === 200, () => `setup: redemption failed: ${result.body}`)
    return { code, ...(JSON.parse(result.body) as { access_token: string; refresh_token: string }) }
  }
  return { server, tokens: { assistant: await issue(assistant, MUSIC_SCOPE), narrow: await issue(assistant, 'music.play'), radio: await issue(radio, MUSIC_SCOPE), tv: await issue(tv, MUSIC_SCOPE) } }
}

type Tokens = Awaited<ReturnType<typeof musicServer>>['tokens']

/** The body `client_id` the receiver requires (SPEC R3.2), added where a variant has none. */
function withBodyClientId(auth: fc.Arbitrary<Auth>): fc.Arbitrary<Auth> {
  return auth.map((variant) => (variant.params.some(([name]) => name === 'client_id') ? variant : { ...variant, params: [...variant.params, ['client_id', assistant.id]] }))
}

/**
 * The reciprocal POST (SPEC R3.2) as a template: `code` is any code A sent (an unknown one is
 * `unknownCode`: the standalone receiver takes it, party B's redemption at A then fails); a code
 * received before is refused (SPEC R7.10); an access token that is unknown, another client's or
 * lacks the required scope is refused (SPEC R3.3, R7.3).
 */
function reciprocalTemplate(name: string, code: string, tokens: Tokens, received: string, unknownCode: Label, grantTypes: readonly Replacement[]): FormTemplate {
  const own = { ...ownAuth(assistant), params: [['client_id', assistant.id]] as const }
  return {
    name,
    params: [['grant_type', GRANT_TYPE_RECIPROCAL], ['code', code], ['access_token', tokens.assistant.access_token]],
    rules: {
      grant_type: grantTypeRule(grantTypes),
      code: opaqueRule('malformed', unknownCode, [{ value: received, label: 'refused' }]),
      access_token: opaqueRule('malformed', 'refused', [
        { value: tokens.tv.access_token, label: 'refused' },
        { value: tokens.narrow.access_token, label: 'refused' },
        { value: tokens.assistant.refresh_token, label: 'refused' },
      ]),
    },
    optional: fc.constantFrom(
      { name: 'scope', value: 'music.read', label: 'neutral' as const },
      { name: 'redirect_uri', value: `${A}/callback`, label: 'neutral' as const },
      { name: 'refresh_token', value: 'x', label: 'neutral' as const },
    ),
    // The other registered client (radio) authenticates, but the access token is not its own.
    auth: fc.oneof(
      withBodyClientId(fc.oneof(fc.constant(own), authVariants(assistant, radio, 'refused'))),
      // SPEC R3.2: the body names the client even when Basic does.
      fc.constant({ ...ownAuth(assistant), name: 'Basic without the body client_id', label: 'malformed' as const }),
    ),
    ownAuth: own,
  }
}

/**
 * The reciprocal POST of another registered client (`radio`) with its own access token: the
 * receiver takes it as valid; whether the client may use reciprocal OAuth is the application's
 * to say (party B: only its peers, `unauthorized_client`).
 */
function otherClientTemplate(code: string, tokens: Tokens, label: Label | undefined): FormTemplate {
  const own = ownAuth(radio)
  return {
    name: 'another client, its own token',
    params: [['grant_type', GRANT_TYPE_RECIPROCAL], ['code', code], ['access_token', tokens.radio.access_token]],
    rules: { grant_type: grantTypeRule([]), code: opaqueRule('malformed', label ?? 'neutral'), access_token: opaqueRule('malformed', 'refused') },
    optional: fc.constant({ name: 'scope', value: 'music.read', label: 'neutral' as const }),
    auth: fc.constant(own),
    ownAuth: own,
    ...(label === undefined ? {} : { label }),
  }
}

describe("hostile input at party B's reciprocal grant receiver (SPEC R7.5, R7.10, R3.3, R8.4)", () => {
  it(
    'SPEC R7.5, R7.10: the standalone receiver answers every request with a well-formed error in its profile, or 200 and exactly one onCode call for a valid one; nothing else changes storage; nothing leaks',
    async () => {
      const clock = new TestClock()
      const storage = new FuzzStorage(clock.now)
      const asStorage = new FuzzStorage(clock.now)
      const events: ReciprocalEvent[] = []
      const { server, tokens } = await musicServer(clock, asStorage, events)
      const calls: ReceivedReciprocalCode[] = []
      const receiverFor = (errorProfile: 'draft' | 'google') =>
        createReciprocalReceiver({
          clients: server.clients,
          audiences: [B, `${B}/token`],
          verifyAccessToken: (token) => server.verifyAccessToken(token),
          requiredScope: 'music.read',
          errorProfile,
          storage,
          runtime: testRuntime(clock),
          onEvent: (event) => void events.push(event),
          onCode: async (received) => (calls.push(received), { ok: true }),
        })
      const receivers = { draft: receiverFor('draft'), google: receiverFor('google') }
      const received = 'code-received-before-0123456789abcdef'
      const first = await receivers.draft.handle({
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicHeader(assistant.id, assistant.secret) },
        body: `grant_type=${encodeURIComponent(GRANT_TYPE_RECIPROCAL)}&code=${received}&client_id=assistant&access_token=${tokens.assistant.access_token}`,
      })
      check(first.status === 200, () => `setup: the first code was refused: ${first.body}`)
      storage.markBaseline()
      asStorage.markBaseline()

      const grantTypes: Replacement[] = [{ value: 'authorization_code', label: 'malformed' }, { value: 'refresh_token', label: 'malformed' }]
      const code = 'a-code-from-party-a-0123456789abcdefghij'
      const templates = [...(['draft', 'google'] as const).map((profile) => reciprocalTemplate(profile, code, tokens, received, 'neutral', grantTypes)), otherClientTemplate(code, tokens, undefined)]
      const profileOf = (c: FormCase): 'draft' | 'google' => (c.template === 'google' ? 'google' : 'draft')
      const target = {
        url: `${B}/token`,
        limitBytes: DEFAULT_BODY_LIMIT_BYTES,
        endpoint: (c: FormCase): Doors => receivers[profileOf(c)],
        storages: [storage, asStorage],
        events,
        secrets: [assistant.secret, radio.secret, tv.secret, received, ...Object.values(tokens).flatMap((t) => [t.code, t.access_token, t.refresh_token]), ...asStorage.secrets()],
        // SPEC R3.4: the draft answers 400 but for a failed Basic authentication (401, RFC 6749 §5.2); Google's adds 401 and 403.
        statuses: (c: FormCase) => (profileOf(c) === 'google' ? [400, 401, 403, 405] : [400, 401, 405]),
        errors: RECEIVER_ERRORS,
        // SPEC R7.10: accepting a code records it.
        beforeRun: () => void calls.splice(0),
        onSuccess: (answer: { body: string }) => {
          check(answer.body === '{}', () => `the receiver answered ${answer.body.slice(0, 200)}, not {}`)
          return []
        },
        afterRun: (answer: { status: number }, _expected: unknown, c: FormCase) => {
          check(calls.length === (answer.status === 200 ? 1 : 0), () => `onCode was called ${calls.length} times for a ${answer.status}`)
          const call = calls[0]
          // SPEC R7.9, R7.11: the authenticated client, and the user of its access token.
          const client = c.template === 'another client, its own token' ? radio.id : assistant.id
          if (call !== undefined) check(call.peerClientId === client && call.userId === `user-of-${client}`, () => `onCode got ${call.peerClientId} / ${call.userId}`)
        },
      }
      const cases = fc.oneof(
        { weight: 7, arbitrary: nearValidCases(templates, DEFAULT_BODY_LIMIT_BYTES) },
        { weight: 3, arbitrary: chaosCases([basicHeader(assistant.id, assistant.secret)], [assistant.id, radio.id], DEFAULT_BODY_LIMIT_BYTES) },
      )
      await fuzz(FILE, cases, (c) => runFormCase(target, c, tallies.standalone, rejections.settle))
      tallies.standalone.expectReached(['valid:200', 'malformed:400', 'malformed:401', 'malformed:405', 'refused:400', 'refused:403'].map((kind) => `lower:${kind}`))
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    "SPEC R7.5, R4.3: party B's token endpoint answers every request with a well-formed error, or 200 once B redeemed A's code; a malformed or refused request changes neither party's storage; nothing leaks",
    async () => {
      const clock = new TestClock()
      const storageA = new FuzzStorage(clock.now)
      const storageB = new FuzzStorage(clock.now)
      const events: ReciprocalEvent[] = []
      const onEvent = (event: ReciprocalEvent): void => void events.push(event)
      const assistantAs: AuthorizationServer = createAuthorizationServer({
        issuer: A,
        tokenEndpoint: `${A}/token`,
        clients: staticClients([{ clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: MUSIC_AT_A_SECRET, scope: 'assistant.announce assistant.read' }]),
        storage: storageA,
        runtime: testRuntime(clock),
        onEvent,
      })
      const { server: musicAs, tokens } = await musicServer(clock, storageB, events)
      // What A issued B, seen on the way: B keeps it, and must show it nowhere.
      const issuedByA: string[] = []
      createPartyB({
        authorizationServer: musicAs,
        requiredScope: 'music.read',
        peers: {
          assistant: {
            as: { issuer: A, token_endpoint: `${A}/token` },
            client: { client_id: 'music' },
            clientAuth: ClientSecretBasic(MUSIC_AT_A_SECRET),
            fetch: inProcessFetch(assistantAs.tokenEndpoint, issuedByA),
          },
        },
        storage: storageB,
        runtime: testRuntime(clock),
        onEvent,
      })
      const { code } = await assistantAs.mintCode({ clientId: 'music', subject: 'alice-at-assistant', scope: 'assistant.announce', supersede: true })
      const received = (await assistantAs.mintCode({ clientId: 'music', subject: 'bob-at-assistant', scope: 'assistant.read', supersede: true })).code
      const first = await musicAs.tokenEndpoint.handle({
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicHeader(assistant.id, assistant.secret) },
        body: `grant_type=${encodeURIComponent(GRANT_TYPE_RECIPROCAL)}&code=${received}&client_id=assistant&access_token=${tokens.assistant.access_token}`,
      })
      check(first.status === 200, () => `setup: the first code was refused: ${first.body}`)
      storageA.markBaseline()
      storageB.markBaseline()
      const setupSecrets = [...issuedByA.splice(0), code, received]

      // At B's token endpoint authorization_code is a grant type too: the code, unknown there, is refused.
      const grantTypes: Replacement[] = [{ value: 'authorization_code', label: 'refused' }, { value: 'refresh_token', label: 'malformed' }]
      // A code A does not know is accepted by B's receiver, and its redemption at A fails: B records the failure.
      const template = reciprocalTemplate('party B', code, tokens, received, 'refused-may-write', grantTypes)
      // SPEC R7.10: the receiver records the code before it asks party B, which refuses a client that is not its peer.
      const notAPeer = otherClientTemplate(code, tokens, 'refused-may-write')
      const target = {
        url: `${B}/token`,
        limitBytes: DEFAULT_BODY_LIMIT_BYTES,
        endpoint: musicAs.tokenEndpoint,
        storages: [storageA, storageB],
        events,
        secrets: [assistant.secret, radio.secret, tv.secret, MUSIC_AT_A_SECRET, ...setupSecrets, ...Object.values(tokens).flatMap((t) => [t.code, t.access_token, t.refresh_token]), ...storageB.secrets()],
        statuses: [400, 401, 405],
        errors: RECEIVER_ERRORS,
        beforeRun: () => void issuedByA.splice(0),
        onSuccess: (answer: { body: string }) => {
          check(answer.body === '{}', () => `party B answered ${answer.body.slice(0, 200)}, not {}`)
          check(issuedByA.length > 0, () => 'party B answered 200 without redeeming the code at A (SPEC R4.3)')
          return issuedByA
        },
      }
      const cases = fc.oneof(
        { weight: 7, arbitrary: nearValidCases([template, template, template, notAPeer], DEFAULT_BODY_LIMIT_BYTES) },
        { weight: 3, arbitrary: chaosCases([basicHeader(assistant.id, assistant.secret)], [assistant.id, radio.id], DEFAULT_BODY_LIMIT_BYTES) },
      )
      await fuzz(FILE, cases, (c) => runFormCase(target, c, tallies.partyB, rejections.settle))
      tallies.partyB.expectReached(['valid:200', 'malformed:400', 'malformed:401', 'malformed:405', 'refused:400', 'refused-may-write:400'].map((kind) => `lower:${kind}`))
    },
    FUZZ_TIMEOUT_MS,
  )
})
