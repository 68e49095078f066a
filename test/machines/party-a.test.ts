import { ErrorCode, type PartyAState, ReciprocalError } from 'reciprocal-oauth'
import { type PartyAContext, startPartyA, stepPartyA } from 'reciprocal-oauth/machines'
import { describe, expect, it } from 'vitest'

const now = 1_700_000_000
const ctx: PartyAContext = { now, offer: 'assistant.announce assistant.read' }
const pending = { state: 'st', codeVerifier: 'v'.repeat(43), redirectUri: 'https://a.example/cb', scope: 'music.play' }
const tokens = { accessToken: 'at-from-b', refreshToken: 'rt-from-b', expiresAt: now + 3600, scope: 'music.play' }
const fresh = (): PartyAState => startPartyA({ linkId: 'music.l1', peerId: 'music', userId: 'alice', pending, now })

function consentState(reciprocalFromToken = 'assistant.announce assistant.read'): PartyAState {
  return stepPartyA(fresh(), { type: 'tokens-received', tokens, reciprocalFromToken }, ctx)
}

/** A delivery's two results: the code minted at `version`, then POSTed. */
function delivered(state: PartyAState, version: number): PartyAState {
  const minted = stepPartyA(state, { type: 'code-minted', code: `code-${version}`, version }, ctx)
  return stepPartyA(minted, { type: 'code-posted' }, ctx)
}

