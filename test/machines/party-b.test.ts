import { describe, expect, it } from 'vitest'
import { ErrorCode, ReciprocalError } from '../../src/errors.js'
import { stepPartyB, type PartyBState } from '../../src/machines/party-b.js'

const now = 1_700_000_000
const ctx = { now }
const link = { peerClientId: 'assistant', userId: 'alice@music' }
const pending = { code: 'code-1', receivedAt: now }
const tokens = { accessToken: 'at-from-a', refreshToken: 'rt', expiresAt: now + 3600, scope: 'assistant.announce' }
const error = (code: (typeof ErrorCode)[keyof typeof ErrorCode], retryable: boolean) =>
  new ReciprocalError('failed', { code, step: 'redeem-code', hint: 'h', retryable }).toJSON()

function linkedState(): PartyBState {
  const redeeming = stepPartyB(undefined, { type: 'code-received', pending }, ctx, link).state
  return stepPartyB(redeeming, { type: 'redeemed', tokens }, ctx, link).state
}

describe('party B machine: redemption (SPEC R4)', () => {
  it('SPEC R4.1: a received code asks the driver to redeem it', () => {
    const t = stepPartyB(undefined, { type: 'code-received', pending }, ctx, link)
    expect(t.state).toMatchObject({ status: 'redeeming', pending, attempt: 1, ...link })
    expect(t.commands).toEqual([{ type: 'redeem-code', code: 'code-1' }])
  })

  it('SPEC R4.2: a redeemed code links B with the tokens A issued', () => {
    expect(linkedState()).toMatchObject({ status: 'linked', tokens })
  })

  it('SPEC R4.3: a retryable failure keeps the code persisted for a retry', () => {
    const redeeming = stepPartyB(undefined, { type: 'code-received', pending }, ctx, link).state
    const failed = stepPartyB(redeeming, { type: 'redeem-failed', error: error(ErrorCode.Network, true) }, ctx, link).state
    expect(failed).toMatchObject({ status: 'redeem-failed', pending, error: { code: 'ERR_NETWORK' } })
    const retry = stepPartyB(failed, { type: 'retry' }, ctx, link)
    expect(retry.state).toMatchObject({ status: 'redeeming', attempt: 2 })
    expect(retry.commands).toEqual([{ type: 'redeem-code', code: 'code-1' }])
  })

  it('a final failure drops the code: it can never be retried', () => {
    const redeeming = stepPartyB(undefined, { type: 'code-received', pending }, ctx, link).state
    const failed = stepPartyB(redeeming, { type: 'redeem-failed', error: error(ErrorCode.RedemptionFailed, false) }, ctx, link).state
    expect(failed).not.toHaveProperty('pending')
    expect(() => stepPartyB(failed, { type: 'retry' }, ctx, link)).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidState }))
  })
})

describe('party B machine: update flow (SPEC R5)', () => {
  it('SPEC R5.1: a new code while linked is redeemed, keeping the old tokens meanwhile', () => {
    const t = stepPartyB(linkedState(), { type: 'code-received', pending: { code: 'code-2', receivedAt: now } }, ctx, link)
    expect(t.state).toMatchObject({ status: 'redeeming', tokens })
    expect(t.commands).toEqual([{ type: 'redeem-code', code: 'code-2' }])
    const next = { ...tokens, accessToken: 'at-2', scope: 'assistant.read' }
    expect(stepPartyB(t.state, { type: 'redeemed', tokens: next }, ctx, link).state).toMatchObject({ status: 'linked', tokens: next })
  })

  it('SPEC R5.3: a refused (stale) update code leaves B linked with its current tokens', () => {
    const redeeming = stepPartyB(linkedState(), { type: 'code-received', pending: { code: 'old', receivedAt: now } }, ctx, link).state
    const t = stepPartyB(redeeming, { type: 'redeem-failed', error: error(ErrorCode.RedemptionFailed, false) }, ctx, link)
    expect(t.state).toMatchObject({ status: 'linked', tokens, lastError: { code: 'ERR_REDEMPTION_FAILED' } })
  })

  it('SPEC R4.3: an update code that fails for now keeps both the old tokens and the code, for a retry', () => {
    const redeeming = stepPartyB(linkedState(), { type: 'code-received', pending: { code: 'code-2', receivedAt: now } }, ctx, link).state
    const failed = stepPartyB(redeeming, { type: 'redeem-failed', error: error(ErrorCode.PeerUnavailable, true) }, ctx, link).state
    expect(failed).toMatchObject({ status: 'redeem-failed', tokens, pending: { code: 'code-2' } })
    const retry = stepPartyB(failed, { type: 'retry' }, ctx, link)
    expect(retry.state).toMatchObject({ status: 'redeeming', tokens, attempt: 2 })
  })

  it('SPEC R8.2: tokens refreshed in the middle of an update are kept (a rotated refresh token is never lost)', () => {
    const redeeming = stepPartyB(linkedState(), { type: 'code-received', pending: { code: 'code-2', receivedAt: now } }, ctx, link).state
    const next = { ...tokens, accessToken: 'at-r', refreshToken: 'rt-r' }
    const refreshed = stepPartyB(redeeming, { type: 'tokens-refreshed', tokens: next }, ctx, link).state
    expect(refreshed).toMatchObject({ status: 'redeeming', tokens: next, pending: { code: 'code-2' } })
    const failed = stepPartyB(refreshed, { type: 'redeem-failed', error: error(ErrorCode.RedemptionFailed, false) }, ctx, link).state
    expect(failed).toMatchObject({ status: 'linked', tokens: next })
  })

  it('SPEC R8.2: a dead refresh token while an update code waits drops only the old tokens, keeping the code', () => {
    const redeeming = stepPartyB(linkedState(), { type: 'code-received', pending: { code: 'code-2', receivedAt: now } }, ctx, link).state
    const t = stepPartyB(redeeming, { type: 'refresh-failed', error: error(ErrorCode.NeedsReconsent, false) }, ctx, link)
    expect(t.state).toMatchObject({ status: 'redeeming', pending: { code: 'code-2' } })
    expect(t.state).not.toHaveProperty('tokens')
    expect(stepPartyB(t.state, { type: 'redeemed', tokens }, ctx, link).state).toMatchObject({ status: 'linked', tokens })
  })

  it('SPEC R4.3: a redemption a crash left in redeeming can be retried', () => {
    const redeeming = stepPartyB(undefined, { type: 'code-received', pending }, ctx, link).state
    const t = stepPartyB(redeeming, { type: 'retry' }, ctx, link)
    expect(t.state).toMatchObject({ status: 'redeeming', attempt: 2 })
    expect(t.commands).toEqual([{ type: 'redeem-code', code: 'code-1' }])
  })

})

