import { describe, expect, it } from 'vitest'
import { ErrorCode, ReciprocalError } from '../../src/errors.js'
import { startPartyA, stepPartyA, type PartyAContext, type PartyAState } from '../../src/machines/party-a.js'

const now = 1_700_000_000
const ctx: PartyAContext = { now, offer: 'assistant.announce assistant.read' }
const pending = { state: 'st', codeVerifier: 'v'.repeat(43), redirectUri: 'https://a.example/cb', scope: 'music.play' }
const tokens = { accessToken: 'at-from-b', refreshToken: 'rt-from-b', expiresAt: now + 3600, scope: 'music.play' }
const fresh = (): PartyAState => startPartyA({ linkId: 'music.l1', peerId: 'music', userId: 'alice', pending, now })

function consentState(reciprocalFromToken = 'assistant.announce assistant.read'): PartyAState {
  return stepPartyA(fresh(), { type: 'tokens-received', tokens, reciprocalFromToken }, ctx).state
}

function grantedState(): PartyAState {
  const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.announce'] }, ctx).state
  return stepPartyA(delivering, { type: 'delivered', version: 1 }, ctx).state
}

const failure = new ReciprocalError('B is down', { code: ErrorCode.PeerUnavailable, step: 'deliver-code', hint: 'retry', retryable: true }).toJSON()

describe('party A machine: initial flow (SPEC R1)', () => {
  it('starts awaiting the callback with the pending authorization', () => {
    expect(fresh()).toMatchObject({ status: 'awaiting-callback', linkId: 'music.l1', peerId: 'music', userId: 'alice', pending })
  })

  it('SPEC R1.2: reciprocal from the token response leads to consent for requested ∩ offer', () => {
    const s = stepPartyA(fresh(), { type: 'tokens-received', tokens, reciprocalFromToken: 'assistant.announce other' }, ctx)
    expect(s.commands).toEqual([])
    expect(s.state).toMatchObject({ status: 'awaiting-consent', requested: ['assistant.announce', 'other'], offered: ['assistant.announce'] })
  })

  it('SPEC R1.2: reciprocal from the authorization response is used when the token response has none', () => {
    const s = stepPartyA(fresh(), { type: 'tokens-received', tokens, reciprocalFromCallback: 'assistant.read' }, ctx)
    expect(s.state).toMatchObject({ status: 'awaiting-consent', offered: ['assistant.read'] })
  })

  it('SPEC R1.3: with no reciprocal from B, the configured scope applies', () => {
    const s = stepPartyA(fresh(), { type: 'tokens-received', tokens }, { ...ctx, configured: 'assistant.read' })
    expect(s.state).toMatchObject({ status: 'awaiting-consent', offered: ['assistant.read'] })
  })

  it('SPEC R1.3: a request entirely outside the offer ends one-way (nothing to offer)', () => {
    const s = stepPartyA(fresh(), { type: 'tokens-received', tokens, reciprocalFromToken: 'admin' }, ctx)
    expect(s.state).toMatchObject({ status: 'one-way', reason: 'nothing-to-offer', offered: [] })
  })

  it('SPEC R1.3: B asking for nothing, with nothing configured, is one-way for that reason, not "nothing to offer"', () => {
    expect(stepPartyA(fresh(), { type: 'tokens-received', tokens }, ctx).state).toMatchObject({ status: 'one-way', reason: 'none-requested' })
    const malformed = stepPartyA(fresh(), { type: 'tokens-received', tokens, reciprocalFromToken: 'a"b' }, ctx).state
    expect(malformed).toMatchObject({ status: 'one-way', reason: 'malformed' })
  })

  it.each([
    ['none-requested', undefined, ErrorCode.NothingRequested, /reciprocal\.configured/],
    ['malformed', 'a"b', ErrorCode.InvalidResponse, /scope tokens/],
    ['nothing-to-offer', 'admin', ErrorCode.NothingToOffer, /reciprocal\.offer/],
  ] as const)('SPEC R8.1: consent on a one-way link (%s) says why and what to do instead', (_reason, reciprocalFromToken, code, hint) => {
    const oneWay = stepPartyA(fresh(), { type: 'tokens-received', tokens, ...(reciprocalFromToken === undefined ? {} : { reciprocalFromToken }) }, ctx).state
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
    expect(s.state).toMatchObject({ status: 'failed', error: { code: 'ERR_TOKEN_EXCHANGE_FAILED' } })
  })
})