function grantedState(): PartyAState {
  return delivered(stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.announce'] }, ctx), 1)
}

/** Later: the tokens at B expire within the refresh margin. */
const late: PartyAContext = { ...ctx, now: now + 3600 - 30 }

const failure = new ReciprocalError('B is down', { code: ErrorCode.PeerUnavailable, step: 'deliver-code', hint: 'retry', retryable: true }).toJSON()

describe('party A machine: initial flow (SPEC R1)', () => {
  it('starts awaiting the callback with the pending authorization', () => {
    expect(fresh()).toMatchObject({ status: 'awaiting-callback', linkId: 'music.l1', peerId: 'music', userId: 'alice', pending })
  })

  it('SPEC R1.2: reciprocal from the token response leads to consent for requested ∩ offer', () => {
    const s = stepPartyA(fresh(), { type: 'tokens-received', tokens, reciprocalFromToken: 'assistant.announce other' }, ctx)
    expect(s.outbox).toEqual([])
    expect(s).toMatchObject({ status: 'awaiting-consent', requested: ['assistant.announce', 'other'], offered: ['assistant.announce'] })
  })

  it('SPEC R1.2: reciprocal from the authorization response is used when the token response has none', () => {
    const s = stepPartyA(fresh(), { type: 'tokens-received', tokens, reciprocalFromCallback: 'assistant.read' }, ctx)
    expect(s).toMatchObject({ status: 'awaiting-consent', offered: ['assistant.read'] })
  })

  it('SPEC R1.3: with no reciprocal from B, the configured scope applies', () => {
    const s = stepPartyA(fresh(), { type: 'tokens-received', tokens }, { ...ctx, configured: 'assistant.read' })
    expect(s).toMatchObject({ status: 'awaiting-consent', offered: ['assistant.read'] })
  })

  it('SPEC R1.3: a request entirely outside the offer ends one-way (nothing to offer)', () => {
    const s = stepPartyA(fresh(), { type: 'tokens-received', tokens, reciprocalFromToken: 'admin' }, ctx)
    expect(s).toMatchObject({ status: 'one-way', reason: 'nothing-to-offer', offered: [] })
  })

  it('SPEC R1.3: B asking for nothing, with nothing configured, is one-way for that reason, not "nothing to offer"', () => {
    expect(stepPartyA(fresh(), { type: 'tokens-received', tokens }, ctx)).toMatchObject({ status: 'one-way', reason: 'none-requested' })
    const malformed = stepPartyA(fresh(), { type: 'tokens-received', tokens, reciprocalFromToken: 'a"b' }, ctx)
    expect(malformed).toMatchObject({ status: 'one-way', reason: 'malformed' })
  })

  it.each([
    ['none-requested', undefined, ErrorCode.NothingRequested, /reciprocal\.configured/],
    ['malformed', 'a"b', ErrorCode.InvalidResponse, /scope tokens/],
    ['nothing-to-offer', 'admin', ErrorCode.NothingToOffer, /reciprocal\.offer/],
  ] as const)('SPEC R8.1: consent on a one-way link (%s) says why and what to do instead', (_reason, reciprocalFromToken, code, hint) => {
    const oneWay = stepPartyA(fresh(), { type: 'tokens-received', tokens, ...(reciprocalFromToken === undefined ? {} : { reciprocalFromToken }) }, ctx)
    for (const event of [{ type: 'consent-granted', scope: ['assistant.read'] }, { type: 'consent-refused' }] as const) {
      expect(() => stepPartyA(oneWay, event, ctx)).toThrowError(
        expect.objectContaining({ code, step: 'consent', hint: expect.stringMatching(hint) }),
      )
      expect(() => stepPartyA(oneWay, event, ctx)).toThrowError(expect.objectContaining({ hint: expect.stringContaining("updateReciprocalScope('music.l1', scope)") }))
    }
  })

  it('a failed exchange lands in the failed state with the typed error', () => {
    const error = new ReciprocalError('x', { code: ErrorCode.TokenExchangeFailed, step: 'token-exchange', hint: 'h' }).toJSON()
    const s = stepPartyA(fresh(), { type: 'exchange-failed', error }, ctx)
    expect(s).toMatchObject({ status: 'failed', error: { code: 'ERR_TOKEN_EXCHANGE_FAILED' } })
  })
})

describe('party A machine: consent and delivery (SPEC R2, R3)', () => {
  it('SPEC R2.1, R3.1: full consent puts the mint of a code for the user and scope in the outbox', () => {
    const s = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read', 'assistant.announce'] }, ctx)
    expect(s).toMatchObject({ status: 'delivering', scope: ['assistant.announce', 'assistant.read'], attempt: 1 })
    expect(s.outbox).toEqual([{ type: 'mint-code', subject: 'alice', scope: 'assistant.announce assistant.read' }])
  })

  it('SPEC R2.1: partial consent delivers only the granted subset', () => {
    const s = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx)
    expect(s.outbox).toEqual([{ type: 'mint-code', subject: 'alice', scope: 'assistant.read' }])
  })

  it('SPEC R2.1: refused consent ends the reciprocal leg cleanly', () => {
    const s = stepPartyA(consentState(), { type: 'consent-refused' }, ctx)
    expect(s).toMatchObject({ status: 'one-way', reason: 'consent-refused' })
    expect(s.outbox).toEqual([])
  })

  it('an empty consent counts as a refusal', () => {
    expect(stepPartyA(consentState(), { type: 'consent-granted', scope: [] }, ctx).status).toBe('one-way')
  })

  it('SPEC R7.6: a consent wider than the offer is refused and the state is unchanged', () => {
    const state = consentState('assistant.read')
    expect(() => stepPartyA(state, { type: 'consent-granted', scope: ['assistant.announce'] }, ctx)).toThrowError(
      expect.objectContaining({ code: ErrorCode.ConsentInvalid }),
    )
    expect(state.status).toBe('awaiting-consent')
  })

  it('a delivered code makes the reciprocal grant with its version', () => {
    expect(grantedState()).toMatchObject({ status: 'reciprocal-granted', granted: { scope: ['assistant.announce'], version: 1 } })
  })

  it('SPEC R3.1, R3.2: the minted code is a state of its own (minted, not delivered), whose outbox holds its POST', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx)
    const minted = stepPartyA(delivering, { type: 'code-minted', code: 'code-1', version: 1 }, ctx)
    expect(minted).toMatchObject({ status: 'code-minted', scope: ['assistant.read'], undelivered: { scope: ['assistant.read'], version: 1 } })
    expect(minted.outbox).toEqual([{ type: 'post-code', version: 1 }])
    const granted = stepPartyA(minted, { type: 'code-posted' }, ctx)
    expect(granted).toMatchObject({ status: 'reciprocal-granted', granted: { scope: ['assistant.read'], version: 1 }, outbox: [] })
    expect(granted).not.toHaveProperty('undelivered')
  })

  it('SPEC R8.2: tokens at B about to expire are refreshed first, and stored before the mint', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, late)
    expect(delivering.outbox.map((c) => c.type)).toEqual(['refresh-peer-tokens', 'mint-code'])
    const next = { ...tokens, accessToken: 'at2', expiresAt: late.now + 3600 }
    const refreshed = stepPartyA(delivering, { type: 'tokens-refreshed', tokens: next }, late)
    expect(refreshed).toMatchObject({ status: 'delivering', peerTokens: next, outbox: [{ type: 'mint-code' }] })
  })

  it.each([
    ['the POST failed (minted)', (d: PartyAState) => stepPartyA(stepPartyA(d, { type: 'code-minted', code: 'c', version: 1 }, ctx), { type: 'post-failed', error: failure }, ctx)],
    ['the mint failed', (d: PartyAState) => stepPartyA(d, { type: 'mint-failed', error: failure }, ctx)],
  ])('SPEC R3.4: a failed delivery (%s) is a named state with nothing in the outbox; resume delivers a fresh code', (_name, fail) => {
    const failed = fail(stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx))
    expect(failed).toMatchObject({ status: 'delivery-failed', attempt: 1, error: { code: 'ERR_PEER_UNAVAILABLE', retryable: true }, outbox: [] })
    const retried = stepPartyA(failed, { type: 'resume' }, ctx)
    expect(retried).toMatchObject({ status: 'delivering', attempt: 2 })
    expect(retried.outbox).toEqual([{ type: 'mint-code', subject: 'alice', scope: 'assistant.read' }])
  })

  it('SPEC R4.2, R5.3: resumed after a crash with the code minted, A mints a fresh code rather than POST the old one again', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx)
    const minted = stepPartyA(delivering, { type: 'code-minted', code: 'code-1', version: 1 }, ctx)
    const resumed = stepPartyA(JSON.parse(JSON.stringify(minted)) as PartyAState, { type: 'resume' }, ctx)
    expect(resumed).toMatchObject({ status: 'delivering', attempt: 2, undelivered: { scope: ['assistant.read'], version: 1 } })
    expect(resumed.outbox).toEqual([{ type: 'mint-code', subject: 'alice', scope: 'assistant.read' }])
    expect(JSON.stringify(resumed)).not.toContain('code-1')
  })

  it('a delivery interrupted by a crash during its mint is resumed with a fresh mint, the first code taken as perhaps minted', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx)
    const retried = stepPartyA(JSON.parse(JSON.stringify(delivering)) as PartyAState, { type: 'resume' }, ctx)
    expect(retried).toMatchObject({ status: 'delivering', attempt: 2, undelivered: { scope: ['assistant.read'] } })
    expect(retried.outbox).toEqual([{ type: 'mint-code', subject: 'alice', scope: 'assistant.read' }])
  })

  it('a delivery interrupted by a crash during its refresh, before the mint, is resumed with no code taken as minted', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, late)
    const retried = stepPartyA(delivering, { type: 'resume' }, late)
    expect(retried).toMatchObject({ status: 'delivering', attempt: 2 })
    expect(retried).not.toHaveProperty('undelivered')
    expect(retried.outbox.map((c) => c.type)).toEqual(['refresh-peer-tokens', 'mint-code'])
  })

  it('RFC 9700 §4.4: every state keeps the peer the link was started with', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx)
    const states = [fresh(), consentState(), delivering, grantedState(), stepPartyA(grantedState(), { type: 'unlink' }, ctx)]
    for (const state of states) expect(state.peerId).toBe('music')
  })

  it('states survive a JSON round trip (resume after a crash)', () => {
    const state = grantedState()
    expect(JSON.parse(JSON.stringify(state))).toEqual(state)
  })
})

