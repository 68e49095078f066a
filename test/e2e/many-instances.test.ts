// Many instances, one store (issue 9 item 5): party A runs as two processes over one PostgreSQL
// table, party B as two processes over one Redis (B1 through node-redis, B2 through ioredis), each
// party behind one public origin that hands requests to the instance the test names
// (test/helpers/instances/). The flow starts on one instance and continues on the other at each
// step; a user action lands on both at once; both resume at once; then one code (at A, and at
// B's receivers) and one refresh token are raced over both instances.
//
// Needs a real PostgreSQL and Redis (test/storage/backends.ts): skipped with a notice without
// them, a failure under CI=true. Locally:
//   .ci/postgres.sh start "$(mktemp -d)"   → RECIPROCAL_TEST_POSTGRES_URL
//   eval "$(.ci/redis.sh start)"            → RECIPROCAL_TEST_REDIS_URL
import type { PartyAState, PartyBState } from 'reciprocal-oauth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import { type Deployment, startDeployment } from '../helpers/instances/deployment.js'
import type { InstanceHandle } from '../helpers/instances/fleet.js'
import { announce, type Answer, eventCounts, expectWellFormedRefusals, nowPlaying, race, tally, tokenRequest } from '../helpers/instances/requests.js'
import { ASSISTANT_OFFER, SECRETS } from '../helpers/instances/services.js'
import { basic } from '../server/fixtures.js'
import { realBackend } from '../storage/backends.js'

const postgres = realBackend('postgres')
const redis = realBackend('redis')
const skipped = postgres.skipped ?? redis.skipped

const ANNOUNCE = 'assistant.announce'
/** Concurrent presentations of one code. */
const RACERS = 200
/** Links whose unlink is left unfinished for both instances' resume. */
const UNFINISHED = 10
/** Past the access tokens' lifetime minus the refresh margin: the next use refreshes. */
const NEAR_EXPIRY = 3600 - 30

const AS_MUSIC = basic('music', SECRETS.musicAtAssistant)
const AS_ASSISTANT = basic('assistant', SECRETS.assistantAtMusic)

const figure = (line: string): void => console.log(`[many instances] ${line}`)