describe('party A machine: consent and delivery (SPEC R2, R3)', () => {
  it('SPEC R2.1: full consent asks the driver to deliver a code for the user and scope', () => {
    const s = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read', 'assistant.announce'] }, ctx)
    expect(s.state).toMatchObject({ status: 'delivering', scope: ['assistant.announce', 'assistant.read'], attempt: 1 })
    expect(s.commands).toEqual([{ type: 'deliver-code', subject: 'alice', scope: 'assistant.announce assistant.read' }])
  })

  it('SPEC R2.1: partial consent delivers only the granted subset', () => {
    const s = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx)
    expect(s.commands).toEqual([{ type: 'deliver-code', subject: 'alice', scope: 'assistant.read' }])
  })

  it('SPEC R2.1: refused consent ends the reciprocal leg cleanly', () => {
    const s = stepPartyA(consentState(), { type: 'consent-refused' }, ctx)
    expect(s.state).toMatchObject({ status: 'one-way', reason: 'consent-refused' })
    expect(s.commands).toEqual([])
  })

  it('an empty consent counts as a refusal', () => {
    expect(stepPartyA(consentState(), { type: 'consent-granted', scope: [] }, ctx).state.status).toBe('one-way')
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

  it('a failed delivery is a named, retryable state; retry delivers again', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx).state
    const failed = stepPartyA(delivering, { type: 'delivery-failed', error: failure }, ctx).state
    expect(failed).toMatchObject({ status: 'delivery-failed', attempt: 1, error: { code: 'ERR_PEER_UNAVAILABLE', retryable: true } })
    const retried = stepPartyA(failed, { type: 'retry' }, ctx)
    expect(retried.state).toMatchObject({ status: 'delivering', attempt: 2 })
    expect(retried.commands).toEqual([{ type: 'deliver-code', subject: 'alice', scope: 'assistant.read' }])
  })

  it('a delivery interrupted by a crash (stuck in delivering) can be retried', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx).state
    const retried = stepPartyA(JSON.parse(JSON.stringify(delivering)) as PartyAState, { type: 'retry' }, ctx)
    expect(retried.state).toMatchObject({ status: 'delivering', attempt: 2 })
    expect(retried.commands).toEqual([{ type: 'deliver-code', subject: 'alice', scope: 'assistant.read' }])
  })

  it('RFC 9700 §4.4: every state keeps the peer the link was started with', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx).state
    const states = [fresh(), consentState(), delivering, grantedState(), stepPartyA(grantedState(), { type: 'unlink' }, ctx).state]
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
    expect(s.state).toMatchObject({ status: 'delivering', scope: ['assistant.announce', 'assistant.read'], granted: { version: 1 } })
    expect(s.commands).toEqual([{ type: 'deliver-code', subject: 'alice', scope: 'assistant.announce assistant.read' }])
  })

  it('SPEC R5.1: an update may add an offered scope B did not ask for, never one outside the offer', () => {
    const oneAsked = stepPartyA(consentState('assistant.read'), { type: 'consent-granted', scope: ['assistant.read'] }, ctx).state
    const granted = stepPartyA(oneAsked, { type: 'delivered', version: 1 }, ctx).state
    expect(stepPartyA(granted, { type: 'update-scope', scope: ['assistant.read', 'assistant.announce'] }, ctx).state.status).toBe('delivering')
    expect(() => stepPartyA(granted, { type: 'update-scope', scope: ['admin'] }, ctx)).toThrowError(
      expect.objectContaining({ code: ErrorCode.ConsentInvalid }),
    )
  })

  it('SPEC R5.2: an update to no scope at all is refused: that is unlinking', () => {
    expect(() => stepPartyA(grantedState(), { type: 'update-scope', scope: [] }, ctx)).toThrowError(
      expect.objectContaining({ code: ErrorCode.ConsentInvalid }),
    )
  })

  it('SPEC R5.2: unlink revokes the local grant first (no network), recording A\'s tokens at B as still to revoke', () => {
    const s = stepPartyA(grantedState(), { type: 'unlink' }, ctx)
    expect(s.state).toMatchObject({ status: 'unlinked', remaining: { localGrant: true, peerTokens: tokens } })
    expect(s.commands).toEqual([{ type: 'revoke-local-grant', subject: 'alice' }])
    const local = stepPartyA(s.state, { type: 'local-grant-revoked' }, ctx)
    expect(local.state).toMatchObject({ status: 'unlinked', remaining: { localGrant: false, peerTokens: tokens } })
    expect(local.commands).toEqual([{ type: 'revoke-peer-tokens', tokens }])
    const done = stepPartyA(local.state, { type: 'peer-tokens-revoked' }, ctx)
    expect(done.commands).toEqual([])
    // Done: the state holds no tokens any more.
    expect(done.state).toEqual({ status: 'unlinked', linkId: 'music.l1', peerId: 'music', userId: 'alice', updatedAt: now })
  })

  it('SPEC R5.2: a failed revocation at B is recorded with its error; unlink or resume tries again, once', () => {
    const unlinked = stepPartyA(stepPartyA(grantedState(), { type: 'unlink' }, ctx).state, { type: 'local-grant-revoked' }, ctx).state
    const failed = stepPartyA(unlinked, { type: 'peer-revocation-failed', error: failure }, ctx)
    expect(failed.commands).toEqual([])
    expect(failed.state).toMatchObject({ status: 'unlinked', remaining: { localGrant: false, peerTokens: tokens }, error: { code: 'ERR_PEER_UNAVAILABLE' } })
    for (const event of [{ type: 'unlink' }, { type: 'resume' }] as const) {
      expect(stepPartyA(failed.state, event, ctx).commands).toEqual([{ type: 'revoke-peer-tokens', tokens }])
    }
    const done = stepPartyA(failed.state, { type: 'peer-tokens-revoked' }, ctx).state
    expect(done).not.toHaveProperty('remaining')
    expect(done).not.toHaveProperty('error')
  })

  it('SPEC R5.2, R8.1: a failure of A\'s own revocation is recorded with its error, A\'s tokens at B still go, and a retry revokes the grant first', () => {
    const unlinking = stepPartyA(grantedState(), { type: 'unlink' }, ctx).state
    const failed = stepPartyA(unlinking, { type: 'local-revocation-failed', error: failure }, ctx)
    expect(failed.state).toMatchObject({ status: 'unlinked', remaining: { localGrant: true, peerTokens: tokens }, error: { code: 'ERR_PEER_UNAVAILABLE' } })
    expect(failed.commands).toEqual([{ type: 'revoke-peer-tokens', tokens }])
    const peerDone = stepPartyA(failed.state, { type: 'peer-tokens-revoked' }, ctx)
    expect(peerDone.commands).toEqual([])
    expect(peerDone.state).toMatchObject({ status: 'unlinked', remaining: { localGrant: true }, error: { code: 'ERR_PEER_UNAVAILABLE' } })
    for (const event of [{ type: 'unlink' }, { type: 'resume' }] as const) {
      expect(stepPartyA(peerDone.state, event, ctx).commands).toEqual([{ type: 'revoke-local-grant', subject: 'alice' }])
    }
    const done = stepPartyA(peerDone.state, { type: 'local-grant-revoked' }, ctx)
    expect(done.commands).toEqual([])
    expect(done.state).not.toHaveProperty('remaining')
    expect(done.state).not.toHaveProperty('error')
  })

  it('SPEC R5.2: an unlink interrupted before the local revocation does it first when retried', () => {
    const interrupted = JSON.parse(JSON.stringify(stepPartyA(grantedState(), { type: 'unlink' }, ctx).state)) as PartyAState
    expect(stepPartyA(interrupted, { type: 'resume' }, ctx).commands).toEqual([{ type: 'revoke-local-grant', subject: 'alice' }])
  })

  it('SPEC R5.2: a link that never minted a code revokes no grant on unlink — the user\'s grant with that peer is another link\'s', () => {
    const failed = stepPartyA(fresh(), { type: 'exchange-failed', error: failure }, ctx).state
    const oneWay = stepPartyA(consentState(), { type: 'consent-refused' }, ctx).state
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx).state
    const failedBeforeMint = stepPartyA(delivering, { type: 'delivery-failed', error: failure, minted: false }, ctx).state
    for (const state of [fresh(), failed, consentState(), oneWay, failedBeforeMint]) {
      const s = stepPartyA(state, { type: 'unlink' }, ctx)
      expect(s.commands.filter((command) => command.type === 'revoke-local-grant')).toEqual([])
      expect(s.state).toMatchObject({ status: 'unlinked' })
      expect(s.state).not.toHaveProperty('remaining.localGrant', true)
    }
    const done = stepPartyA(fresh(), { type: 'unlink' }, ctx).state
    expect(done).not.toHaveProperty('remaining')
    expect(stepPartyA(done, { type: 'unlink' }, ctx).commands).toEqual([])
  })

  it('SPEC R5.2: a link that minted a code, or may have, revokes the grant on unlink', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx).state
    const perhapsMinted = stepPartyA(delivering, { type: 'delivery-failed', error: failure }, ctx).state
    const updateFailed = stepPartyA(stepPartyA(grantedState(), { type: 'update-scope', scope: ['assistant.read'] }, ctx).state, { type: 'delivery-failed', error: failure, minted: false }, ctx).state
    for (const state of [delivering, perhapsMinted, updateFailed, grantedState()]) {
      expect(stepPartyA(state, { type: 'unlink' }, ctx).commands).toEqual([{ type: 'revoke-local-grant', subject: 'alice' }])
    }
  })

  it('resume retries a delivery a crash left in delivering, and changes nothing elsewhere', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx).state
    expect(stepPartyA(delivering, { type: 'resume' }, ctx)).toMatchObject({ state: { status: 'delivering', attempt: 2 }, commands: [{ type: 'deliver-code' }] })
    const granted = grantedState()
    expect(stepPartyA(granted, { type: 'resume' }, ctx)).toEqual({ state: granted, commands: [] })
  })
})