describe('party A machine: update flow and unlink (SPEC R5)', () => {
  it('SPEC R5.1: an update delivers a new code for the new scope; a widening keeps the old grant until redeemed', () => {
    const s = stepPartyA(grantedState(), { type: 'update-scope', scope: ['assistant.announce', 'assistant.read'] }, ctx)
    expect(s).toMatchObject({ status: 'delivering', scope: ['assistant.announce', 'assistant.read'], granted: { version: 1 } })
    expect(s.outbox).toEqual([{ type: 'mint-code', subject: 'alice', scope: 'assistant.announce assistant.read' }])
  })

  it('SPEC R5.1: an update may add an offered scope B did not ask for, never one outside the offer', () => {
    const oneAsked = stepPartyA(consentState('assistant.read'), { type: 'consent-granted', scope: ['assistant.read'] }, ctx)
    const granted = delivered(oneAsked, 1)
    expect(stepPartyA(granted, { type: 'update-scope', scope: ['assistant.read', 'assistant.announce'] }, ctx).status).toBe('delivering')
    expect(() => stepPartyA(granted, { type: 'update-scope', scope: ['admin'] }, ctx)).toThrowError(
      expect.objectContaining({ code: ErrorCode.ConsentInvalid }),
    )
  })

  it('SPEC R5.2: an update to no scope at all is refused: that is unlinking', () => {
    expect(() => stepPartyA(grantedState(), { type: 'update-scope', scope: [] }, ctx)).toThrowError(
      expect.objectContaining({ code: ErrorCode.ConsentInvalid }),
    )
  })

  it("SPEC R5.2: unlink puts both revocations in the outbox, the local grant first (no network); each result takes its own out", () => {
    const s = stepPartyA(grantedState(), { type: 'unlink' }, ctx)
    expect(s).toMatchObject({ status: 'unlinked' })
    expect(s.outbox).toEqual([{ type: 'revoke-local-grant', subject: 'alice' }, { type: 'revoke-peer-tokens', tokens }])
    const local = stepPartyA(s, { type: 'local-grant-revoked' }, ctx)
    expect(local.outbox).toEqual([{ type: 'revoke-peer-tokens', tokens }])
    const done = stepPartyA(local, { type: 'peer-tokens-revoked' }, ctx)
    // Done: the state holds no tokens any more.
    expect(done).toEqual({ status: 'unlinked', linkId: 'music.l1', peerId: 'music', userId: 'alice', updatedAt: now, outbox: [] })
  })

  it('SPEC R5.2: a failed revocation at B stays in the outbox with its error; unlink or resume leave it there for the driver to run again', () => {
    const unlinked = stepPartyA(stepPartyA(grantedState(), { type: 'unlink' }, ctx), { type: 'local-grant-revoked' }, ctx)
    const failed = stepPartyA(unlinked, { type: 'peer-revocation-failed', error: failure }, ctx)
    expect(failed).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-peer-tokens', tokens }], error: { code: 'ERR_PEER_UNAVAILABLE' } })
    for (const event of [{ type: 'unlink' }, { type: 'resume' }] as const) expect(stepPartyA(failed, event, ctx)).toBe(failed)
    const done = stepPartyA(failed, { type: 'peer-tokens-revoked' }, ctx)
    expect(done.outbox).toEqual([])
    expect(done).not.toHaveProperty('error')
  })

  it("SPEC R5.2, R8.1: a failure of A's own revocation stays in the outbox with its error, while A's tokens at B still go", () => {
    const unlinking = stepPartyA(grantedState(), { type: 'unlink' }, ctx)
    const failed = stepPartyA(unlinking, { type: 'local-revocation-failed', error: failure }, ctx)
    expect(failed).toMatchObject({ status: 'unlinked', error: { code: 'ERR_PEER_UNAVAILABLE' } })
    expect(failed.outbox).toEqual([{ type: 'revoke-local-grant', subject: 'alice' }, { type: 'revoke-peer-tokens', tokens }])
    const peerDone = stepPartyA(failed, { type: 'peer-tokens-revoked' }, ctx)
    expect(peerDone).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-local-grant', subject: 'alice' }], error: { code: 'ERR_PEER_UNAVAILABLE' } })
    const done = stepPartyA(peerDone, { type: 'local-grant-revoked' }, ctx)
    expect(done.outbox).toEqual([])
    expect(done).not.toHaveProperty('error')
  })

  it('SPEC R5.2: an unlink gives way to nothing: a delivery under way is dropped for the revocations', () => {
    const minted = stepPartyA(stepPartyA(grantedState(), { type: 'update-scope', scope: ['assistant.read'] }, ctx), { type: 'code-minted', code: 'c', version: 2 }, ctx)
    expect(stepPartyA(minted, { type: 'unlink' }, ctx).outbox.map((c) => c.type)).toEqual(['revoke-local-grant', 'revoke-peer-tokens'])
  })

  it('SPEC R5.2: a link that never minted a code revokes no grant on unlink — the user\'s grant with that peer is another link\'s', () => {
    const failed = stepPartyA(fresh(), { type: 'exchange-failed', error: failure }, ctx)
    const oneWay = stepPartyA(consentState(), { type: 'consent-refused' }, ctx)
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx)
    const failedBeforeMint = stepPartyA(stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, late), { type: 'refresh-failed', error: failure }, late)
    for (const state of [fresh(), failed, consentState(), oneWay, failedBeforeMint]) {
      const s = stepPartyA(state, { type: 'unlink' }, ctx)
      expect(s.outbox.filter((command) => command.type === 'revoke-local-grant')).toEqual([])
      expect(s).toMatchObject({ status: 'unlinked' })
    }
    const done = stepPartyA(fresh(), { type: 'unlink' }, ctx)
    expect(done.outbox).toEqual([])
    expect(stepPartyA(done, { type: 'unlink' }, ctx).outbox).toEqual([])
  })

  it('SPEC R5.2: a link that minted a code, or may have, revokes the grant on unlink', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx)
    const perhapsMinted = stepPartyA(delivering, { type: 'mint-failed', error: failure }, ctx)
    const minted = stepPartyA(delivering, { type: 'code-minted', code: 'c', version: 1 }, ctx)
    const updateFailed = stepPartyA(stepPartyA(grantedState(), { type: 'update-scope', scope: ['assistant.read'] }, late), { type: 'refresh-failed', error: failure }, late)
    for (const state of [delivering, perhapsMinted, minted, updateFailed, grantedState()]) {
      expect(stepPartyA(state, { type: 'unlink' }, ctx).outbox[0]).toEqual({ type: 'revoke-local-grant', subject: 'alice' })
    }
  })

  it('resume retries a delivery a crash left in delivering, and changes nothing elsewhere', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx)
    expect(stepPartyA(delivering, { type: 'resume' }, ctx)).toMatchObject({ status: 'delivering', attempt: 2, outbox: [{ type: 'mint-code' }] })
    const granted = grantedState()
    expect(stepPartyA(granted, { type: 'resume' }, ctx)).toBe(granted)
  })
})