// Each test has room on a loaded machine (its 200 requests over loopback take seconds, not tens).
describe.skipIf(skipped !== undefined)(`many instances, one store: A ×2 processes over PostgreSQL, B ×2 over Redis (${skipped ?? 'real servers'})`, { timeout: 30_000 }, () => {
  const cleanup: Array<() => Promise<unknown>> = []
  let d: Deployment
  beforeAll(async () => {
    d = await startDeployment(postgres.url as string, redis.url as string, cleanup)
  }, 60_000)
  afterAll(async () => {
    for (const undo of cleanup.reverse()) await undo()
  }, 30_000)

  /** The user at B approves A's authorization request (through B's front); resolves the callback URL. */
  async function authorizeAtB(url: string, user: string): Promise<string> {
    const target = new URL(url)
    target.searchParams.set('test_user', user)
    const response = await fetch(target, { redirect: 'manual' })
    const location = response.headers.get('location')
    if (response.status !== 302 || location === null) throw new Error(`B's authorization endpoint answered ${response.status}`)
    return location
  }

  /**
   * SPEC R4.4 across instances: A's state (read on `reader`) claims a grant exactly when both of
   * A's instances honour B's `token`; resolves what they answered.
   */
  async function expectAgreement(reader: InstanceHandle, linkId: string, token: string): Promise<number[]> {
    const state = await reader.call<PartyAState>('getLink', linkId)
    const honoured = await Promise.all(d.a.map((instance) => announce(instance, token)))
    expect(honoured).toEqual(state.status === 'reciprocal-granted' ? [200, 200] : [401, 401])
    return honoured
  }

  it('SPEC R2–R5, R8.2: the flow starts on one instance and continues on the other at every step, and both parties agree at the end', async () => {
    const [a1, a2] = d.a
    const [b1, b2] = d.b
    const user = 'alice'

    // Step A on A1; the user approves at B1; steps B–D on A2, whose code exchange reaches B2.
    const { linkId, url } = await a1.call<{ linkId: string; url: string }>('startLink', `${user}-at-assistant`)
    d.fronts.b.route(0)
    const callback = await authorizeAtB(url, user)
    d.fronts.b.route(1)
    expect(await a2.call<PartyAState>('handleCallback', callback, `${user}-at-assistant`)).toMatchObject({ status: 'awaiting-consent' })

    // Step E on A1: the code reaches B1, which answers 200 and stores it (SPEC R4.3) but cannot
    // reach A to redeem it; B2 resumes and redeems it at A2.
    await b1.call('offline', true)
    d.fronts.b.route(0)
    expect(await a1.call<PartyAState>('consent', linkId, ANNOUNCE)).toMatchObject({ status: 'reciprocal-granted', granted: { scope: [ANNOUNCE] } })
    await b1.call('settle')
    expect(await b2.call<PartyBState>('getLink', user)).toMatchObject({ status: 'redeem-failed', error: { code: 'ERR_NETWORK', retryable: true } })
    await b1.call('offline', false)
    d.fronts.a.route(1)
    expect(await b2.call<PartyBState>('resume', user)).toMatchObject({ status: 'linked', tokens: { scope: ANNOUNCE } })
    await expectAgreement(a1, linkId, await b1.call<string>('accessToken', user))
    expect(await Promise.all(d.b.map(async (instance) => nowPlaying(instance, await a2.call<string>('accessToken', linkId))))).toEqual([200, 200])

    // The update flow (SPEC R5.1) on A2: B2 receives the new code and redeems it at A1.
    d.fronts.b.route(1)
    d.fronts.a.route(0)
    expect(await a2.call<PartyAState>('updateReciprocalScope', linkId, ASSISTANT_OFFER)).toMatchObject({ granted: { scope: ASSISTANT_OFFER.split(' ') } })
    await b2.call('settle')
    expect(await b1.call<PartyBState>('getLink', user)).toMatchObject({ status: 'linked', tokens: { scope: ASSISTANT_OFFER } })
    await eventCounts(d.all)

    // SPEC R8.2: near expiry, both instances of each party want a token at once; the link's lease
    // lets one refresh, and the other gets the refreshed token.
    await Promise.all(d.all.map((instance) => instance.call('advance', NEAR_EXPIRY)))
    d.fronts.a.route('alternate')
    d.fronts.b.route('alternate')
    const [aTokens, bTokens] = [await Promise.all(d.a.map((i) => i.call<string>('accessToken', linkId))), await Promise.all(d.b.map((i) => i.call<string>('accessToken', user)))]
    const [refreshedAtA, refreshedAtB] = [await eventCounts(d.a), await eventCounts(d.b)]
    figure(`one link, both instances of each party ask for a token near expiry at once: A's server rotated ${refreshedAtA['token-refreshed'] ?? 0}, B's ${refreshedAtB['token-refreshed'] ?? 0}`)
    expect([refreshedAtA['token-refreshed'], refreshedAtB['token-refreshed']]).toEqual([1, 1])
    expect(new Set(aTokens).size).toBe(1)
    expect(new Set(bTokens).size).toBe(1)
    expect(await Promise.all(d.b.map((instance) => nowPlaying(instance, aTokens[0] as string)))).toEqual([200, 200])
    await expectAgreement(a2, linkId, bTokens[0] as string)

    // SPEC R5.2: A unlinks on A1 (A2 made the link); then B, told nothing, unlinks on B1.
    d.fronts.b.route(1)
    expect(await a1.call<PartyAState>('unlink', linkId)).toMatchObject({ status: 'unlinked', outbox: [] })
    expect(await expectAgreement(a2, linkId, bTokens[0] as string)).toEqual([401, 401])
    expect(await Promise.all(d.b.map((instance) => nowPlaying(instance, aTokens[0] as string)))).toEqual([401, 401])
    d.fronts.a.route(1)
    expect(await b1.call<PartyBState>('unlink', user)).toMatchObject({ status: 'unlinked', outbox: [] })
    expect(await b2.call<PartyBState>('getLink', user)).toMatchObject({ status: 'unlinked' })
    figure(`flow over the instances: A served ${d.fronts.a.served.join(' + ')} requests (A1 + A2), B ${d.fronts.b.served.join(' + ')} (B1 + B2) through the fronts`)
  })

  it('SPEC R2.1, R5.2, R7.1: one user action submitted twice, landing on both of A\'s instances at once — the callback, the consent, the unlink — is done once', async () => {
    const [a1, a2] = d.a
    const user = 'frank'
    d.fronts.a.route('alternate')
    d.fronts.b.route('alternate')
    const both = <T>(op: string, ...args: unknown[]) => Promise.allSettled(d.a.map((instance) => instance.call<T>(op, ...args)))
    const outcomes = (settled: ReadonlyArray<PromiseSettledResult<PartyAState>>) =>
      settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.status : (outcome.reason as { code?: string }).code)).sort()

    // The callback: one instance takes the authorization response and exchanges its code; for
    // the other it belongs to no pending link any more.
    const { linkId, url } = await a1.call<{ linkId: string; url: string }>('startLink', `${user}-at-assistant`)
    const callback = await authorizeAtB(url, user)
    expect(outcomes(await both<PartyAState>('handleCallback', callback, `${user}-at-assistant`))).toEqual(['ERR_CALLBACK_INVALID', 'awaiting-consent'])

    // The consent: one code minted, delivered and redeemed; the other finds the link granted.
    await eventCounts(d.all)
    expect(outcomes(await both<PartyAState>('consent', linkId, ANNOUNCE))).toEqual(['ERR_INVALID_STATE', 'reciprocal-granted'])
    await Promise.all(d.b.map((instance) => instance.call('settle')))
    const [atA, atB] = [await eventCounts(d.a), await eventCounts(d.b)]
    expect([atA['code-minted'], atA['code-delivered'], atA['code-redeemed'], atB['code-received']]).toEqual([1, 1, 1, 1])
    const token = await d.b[0].call<string>('accessToken', user)
    await expectAgreement(a2, linkId, token)

    // The unlink: both answer `unlinked`, the grant is revoked once.
    expect(outcomes(await both<PartyAState>('unlink', linkId))).toEqual(['unlinked', 'unlinked'])
    expect((await eventCounts(d.a))['unlinked']).toBe(1)
    expect(await expectAgreement(a1, linkId, token)).toEqual([401, 401])
  })

  it(`SPEC R5.2: unlinks left unfinished on both instances while B is down are finished once by both instances' periodic resume at the same time`, async () => {
    // Links that reached A's tokens at B (steps A–D), each started on one instance and called back on the other.
    d.fronts.b.route('alternate')
    const linkIds = await Promise.all(
      Array.from({ length: UNFINISHED }, async (_, i) => {
        const [here, there] = [d.a[i % 2] as InstanceHandle, d.a[(i + 1) % 2] as InstanceHandle]
        const { linkId, url } = await here.call<{ linkId: string; url: string }>('startLink', `user${i}-at-assistant`)
        await there.call('handleCallback', await authorizeAtB(url, `user${i}`), `user${i}-at-assistant`)
        return linkId
      }),
    )
    // B is down: each unlink revokes what it can and keeps A's tokens at B to revoke, in its
    // outbox and in the pending log — written by both instances at once.
    d.fronts.b.route('down')
    const unlinked = await Promise.all(linkIds.map((linkId, i) => (d.a[i % 2] as InstanceHandle).call<PartyAState>('unlink', linkId)))
    expect(unlinked.map((state) => [state.status, state.outbox.length])).toEqual(linkIds.map(() => ['unlinked', 1]))

    d.fronts.b.route('alternate')
    const finished = await Promise.all(d.a.map((instance) => instance.call<number>('resume')))
    figure(`${UNFINISHED} unfinished unlinks, both instances resuming at once: A1 finished ${finished[0]}, A2 ${finished[1]}`)
    expect((finished[0] as number) + (finished[1] as number)).toBe(UNFINISHED)
    const after = await Promise.all(linkIds.map((linkId) => d.a[0].call<PartyAState>('getLink', linkId)))
    expect(after.map((state) => [state.status, state.outbox.length])).toEqual(linkIds.map(() => ['unlinked', 0]))
    expect(await Promise.all(d.a.map((instance) => instance.call<number>('resume')))).toEqual([0, 0])
  })

  it(`RFC 6749 §4.1.2, SPEC R4.2: ${RACERS} concurrent redemptions of one reciprocal code over A's two instances → exactly one succeeds, the rest invalid_grant, and the replay revokes the winner's grant`, async () => {
    const code = await d.a[0].call<string>('mintReciprocalCode', 'carol-at-assistant', ASSISTANT_OFFER)
    await eventCounts(d.a)
    const answers = await race(RACERS, d.a, (instance) => tokenRequest(instance, { grant_type: 'authorization_code', code }, AS_MUSIC))
    const events = await eventCounts(d.a)
    const winners = answers.filter((answer) => answer.status === 200)
    const counts = tally(answers)
    figure(
      `${RACERS} redemptions of one code over A1 and A2: ${counts['200'] ?? 0} succeeded (at ${winners.map((w) => w.instance).join(', ')}), ${counts['400 invalid_grant'] ?? 0} invalid_grant; A's servers saw ${events['code-redeemed'] ?? 0} redemption, ${events['replay-detected:code'] ?? 0} replays`,
    )
    expect(counts).toEqual({ '200': 1, '400 invalid_grant': RACERS - 1 })
    expectWellFormedRefusals(answers.filter((answer) => answer.status !== 200))
    expect(events['code-redeemed']).toBe(1)
    expect(events['replay-detected:code']).toBe(RACERS - 1)

    // The code was used more than once: A denies the reuse and revokes what the first use got —
    // the access token is refused by A's resource server on both instances, the refresh token too.
    const winner = (winners[0] as Answer).body
    expect(winner).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), refresh_token: expect.any(String) })
    expect(await Promise.all(d.a.map((instance) => announce(instance, winner['access_token'] as string)))).toEqual([401, 401])
    expect(await tokenRequest(d.a[1], { grant_type: 'refresh_token', refresh_token: winner['refresh_token'] as string }, AS_MUSIC)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
  })

  it(`SPEC R7.10: ${RACERS} concurrent presentations of one reciprocal code to B's two instances → exactly one accepted, one redemption at A, and B's link honoured`, async () => {
    const [a1, a2] = d.a
    const user = 'erin'
    // A's access token at B for erin (steps A–D), and a reciprocal code for her, minted at A.
    const { linkId, url } = await a2.call<{ linkId: string; url: string }>('startLink', `${user}-at-assistant`)
    await a1.call('handleCallback', await authorizeAtB(url, user), `${user}-at-assistant`)
    const accessToken = await a1.call<string>('accessToken', linkId)
    const code = await a2.call<string>('mintReciprocalCode', `${user}-at-assistant`, ASSISTANT_OFFER)
    await eventCounts(d.all)

    // The test plays A's delivery, sent 200 times at once over both of B's instances.
    d.fronts.a.route('alternate')
    const form = { grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code, access_token: accessToken }
    const answers = await race(RACERS, d.b, (instance) => tokenRequest(instance, form, AS_ASSISTANT))
    await Promise.all(d.b.map((instance) => instance.call('settle')))
    const [atA, atB] = [await eventCounts(d.a), await eventCounts(d.b)]
    const counts = tally(answers)
    figure(
      `${RACERS} presentations of one code to B1 and B2: ${counts['200'] ?? 0} accepted (at ${answers.filter((a) => a.status === 200).map((a) => a.instance).join(', ')}), ${counts['400 invalid_grant'] ?? 0} invalid_grant; A's servers saw ${atA['code-redeemed'] ?? 0} redemption, ${atA['replay-detected:code'] ?? 0} replays`,
    )
    expect(counts).toEqual({ '200': 1, '400 invalid_grant': RACERS - 1 })
    expectWellFormedRefusals(answers.filter((answer) => answer.status !== 200))
    expect(answers.find((answer) => answer.status === 200)?.body).toEqual({})
    expect(atB['code-received']).toBe(1)
    expect([atA['code-redeemed'], atA['replay-detected:code']]).toEqual([1, undefined])
    expect(await d.b[0].call<PartyBState>('getLink', user)).toMatchObject({ status: 'linked', tokens: { scope: ASSISTANT_OFFER } })
    const token = await d.b[1].call<string>('accessToken', user)
    expect(await Promise.all(d.a.map((instance) => announce(instance, token)))).toEqual([200, 200])
  })

  it('RFC 9700 §4.14.2: one refresh token presented at both of A\'s instances at once → exactly one rotation; the reuse revokes the grant', async () => {
    const code = await d.a[0].call<string>('mintReciprocalCode', 'dave-at-assistant', ASSISTANT_OFFER)
    const first = await tokenRequest(d.a[1], { grant_type: 'authorization_code', code }, AS_MUSIC)
    expect(first.status).toBe(200)
    await eventCounts(d.a)
    const answers = await race(RACERS, d.a, (instance) => tokenRequest(instance, { grant_type: 'refresh_token', refresh_token: first.body['refresh_token'] as string }, AS_MUSIC))
    const events = await eventCounts(d.a)
    const counts = tally(answers)
    figure(
      `${RACERS} uses of one refresh token over A1 and A2: ${counts['200'] ?? 0} rotated, ${counts['400 invalid_grant'] ?? 0} invalid_grant; A's servers saw ${events['token-refreshed'] ?? 0} rotation, ${events['replay-detected:refresh-token'] ?? 0} replays`,
    )
    expect(counts).toEqual({ '200': 1, '400 invalid_grant': RACERS - 1 })
    expectWellFormedRefusals(answers.filter((answer) => answer.status !== 200))
    expect(events['token-refreshed']).toBe(1)
    // A rotated refresh token came back: the grant is revoked, the rotation's new tokens with it.
    const rotated = (answers.find((answer) => answer.status === 200) as Answer).body
    expect(await Promise.all(d.a.map((instance) => announce(instance, rotated['access_token'] as string)))).toEqual([401, 401])
    expect(await tokenRequest(d.a[0], { grant_type: 'refresh_token', refresh_token: rotated['refresh_token'] as string }, AS_MUSIC)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
  })
})