describe('party A machine: `granted` is what A\'s authorization server still honours (SPEC R5.1, R7.6)', () => {
  /** What the driver knows of the mint when a delivery fails: minted (version 2), certainly not, or not known. */
  type Mint = 'minted' | 'not-minted' | 'unknown'
  const mintOf = (mint: Mint) => (mint === 'minted' ? { minted: { version: 2 } } : mint === 'not-minted' ? { minted: false as const } : {})

  /** Granted `initial` at version 1, then an update to `update`, still delivering. */
  function updating(initial: string[], update: string[]): PartyAState {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: initial }, ctx).state
    const granted = stepPartyA(delivering, { type: 'delivered', version: 1 }, ctx).state
    return stepPartyA(granted, { type: 'update-scope', scope: update }, ctx).state
  }
  /** Granted `initial` at version 1, then an update to `update` whose delivery fails. */
  function failedUpdate(initial: string[], update: string[], mint: Mint): PartyAState {
    return stepPartyA(updating(initial, update), { type: 'delivery-failed', error: failure, ...mintOf(mint) }, ctx).state
  }
  const claims = (state: PartyAState) => ('granted' in state ? state.granted : undefined)
  const both = ['assistant.announce', 'assistant.read']
  const read = ['assistant.read']

  it('a narrowing stops claiming the old grant as it starts, before the code is minted: the state saved then never outlives the grant', () => {
    const state = updating(both, read)
    expect(state).toMatchObject({ status: 'delivering', scope: read, cutOnMint: { scope: both, version: 1 } })
    expect(claims(state)).toBeUndefined()
    // A crash after the mint, resumed: still no claim, and the perhaps-minted code is the newest.
    const resumed = stepPartyA(JSON.parse(JSON.stringify(state)) as PartyAState, { type: 'resume' }, ctx).state
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
    const back = stepPartyA(widened, { type: 'update-scope', scope: read }, ctx).state
    expect(claims(back)).toBeUndefined()
    const failed = stepPartyA(back, { type: 'delivery-failed', error: failure, minted: { version: 3 } }, ctx).state
    expect(failed).toMatchObject({ status: 'delivery-failed', undelivered: { scope: read, version: 3 } })
    expect(claims(failed)).toBeUndefined()
  })

  it('a delivered retry makes the new grant the only one, and forgets the undelivered code', () => {
    const retried = stepPartyA(failedUpdate(both, read, 'minted'), { type: 'retry' }, ctx).state
    const granted = stepPartyA(retried, { type: 'delivered', version: 3 }, ctx).state
    expect(granted).toEqual(expect.objectContaining({ status: 'reciprocal-granted', granted: { scope: read, version: 3 } }))
    expect(granted).not.toHaveProperty('undelivered')
  })
})