describe('party A machine: `granted` is what A\'s authorization server still honours (SPEC R5.1, R7.6)', () => {
  /** What is known of the mint when a delivery fails: minted (version 2), certainly not (its refresh failed), or not known (the mint failed). */
  type Mint = 'minted' | 'not-minted' | 'unknown'

  /** Granted `initial` at version 1, then an update to `update`, still delivering. */
  function updating(initial: string[], update: string[], at: PartyAContext = ctx): PartyAState {
    const granted = delivered(stepPartyA(consentState(), { type: 'consent-granted', scope: initial }, ctx), 1)
    return stepPartyA(granted, { type: 'update-scope', scope: update }, at)
  }
  /** A delivery that fails: after its mint (version `version`), during it, or before it (the refresh ahead of it). */
  function fail(state: PartyAState, mint: Mint, version = 2): PartyAState {
    if (mint === 'minted') return stepPartyA(stepPartyA(state, { type: 'code-minted', code: 'c', version }, ctx), { type: 'post-failed', error: failure }, ctx)
    return stepPartyA(state, mint === 'unknown' ? { type: 'mint-failed', error: failure } : { type: 'refresh-failed', error: failure }, ctx)
  }
  /** Granted `initial` at version 1, then an update to `update` whose delivery fails. */
  function failedUpdate(initial: string[], update: string[], mint: Mint): PartyAState {
    return fail(updating(initial, update, mint === 'not-minted' ? late : ctx), mint)
  }
  const claims = (state: PartyAState) => ('granted' in state ? state.granted : undefined)
  const both = ['assistant.announce', 'assistant.read']
  const read = ['assistant.read']

  it('a narrowing stops claiming the old grant as it starts, before the code is minted: the state saved then never outlives the grant', () => {
    const state = updating(both, read)
    expect(state).toMatchObject({ status: 'delivering', scope: read, cutOnMint: { scope: both, version: 1 } })
    expect(claims(state)).toBeUndefined()
    // A crash after the mint, resumed: still no claim, and the perhaps-minted code is the newest.
    const resumed = stepPartyA(JSON.parse(JSON.stringify(state)) as PartyAState, { type: 'resume' }, ctx)
    expect(resumed).toMatchObject({ status: 'delivering', undelivered: { scope: read } })
    expect(claims(resumed)).toBeUndefined()
    expect(resumed).not.toHaveProperty('cutOnMint')
  })

  it('a widening keeps claiming the old grant while it is delivered: it is cut only when the new code is redeemed', () => {
    expect(updating(read, both)).toMatchObject({ status: 'delivering', granted: { scope: read, version: 1 } })
    expect(updating(read, both)).not.toHaveProperty('cutOnMint')
  })

  it('a narrowing whose code was minted before the failure leaves no grant: minting it revoked the old one', () => {
    const state = failedUpdate(both, read, 'minted')
    expect(state).toMatchObject({ status: 'delivery-failed', scope: read, undelivered: { scope: read, version: 2 } })
    expect(claims(state)).toBeUndefined()
  })

  it('a narrowing whose mint failed midway leaves no grant either: the mint may have cut it', () => {
    const state = failedUpdate(both, read, 'unknown')
    expect(state).toMatchObject({ status: 'delivery-failed', scope: read, undelivered: { scope: read } })
    expect(claims(state)).toBeUndefined()
  })

  it('a widening whose code was minted keeps the old grant: it is cut only when the new code is redeemed', () => {
    expect(failedUpdate(read, both, 'minted')).toMatchObject({ status: 'delivery-failed', granted: { scope: read, version: 1 }, undelivered: { scope: both, version: 2 } })
  })

  it('a failure before the mint keeps the old grant, narrowing or not', () => {
    for (const [initial, update] of [[both, read], [read, both]] as const) {
      const state = failedUpdate(initial, update, 'not-minted')
      expect(state).toMatchObject({ status: 'delivery-failed', granted: { scope: initial, version: 1 } })
      expect(state).not.toHaveProperty('undelivered')
      expect(state).not.toHaveProperty('cutOnMint')
    }
  })

  it.each(['minted', 'unknown'] as const)('the next code is compared with the newest one minted (%s): narrowing back after a failed widening cuts the old grant', (mint) => {
    const widened = failedUpdate(read, both, mint)
    const back = stepPartyA(widened, { type: 'update-scope', scope: read }, ctx)
    expect(claims(back)).toBeUndefined()
    const failed = fail(back, 'minted', 3)
    expect(failed).toMatchObject({ status: 'delivery-failed', undelivered: { scope: read, version: 3 } })
    expect(claims(failed)).toBeUndefined()
  })

  it('a delivered retry makes the new grant the only one, and forgets the undelivered code', () => {
    const retried = stepPartyA(failedUpdate(both, read, 'minted'), { type: 'resume' }, ctx)
    const granted = delivered(retried, 3)
    expect(granted).toEqual(expect.objectContaining({ status: 'reciprocal-granted', granted: { scope: read, version: 3 } }))
    expect(granted).not.toHaveProperty('undelivered')
  })
})