describe('party B machine: unlinking finishes, and says when it has not (SPEC R5.2)', () => {
  const peerDown = new ReciprocalError('down', { code: ErrorCode.PeerUnavailable, step: 'revoke', hint: 'h', retryable: true }).toJSON()

  it('SPEC R5.2: unlink revokes B\'s own grant first (no network), then the tokens A issued, and records both as pending', () => {
    const t = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link)
    expect(t.commands).toEqual([{ type: 'revoke-local-grant' }, { type: 'revoke-peer-tokens', tokens }])
    expect(t.state).toEqual({ ...link, updatedAt: now, status: 'unlinked', revoking: { localGrant: true, peerTokens: tokens, attempt: 1 } })
  })

  it('SPEC R5.2: the state holds no tokens once both revocations are confirmed', () => {
    const unlinking = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link).state
    const local = stepPartyB(unlinking, { type: 'revoked', target: 'local-grant' }, ctx, link).state
    expect(local).toMatchObject({ status: 'unlinked', revoking: { localGrant: false, peerTokens: tokens } })
    const done = stepPartyB(local, { type: 'revoked', target: 'peer-tokens' }, ctx, link)
    expect(done).toEqual({ state: { ...link, updatedAt: now, status: 'unlinked' }, commands: [] })
  })

  it('SPEC R5.2, R8.1: a failed peer revocation is kept in the state with its typed error, not dropped', () => {
    const unlinking = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link).state
    const local = stepPartyB(unlinking, { type: 'revoked', target: 'local-grant' }, ctx, link).state
    const failed = stepPartyB(local, { type: 'revoke-failed', target: 'peer-tokens', error: peerDown }, ctx, link).state
    expect(failed).toMatchObject({ status: 'unlinked', revoking: { localGrant: false, peerTokens: tokens, attempt: 1, error: { code: 'ERR_PEER_UNAVAILABLE' } } })
  })

  it.each(['retry', 'unlink'] as const)('SPEC R5.2: %s after a failed peer revocation tries only what remains', (type) => {
    const unlinking = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link).state
    const local = stepPartyB(unlinking, { type: 'revoked', target: 'local-grant' }, ctx, link).state
    const failed = stepPartyB(local, { type: 'revoke-failed', target: 'peer-tokens', error: peerDown }, ctx, link).state
    const again = stepPartyB(failed, { type }, ctx, link)
    const expected = type === 'retry' ? [] : [{ type: 'revoke-local-grant' }]
    expect(again.commands).toEqual([...expected, { type: 'revoke-peer-tokens', tokens }])
    expect(again.state).toMatchObject({ status: 'unlinked', revoking: { peerTokens: tokens, attempt: 2, error: { code: 'ERR_PEER_UNAVAILABLE' } } })
    let state = again.state
    for (const command of again.commands) {
      const target = command.type === 'revoke-local-grant' ? 'local-grant' : 'peer-tokens'
      state = stepPartyB(state, { type: 'revoked', target }, ctx, link).state
    }
    expect(state).toEqual({ ...link, updatedAt: now, status: 'unlinked' })
  })

  it('SPEC R5.2: an unlink interrupted before the local revocation (a crash) revokes it on retry', () => {
    const unlinking = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link).state
    expect(stepPartyB(unlinking, { type: 'retry' }, ctx, link).commands).toEqual([{ type: 'revoke-local-grant' }, { type: 'revoke-peer-tokens', tokens }])
  })

  it('SPEC R5.2: a failed local revocation stays pending, and the peer revocation still proceeds', () => {
    const unlinking = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link).state
    const failed = stepPartyB(unlinking, { type: 'revoke-failed', target: 'local-grant', error: peerDown }, ctx, link).state
    const peerDone = stepPartyB(failed, { type: 'revoked', target: 'peer-tokens' }, ctx, link).state
    expect(peerDone).toMatchObject({ status: 'unlinked', revoking: { localGrant: true, error: { code: 'ERR_PEER_UNAVAILABLE' } } })
    expect(peerDone).not.toHaveProperty('revoking.peerTokens')
    expect(stepPartyB(peerDone, { type: 'retry' }, ctx, link).commands).toEqual([{ type: 'revoke-local-grant' }])
  })

  it('SPEC R5.2: unlinking a link B never held tokens for still revokes what B granted A', () => {
    const t = stepPartyB(undefined, { type: 'unlink' }, ctx, link)
    expect(t).toEqual({ state: { ...link, updatedAt: now, status: 'unlinked', revoking: { localGrant: true, attempt: 1 } }, commands: [{ type: 'revoke-local-grant' }] })
    expect(stepPartyB(t.state, { type: 'revoked', target: 'local-grant' }, ctx, link).state).toEqual({ ...link, updatedAt: now, status: 'unlinked' })
  })

  it('SPEC R5.2: unlinking a pending update revokes the tokens still held and drops the code', () => {
    const redeeming = stepPartyB(linkedState(), { type: 'code-received', pending: { code: 'code-2', receivedAt: now } }, ctx, link).state
    const t = stepPartyB(redeeming, { type: 'unlink' }, ctx, link)
    expect(t.state).not.toHaveProperty('pending')
    expect(t.commands).toContainEqual({ type: 'revoke-peer-tokens', tokens })
  })

  it('a new code over an unfinished unlink is refused until the unlink is done', () => {
    const unlinking = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link).state
    expect(() => stepPartyB(unlinking, { type: 'code-received', pending }, ctx, link)).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidState }))
    const done = stepPartyB(stepPartyB(unlinking, { type: 'revoked', target: 'local-grant' }, ctx, link).state, { type: 'revoked', target: 'peer-tokens' }, ctx, link).state
    expect(stepPartyB(done, { type: 'code-received', pending }, ctx, link).state).toMatchObject({ status: 'redeeming' })
  })

  it.each([
    ['revoked with nothing to revoke', { type: 'revoked', target: 'peer-tokens' }],
    ['retry of a finished unlink', { type: 'retry' }],
  ] as const)('%s → ERR_INVALID_STATE', (_name, event) => {
    const done: PartyBState = { ...link, updatedAt: now, status: 'unlinked' }
    expect(() => stepPartyB(done, event, ctx, link)).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidState }))
  })
})

