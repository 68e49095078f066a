// Adversarial tests over real HTTP: every attack gets a well-formed OAuth error, no exception
// escapes, and no secret, token or code appears in any answer.
import { ErrorCode } from 'reciprocal-oauth'
import { GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { SECRETS, type TwoServices, type TwoServicesOptions, twoServicesPerTest } from './two-services.js'

const startServices = twoServicesPerTest()

const basic = (id: string, secret: string): string => `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`

/** Everything secret this test has seen; no answer may contain any of it. */
const seen = new Set<string>(Object.values(SECRETS))

async function linkedServices(options: TwoServicesOptions = {}) {
  const s = await startServices({ reciprocalInTokenResponse: 'assistant.announce assistant.read', ...options })
  const { linkId, url } = await s.partyA.startLink('music', 'alice-at-assistant')
  await s.partyA.handleCallback(await s.authorizeAtB(url), 'alice-at-assistant')
  const accessTokenAtB = await s.partyA.accessToken(linkId)
  seen.add(accessTokenAtB)
  return { s, linkId, accessTokenAtB }
}

/** Sends a reciprocal grant POST to B the way an attacker would craft it. */
async function postToB(s: TwoServices, init: { body: string; headers?: Record<string, string>; method?: string }) {
  const response = await fetch(`${s.b.url}/token`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...init.headers },
    ...(init.method === 'GET' ? {} : { body: init.body }),
  })
  const text = await response.text()
  for (const secret of seen) expect(text).not.toContain(secret)
  expect(response.headers.get('cache-control')).toBe('no-store')
  return { status: response.status, body: JSON.parse(text) as { error: string }, headers: response.headers }
}

function reciprocalForm(fields: Record<string, string>): string {
  return new URLSearchParams({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code: 'a-code-minted-by-a', ...fields }).toString()
}