describe('party A machine: lasting links (SPEC R8.2)', () => {
  it('refreshed tokens replace the old ones in any linked state', () => {
    const next = { accessToken: 'at2', refreshToken: 'rt2', expiresAt: now + 7200 }
    const s = stepPartyA(grantedState(), { type: 'tokens-refreshed', tokens: next }, ctx)
    expect(s).toMatchObject({ status: 'reciprocal-granted', peerTokens: next })
  })

  it('a dead refresh token moves the link to needs-reconsent', () => {
    const error = new ReciprocalError('dead', { code: ErrorCode.NeedsReconsent, step: 'refresh', hint: 'h' }).toJSON()
    const s = stepPartyA(grantedState(), { type: 'refresh-failed', error }, ctx)
    expect(s).toMatchObject({ status: 'needs-reconsent', granted: { version: 1 } })
  })

  it('a transient refresh failure leaves the state as it was', () => {
    const state = grantedState()
    expect(stepPartyA(state, { type: 'refresh-failed', error: failure }, ctx)).toBe(state)
  })

  it('SPEC R8.2: a live token is wanted: the refresh goes in the outbox only when the tokens are about to expire', () => {
    const state = grantedState()
    expect(stepPartyA(state, { type: 'refresh' }, ctx)).toBe(state)
    const due = stepPartyA(state, { type: 'refresh' }, late)
    expect(due.outbox).toEqual([{ type: 'refresh-peer-tokens' }])
    expect(stepPartyA(due, { type: 'refresh-failed', error: failure }, late)).toMatchObject({ status: 'reciprocal-granted', outbox: [] })
  })
})