describe('party A machine: lasting links (SPEC R8.2)', () => {
  it('refreshed tokens replace the old ones in any linked state', () => {
    const next = { accessToken: 'at2', refreshToken: 'rt2', expiresAt: now + 7200 }
    const s = stepPartyA(grantedState(), { type: 'tokens-refreshed', tokens: next }, ctx)
    expect(s.state).toMatchObject({ status: 'reciprocal-granted', peerTokens: next })
  })

  it('a dead refresh token moves the link to needs-reconsent', () => {
    const error = new ReciprocalError('dead', { code: ErrorCode.NeedsReconsent, step: 'refresh', hint: 'h' }).toJSON()
    const s = stepPartyA(grantedState(), { type: 'refresh-failed', error }, ctx)
    expect(s.state).toMatchObject({ status: 'needs-reconsent', granted: { version: 1 } })
  })

  it('a transient refresh failure leaves the state as it was', () => {
    const state = grantedState()
    expect(stepPartyA(state, { type: 'refresh-failed', error: failure }, ctx).state).toBe(state)
  })
})

describe('party A machine: events that do not fit', () => {
  const cases: Array<[string, () => PartyAState, Parameters<typeof stepPartyA>[1]]> = [
    ['consent before the callback', fresh, { type: 'consent-granted', scope: ['assistant.read'] }],
    ['a second token response', consentState, { type: 'tokens-received', tokens }],
    ['delivered without delivering', consentState, { type: 'delivered', version: 1 }],
    ['retry while granted', grantedState, { type: 'retry' }],
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
    const linked = stepPartyA(fresh(), { type: 'tokens-received', tokens, reciprocalFromToken: reciprocal }, ctx).state
    const reconsent = stepPartyA(linked, { type: 'refresh-failed', error: dead }, ctx).state
    expect(reconsent).toMatchObject({ status: 'needs-reconsent' })
    expect(reconsent).not.toHaveProperty('undelivered')
    expect(stepPartyA(reconsent, { type: 'unlink' }, ctx).commands.map((c) => c.type)).not.toContain('revoke-local-grant')
  })

  it('SPEC R5.2: a link that dies in the middle of a delivery keeps the code it may have minted, and unlinking it revokes the grant', () => {
    const delivering = stepPartyA(consentState(), { type: 'consent-granted', scope: ['assistant.read'] }, ctx).state
    const reconsent = stepPartyA(delivering, { type: 'refresh-failed', error: dead }, ctx).state
    expect(reconsent).toMatchObject({ status: 'needs-reconsent', undelivered: { scope: ['assistant.read'] } })
    expect(stepPartyA(reconsent, { type: 'unlink' }, ctx).commands.map((c) => c.type)).toContain('revoke-local-grant')
  })
})