describe("B's reciprocal grant receiver under attack (SPEC R3.3, R3.4, R7.3, R7.5, R7.11)", () => {
  const auth = { authorization: basic('assistant', SECRETS.assistantAtMusic) }

  it('SPEC R7.3: an unknown access token → invalid_token (401 in the Google profile, 400 in the draft profile)', async () => {
    const { s } = await linkedServices({ errorProfile: 'google' })
    const answer = await postToB(s, { body: reciprocalForm({ access_token: 'not-a-token' }), headers: auth })
    expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_token' } })
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /)
    await s.close()
    const draft = await linkedServices()
    const plain = await postToB(draft.s, { body: reciprocalForm({ access_token: 'not-a-token' }), headers: auth })
    expect(plain).toMatchObject({ status: 400, body: { error: 'invalid_token' } })
  })

  it('SPEC R7.3: an expired access token is refused', async () => {
    const { s, accessTokenAtB } = await linkedServices()
    s.runtime.advance(3601)
    const answer = await postToB(s, { body: reciprocalForm({ access_token: accessTokenAtB }), headers: auth })
    expect(answer.body.error).toBe('invalid_token')
  })

  it('SPEC R7.3: a revoked access token is refused', async () => {
    const { s, accessTokenAtB } = await linkedServices()
    await s.musicAs.revokeLink('assistant', 'alice')
    const answer = await postToB(s, { body: reciprocalForm({ access_token: accessTokenAtB }), headers: auth })
    expect(answer.body.error).toBe('invalid_token')
  })

  it('SPEC R7.3: an access token that lacks the scope required for reciprocal OAuth → 403 in the Google profile', async () => {
    const { s, accessTokenAtB } = await linkedServices({ errorProfile: 'google', requiredScope: 'music.link' })
    const answer = await postToB(s, { body: reciprocalForm({ access_token: accessTokenAtB }), headers: auth })
    expect(answer).toMatchObject({ status: 403, body: { error: 'insufficient_permission' } })
  })

  it("SPEC R7.3: an access token issued to another client is refused, even with that client's valid credentials", async () => {
    const { s, accessTokenAtB } = await linkedServices({ errorProfile: 'google' })
    // "radio", another client of B authenticating correctly, replays the assistant's token.
    const answer = await postToB(s, {
      body: reciprocalForm({ access_token: accessTokenAtB, client_id: 'radio', client_secret: SECRETS.radioAtMusic }),
    })
    expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_token' } })
    expect(await s.partyB.getLink('radio', 'alice')).toBeUndefined()
  })

  it('SPEC R3.3: a wrong client secret → invalid_client with a Basic challenge', async () => {
    const { s, accessTokenAtB } = await linkedServices({ errorProfile: 'google' })
    const answer = await postToB(s, { body: reciprocalForm({ access_token: accessTokenAtB }), headers: { authorization: basic('assistant', 'wrong') } })
    expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic /)
  })

  it('SPEC R7.11: both authentication methods at once are refused', async () => {
    const { s, accessTokenAtB } = await linkedServices()
    const answer = await postToB(s, {
      body: reciprocalForm({ access_token: accessTokenAtB, client_secret: SECRETS.assistantAtMusic }),
      headers: auth,
    })
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
  })

  it('SPEC R7.11: a body client_id that differs from the authenticated client is refused', async () => {
    const { s, accessTokenAtB } = await linkedServices()
    const answer = await postToB(s, { body: reciprocalForm({ access_token: accessTokenAtB, client_id: 'someone-else' }), headers: auth })
    // The client used the Authorization header: 401 with a Basic challenge even in the draft profile (RFC 6749 §5.2).
    expect(answer.status).toBe(401)
    expect(answer.body.error).toBe('invalid_client')
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic /)
  })

  it('SPEC R3.4: repeated parameters, missing parameters, wrong content type, GET (405) and oversized bodies', async () => {
    const { s, accessTokenAtB } = await linkedServices()
    const good = reciprocalForm({ access_token: accessTokenAtB })
    const repeated = await postToB(s, { body: `${good}&code=second`, headers: auth })
    expect(repeated).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    const missing = await postToB(s, { body: new URLSearchParams({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', access_token: accessTokenAtB }).toString(), headers: auth })
    expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    const json = await postToB(s, { body: good, headers: { ...auth, 'content-type': 'application/json' } })
    expect(json).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    const get = await postToB(s, { body: '', method: 'GET', headers: auth })
    expect(get).toMatchObject({ status: 405, body: { error: 'invalid_request' } })
    expect(get.headers.get('allow')).toBe('POST')
    const huge = await postToB(s, { body: `${good}&padding=${'x'.repeat(64 * 1024)}`, headers: auth })
    expect(huge).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
  })

  it('SPEC R7.10: the same code POSTed twice is redeemed at most once', async () => {
    const { s, accessTokenAtB } = await linkedServices()
    const code = (await s.assistantAs.mintCode({ clientId: 'music', subject: 'alice-at-assistant', scope: 'assistant.read', supersede: true })).code
    seen.add(code)
    const first = await postToB(s, { body: reciprocalForm({ access_token: accessTokenAtB, code }), headers: auth })
    expect(first.status).toBe(200)
    const second = await postToB(s, { body: reciprocalForm({ access_token: accessTokenAtB, code }), headers: auth })
    expect(second).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(await s.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'linked', tokens: { scope: 'assistant.read' } })
  })
})

describe('cross-user binding at party A (SPEC R7.9)', () => {
  it("a callback completed in another user's session is refused before any code exchange (link CSRF)", async () => {
    const s = await startServices({ reciprocalInTokenResponse: 'assistant.read' })
    // Mallory starts a link and gets alice to approve it at B; the callback lands in alice's session.
    const { linkId, url } = await s.partyA.startLink('music', 'mallory-at-assistant')
    const callback = await s.authorizeAtB(url)
    await expect(s.partyA.handleCallback(callback, 'alice-at-assistant')).rejects.toMatchObject({ code: ErrorCode.CallbackInvalid, step: 'callback' })
    expect(await s.partyA.getLink(linkId)).toMatchObject({ status: 'failed', userId: 'mallory-at-assistant' })
    // Nothing was exchanged: the authorization code is still unused at B, and the link is spent for mallory too.
    await expect(s.partyA.handleCallback(callback, 'mallory-at-assistant')).rejects.toMatchObject({ code: ErrorCode.CallbackInvalid })
  })
})

describe("A's token endpoint under attack (SPEC R4.2, R7.2)", () => {
  const auth = { authorization: basic('music', SECRETS.musicAtAssistant) }

  async function redeem(s: TwoServices, code: string, headers: Record<string, string> = auth) {
    const response = await fetch(`${s.a.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ grant_type: 'authorization_code', code }).toString(),
    })
    const body = (await response.json()) as { error?: string; access_token?: string }
    return { status: response.status, body }
  }

  it('SPEC R4.2: 50 concurrent redemptions of one code over HTTP → exactly one wins, and a replay revokes its tokens', async () => {
    const { s } = await linkedServices()
    const { code } = await s.assistantAs.mintCode({ clientId: 'music', subject: 'alice-at-assistant', scope: 'assistant.read', supersede: true })
    const answers = await Promise.all(Array.from({ length: 50 }, () => redeem(s, code)))
    const winners = answers.filter((a) => a.status === 200)
    expect(winners).toHaveLength(1)
    expect(answers.filter((a) => a.status === 400 && a.body.error === 'invalid_grant')).toHaveLength(49)
    const token = winners[0]?.body.access_token ?? ''
    // The replays revoked the grant issued from the code (RFC 6749 §4.1.2).
    expect(await s.assistantAs.verifyAccessToken(token)).toBeUndefined()
  })

  it('SPEC R7.2: an expired code and a code minted for another client are refused', async () => {
    const { s } = await linkedServices()
    const expired = await s.assistantAs.mintCode({ clientId: 'music', subject: 'alice-at-assistant', scope: 'assistant.read', supersede: true })
    s.runtime.advance(61)
    expect(await redeem(s, expired.code)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    const stolen = await s.assistantAs.mintCode({ clientId: 'music', subject: 'alice-at-assistant', scope: 'assistant.read', supersede: true })
    const other = await redeem(s, stolen.code, { authorization: basic('intruder', 'x') })
    expect(other).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
  })

  it('SPEC R5.3: an older-version code arriving after a newer one never wins', async () => {
    const { s } = await linkedServices()
    const older = await s.assistantAs.mintCode({ clientId: 'music', subject: 'alice-at-assistant', scope: 'assistant.announce assistant.read', supersede: true })
    const newer = await s.assistantAs.mintCode({ clientId: 'music', subject: 'alice-at-assistant', scope: 'assistant.read', supersede: true })
    expect((await redeem(s, newer.code)).status).toBe(200)
    expect(await redeem(s, older.code)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
  })
})

describe('party A facing a misbehaving party B (SPEC R3.4, R8.1)', () => {
  it('a B whose token endpoint answers HTML leaves A in delivery-failed with ERR_INVALID_RESPONSE', async () => {
    const { s, linkId } = await linkedServices()
    s.b.use(async () => new Response('<html>maintenance</html>', { status: 200, headers: { 'content-type': 'text/html' } }))
    const state = await s.partyA.consent(linkId, { scope: 'assistant.read' })
    expect(state).toMatchObject({ status: 'delivery-failed', error: { code: ErrorCode.InvalidResponse, step: 'deliver-code' } })
    const error = JSON.stringify(state.status === 'delivery-failed' ? state.error : null)
    for (const secret of seen) expect(error).not.toContain(secret)
  })

  it('a B that is down leaves A in a retryable delivery-failed; retry with a fresh code succeeds once B is back', async () => {
    const { s, linkId } = await linkedServices()
    let down = true
    s.b.use(async (request) =>
      down ? Response.json({ error: 'server_error' }, { status: 503 }) : s.musicHandler(request),
    )
    const failed = await s.partyA.consent(linkId, { scope: 'assistant.read' })
    expect(failed).toMatchObject({ status: 'delivery-failed', attempt: 1, error: { code: ErrorCode.PeerUnavailable, retryable: true } })
    down = false
    expect(await s.partyA.resume(linkId)).toMatchObject({ status: 'reciprocal-granted', granted: { scope: ['assistant.read'] } })
    expect(await s.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'linked' })
  })

  it('a B that never answers times out (SPEC R7.7) into a retryable state', async () => {
    const { s, linkId } = await linkedServices({ timeoutMs: 300 })
    s.b.use(() => new Promise<Response>(() => undefined))
    const failed = await s.partyA.consent(linkId, { scope: 'assistant.read' })
    expect(failed).toMatchObject({ status: 'delivery-failed', error: { code: ErrorCode.Timeout, retryable: true } })
  })
})