describe('party A machine: events that do not fit', () => {
  const cases: Array<[string, () => PartyAState, Parameters<typeof stepPartyA>[1]]> = [
    ['consent before the callback', fresh, { type: 'consent-granted', scope: ['assistant.read'] }],
    ['a second token response', consentState, { type: 'tokens-received', tokens }],
    ['a POST result without a minted code', consentState, { type: 'code-posted' }],
    ['a mint result while granted', grantedState, { type: 'code-minted', code: 'c', version: 2 }],
    ['refresh before tokens', fresh, { type: 'tokens-refreshed', tokens }],
    ['update while awaiting consent', consentState, { type: 'update-scope', scope: ['assistant.read'] }],
  ]
  it.each(cases)('%s → ERR_INVALID_STATE', (_name, state, event) => {
    expect(() => stepPartyA(state(), event, ctx)).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidState }))
  })
})

describe('party A machine: a dead refresh token and the grant behind it (SPEC R5.2, R8.2)', () => {
  const dead = new ReciprocalError('dead', { code: ErrorCode.NeedsReconsent, step: 'refresh', hint: 'link again' }).toJSON()

  it.each([
    ['awaiting-consent', 'assistant.read'],
    ['one-way', 'admin'],
  ])('SPEC R5.2: a link that dies in %s never minted, so unlinking it revokes no grant of the user', (_status, reciprocal) => {
    const linked = stepPartyA(fresh(), { type: 'tokens-received', tokens, reciprocalFromToken: reciprocal }, ctx)
    const reconsent = stepPartyA(linked, { type: 'refresh-failed', error: dead }, ctx)
    expect(reconsent).toMatchObject({ status: 'needs-reconsent' })
    expect(reconsent).not.toHaveProperty('undelivered')
    expect(stepPartyA(reconsent, { type: 'unlink' }, ctx).outbox.map((c) => c.type)).not.toContain('revoke-local-grant')
  })

  it('SPEC R5.2: a link that dies in the middle of a delivery keeps the code it may have minted, and unlinking it revokes the grant', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx)
    const reconsent = stepPartyA(delivering, { type: 'refresh-failed', error: dead }, ctx)
    expect(reconsent).toMatchObject({ status: 'needs-reconsent', undelivered: { scope: ['assistant.read'] } })
    // Its own refresh, before the mint, failing for good: nothing was minted.
    const beforeMint = stepPartyA(stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, late), { type: 'refresh-failed', error: dead }, late)
    expect(beforeMint).toMatchObject({ status: 'needs-reconsent', outbox: [] })
    expect(beforeMint).not.toHaveProperty('undelivered')
    expect(stepPartyA(reconsent, { type: 'unlink' }, ctx).outbox.map((c) => c.type)).toContain('revoke-local-grant')
  })
})