describe('party B machine: lasting links (SPEC R8.2)', () => {
  it('refresh replaces tokens; a dead refresh token needs re-consent; a transient one changes nothing', () => {
    const next = { accessToken: 'at-3' }
    expect(stepPartyB(linkedState(), { type: 'tokens-refreshed', tokens: next }, ctx, link).state).toMatchObject({ tokens: next })
    expect(stepPartyB(linkedState(), { type: 'refresh-failed', error: error(ErrorCode.NeedsReconsent, false) }, ctx, link).state.status).toBe(
      'needs-reconsent',
    )
    const state = linkedState()
    expect(stepPartyB(state, { type: 'refresh-failed', error: error(ErrorCode.Network, true) }, ctx, link).state).toBe(state)
  })
})

describe('party B machine: events that do not fit', () => {
  it.each([
    ['redeemed with nothing pending', undefined, { type: 'redeemed', tokens }],
    ['refresh before linking', undefined, { type: 'tokens-refreshed', tokens }],
    ['retry while linked', 'linked', { type: 'retry' }],
  ] as const)('%s → ERR_INVALID_STATE', (_name, which, event) => {
    const state = which === 'linked' ? linkedState() : undefined
    expect(() => stepPartyB(state, event, ctx, link)).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidState }))
  })

  it('SPEC R5.3: a newer code while one is being redeemed replaces it (the newer grant wins)', () => {
    const redeeming = stepPartyB(linkedState(), { type: 'code-received', pending }, ctx, link).state
    const newer = { code: 'code-2', receivedAt: now + 1 }
    const t = stepPartyB(redeeming, { type: 'code-received', pending: newer }, ctx, link)
    expect(t.state).toMatchObject({ status: 'redeeming', pending: newer, tokens })
    expect(t.commands).toEqual([{ type: 'redeem-code', code: 'code-2' }])
  })
})