describe('party A machine: A refused a delivered code for good — redeemed twice (its grant revoked) or expired (SPEC R4.2, R4.3, RFC 6749 §4.1.2)', () => {
  const lost = (version: number) => ({ type: 'grant-lost', version }) as const
  const announce = ['assistant.announce']

  it('SPEC R4.3: reciprocal-granted → delivering the same scope with a fresh code, claiming nothing meanwhile', () => {
    const s = stepPartyA(grantedState(), lost(1), ctx)
    expect(s).toMatchObject({ status: 'delivering', scope: announce, attempt: 1, outbox: [{ type: 'mint-code', subject: 'alice', scope: 'assistant.announce' }] })
    expect(s).not.toHaveProperty('granted')
    expect(s).not.toHaveProperty('cutOnMint')
    // The fresh code is delivered as any other, and then claimed.
    expect(delivered(s, 2)).toMatchObject({ status: 'reciprocal-granted', granted: { scope: announce, version: 2 } })
  })

  it('SPEC R8.2: the fresh delivery refreshes the tokens at B first when they are about to expire (the POST carries the access token)', () => {
    const s = stepPartyA(grantedState(), lost(1), late)
    expect(s.outbox.map((c) => c.type)).toEqual(['refresh-peer-tokens', 'mint-code'])
  })

  it('SPEC R5.3: a replay of another version\'s code (an older grant, already superseded) changes nothing', () => {
    const granted = grantedState()
    expect(stepPartyA(granted, lost(0), ctx)).toBe(granted)
    expect(stepPartyA(granted, lost(2), ctx)).toBe(granted)
  })

  it('SPEC R5.1: a delivery under way (a widening) stops claiming the revoked grant and goes on as it was', () => {
    const widening = stepPartyA(grantedState(), { type: 'update-scope', scope: ['assistant.announce', 'assistant.read'] }, ctx)
    expect(widening).toMatchObject({ status: 'delivering', granted: { version: 1 } })
    const s = stepPartyA(widening, lost(1), ctx)
    expect(s).not.toHaveProperty('granted')
    expect(s).toMatchObject({ status: 'delivering', outbox: widening.outbox })
  })

  it('SPEC R5.1: a narrowing does not give back a grant revoked for a replay, even if it fails before its mint', () => {
    const narrowing = stepPartyA(grantedState(), { type: 'update-scope', scope: ['assistant.read'] }, ctx)
    // announce → read drops a scope: minting the code will cut the grant, which is no longer claimed.
    expect(narrowing).toMatchObject({ cutOnMint: { version: 1 } })
    const s = stepPartyA(narrowing, lost(1), ctx)
    expect(s).not.toHaveProperty('cutOnMint')
    expect(stepPartyA(s, { type: 'mint-failed', error: failure }, ctx)).not.toHaveProperty('granted')
  })

  it('SPEC R4.3: a failed delivery and a dead refresh token drop the claim too; states without one do not change', () => {
    const failed = stepPartyA(stepPartyA(grantedState(), { type: 'update-scope', scope: ['assistant.announce', 'assistant.read'] }, ctx), { type: 'mint-failed', error: failure }, ctx)
    expect(failed).toMatchObject({ status: 'delivery-failed', granted: { version: 1 } })
    expect(stepPartyA(failed, lost(1), ctx)).not.toHaveProperty('granted')
    const dead = new ReciprocalError('dead', { code: ErrorCode.NeedsReconsent, step: 'refresh', hint: 'link again' }).toJSON()
    const reconsent = stepPartyA(stepPartyA(grantedState(), { type: 'refresh' }, late), { type: 'refresh-failed', error: dead }, late)
    expect(reconsent).toMatchObject({ status: 'needs-reconsent', granted: { version: 1 } })
    expect(stepPartyA(reconsent, lost(1), ctx)).toMatchObject({ status: 'needs-reconsent', outbox: [] })
    expect(stepPartyA(reconsent, lost(1), ctx)).not.toHaveProperty('granted')
    const unlinked = stepPartyA(grantedState(), { type: 'unlink' }, ctx)
    expect(stepPartyA(unlinked, lost(1), ctx)).toBe(unlinked)
    const oneWay = stepPartyA(consentState(), { type: 'consent-refused' }, ctx)
    expect(stepPartyA(oneWay, lost(1), ctx)).toBe(oneWay)
  })
})
