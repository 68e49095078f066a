import { ErrorCode, type PartyBState, ReciprocalError } from 'reciprocal-oauth'
import { stepPartyB } from 'reciprocal-oauth/machines'
import { describe, expect, it } from 'vitest'

const now = 1_700_000_000
const ctx = { now }
const link = { peerClientId: 'assistant', userId: 'alice@music' }
const pending = { code: 'code-1', receivedAt: now }
const tokens = { accessToken: 'at-from-a', refreshToken: 'rt', expiresAt: now + 3600, scope: 'assistant.announce' }
const error = (code: (typeof ErrorCode)[keyof typeof ErrorCode], retryable: boolean) =>
  new ReciprocalError('failed', { code, step: 'redeem-code', hint: 'h', retryable }).toJSON()

function linkedState(): PartyBState {
  const redeeming = stepPartyB(undefined, { type: 'code-received', pending }, ctx, link)
  return stepPartyB(redeeming, { type: 'redeemed', tokens }, ctx, link)
}

describe('party B machine: redemption (SPEC R4)', () => {
  it('SPEC R4.1: a received code asks the driver to redeem it', () => {
    const t = stepPartyB(undefined, { type: 'code-received', pending }, ctx, link)
    expect(t).toMatchObject({ status: 'redeeming', pending, attempt: 1, ...link })
    expect(t.outbox).toEqual([{ type: 'redeem-code', code: 'code-1' }])
  })

  it('SPEC R4.2: a redeemed code links B with the tokens A issued', () => {
    expect(linkedState()).toMatchObject({ status: 'linked', tokens })
  })

  it('SPEC R4.3: a retryable failure keeps the code persisted for a retry', () => {
    const redeeming = stepPartyB(undefined, { type: 'code-received', pending }, ctx, link)
    const failed = stepPartyB(redeeming, { type: 'redeem-failed', error: error(ErrorCode.Network, true) }, ctx, link)
    expect(failed).toMatchObject({ status: 'redeem-failed', pending, error: { code: 'ERR_NETWORK' } })
    const retry = stepPartyB(failed, { type: 'resume' }, ctx, link)
    expect(retry).toMatchObject({ status: 'redeeming', attempt: 2 })
    expect(retry.outbox).toEqual([{ type: 'redeem-code', code: 'code-1' }])
  })

  it('a final failure drops the code: it can never be retried, and a resume leaves it as it is', () => {
    const redeeming = stepPartyB(undefined, { type: 'code-received', pending }, ctx, link)
    const failed = stepPartyB(redeeming, { type: 'redeem-failed', error: error(ErrorCode.RedemptionFailed, false) }, ctx, link)
    expect(failed).not.toHaveProperty('pending')
    expect(failed.outbox).toEqual([])
    expect(stepPartyB(failed, { type: 'resume' }, ctx, link)).toBe(failed)
  })
})

describe('party B machine: update flow (SPEC R5)', () => {
  it('SPEC R5.1: a new code while linked is redeemed, keeping the old tokens meanwhile', () => {
    const t = stepPartyB(linkedState(), { type: 'code-received', pending: { code: 'code-2', receivedAt: now } }, ctx, link)
    expect(t).toMatchObject({ status: 'redeeming', tokens })
    expect(t.outbox).toEqual([{ type: 'redeem-code', code: 'code-2' }])
    const next = { ...tokens, accessToken: 'at-2', scope: 'assistant.read' }
    expect(stepPartyB(t, { type: 'redeemed', tokens: next }, ctx, link)).toMatchObject({ status: 'linked', tokens: next })
  })

  it('SPEC R5.3: a refused (stale) update code leaves B linked with its current tokens', () => {
    const redeeming = stepPartyB(linkedState(), { type: 'code-received', pending: { code: 'old', receivedAt: now } }, ctx, link)
    const t = stepPartyB(redeeming, { type: 'redeem-failed', error: error(ErrorCode.RedemptionFailed, false) }, ctx, link)
    expect(t).toMatchObject({ status: 'linked', tokens, lastError: { code: 'ERR_REDEMPTION_FAILED' } })
  })

  it('SPEC R4.3: an update code that fails for now keeps both the old tokens and the code, for a retry', () => {
    const redeeming = stepPartyB(linkedState(), { type: 'code-received', pending: { code: 'code-2', receivedAt: now } }, ctx, link)
    const failed = stepPartyB(redeeming, { type: 'redeem-failed', error: error(ErrorCode.PeerUnavailable, true) }, ctx, link)
    expect(failed).toMatchObject({ status: 'redeem-failed', tokens, pending: { code: 'code-2' } })
    const retry = stepPartyB(failed, { type: 'resume' }, ctx, link)
    expect(retry).toMatchObject({ status: 'redeeming', tokens, attempt: 2 })
  })

  it('SPEC R8.2: tokens refreshed in the middle of an update are kept (a rotated refresh token is never lost)', () => {
    const redeeming = stepPartyB(linkedState(), { type: 'code-received', pending: { code: 'code-2', receivedAt: now } }, ctx, link)
    const next = { ...tokens, accessToken: 'at-r', refreshToken: 'rt-r' }
    const refreshed = stepPartyB(redeeming, { type: 'tokens-refreshed', tokens: next }, ctx, link)
    expect(refreshed).toMatchObject({ status: 'redeeming', tokens: next, pending: { code: 'code-2' } })
    const failed = stepPartyB(refreshed, { type: 'redeem-failed', error: error(ErrorCode.RedemptionFailed, false) }, ctx, link)
    expect(failed).toMatchObject({ status: 'linked', tokens: next })
  })

  it('SPEC R8.2: a dead refresh token while an update code waits drops only the old tokens, keeping the code', () => {
    const redeeming = stepPartyB(linkedState(), { type: 'code-received', pending: { code: 'code-2', receivedAt: now } }, ctx, link)
    const t = stepPartyB(redeeming, { type: 'refresh-failed', error: error(ErrorCode.NeedsReconsent, false) }, ctx, link)
    expect(t).toMatchObject({ status: 'redeeming', pending: { code: 'code-2' } })
    expect(t).not.toHaveProperty('tokens')
    expect(stepPartyB(t, { type: 'redeemed', tokens }, ctx, link)).toMatchObject({ status: 'linked', tokens })
  })

  it('SPEC R4.3, R4.2: a redemption a crash left in redeeming is tried again on resume (a replay, if the first reached A, A refuses)', () => {
    const redeeming = stepPartyB(undefined, { type: 'code-received', pending }, ctx, link)
    const t = stepPartyB(redeeming, { type: 'resume' }, ctx, link)
    expect(t).toMatchObject({ status: 'redeeming', attempt: 2 })
    expect(t.outbox).toEqual([{ type: 'redeem-code', code: 'code-1' }])
  })

})

describe('party B machine: unlinking finishes, and says when it has not (SPEC R5.2)', () => {
  const peerDown = new ReciprocalError('down', { code: ErrorCode.PeerUnavailable, step: 'revoke', hint: 'h', retryable: true }).toJSON()

  it("SPEC R5.2: unlink puts B's own grant first in the outbox (no network), then the tokens A issued", () => {
    const t = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link)
    expect(t).toEqual({ ...link, updatedAt: now, status: 'unlinked', outbox: [{ type: 'revoke-local-grant' }, { type: 'revoke-peer-tokens', tokens }] })
  })

  it('SPEC R5.2: the state holds no tokens once both revocations are confirmed', () => {
    const unlinking = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link)
    const local = stepPartyB(unlinking, { type: 'revoked', target: 'local-grant' }, ctx, link)
    expect(local).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-peer-tokens', tokens }] })
    const done = stepPartyB(local, { type: 'revoked', target: 'peer-tokens' }, ctx, link)
    expect(done).toEqual({ ...link, updatedAt: now, status: 'unlinked', outbox: [] })
  })

  it('SPEC R5.2, R8.1: a failed peer revocation is kept in the state with its typed error, not dropped', () => {
    const unlinking = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link)
    const local = stepPartyB(unlinking, { type: 'revoked', target: 'local-grant' }, ctx, link)
    const failed = stepPartyB(local, { type: 'revoke-failed', target: 'peer-tokens', error: peerDown }, ctx, link)
    expect(failed).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-peer-tokens', tokens }], error: { code: 'ERR_PEER_UNAVAILABLE' } })
  })

  it.each(['resume', 'unlink'] as const)('SPEC R5.2: %s after a failed peer revocation tries what remains (unlink revokes B\'s own grant again)', (type) => {
    const unlinking = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link)
    const local = stepPartyB(unlinking, { type: 'revoked', target: 'local-grant' }, ctx, link)
    const failed = stepPartyB(local, { type: 'revoke-failed', target: 'peer-tokens', error: peerDown }, ctx, link)
    const again = stepPartyB(failed, { type }, ctx, link)
    const expected = type === 'resume' ? [] : [{ type: 'revoke-local-grant' }]
    expect(again.outbox).toEqual([...expected, { type: 'revoke-peer-tokens', tokens }])
    expect(again).toMatchObject({ status: 'unlinked', error: { code: 'ERR_PEER_UNAVAILABLE' } })
    let state = again
    for (const command of again.outbox) {
      const target = command.type === 'revoke-local-grant' ? 'local-grant' : 'peer-tokens'
      state = stepPartyB(state, { type: 'revoked', target }, ctx, link)
    }
    expect(state).toEqual({ ...link, updatedAt: now, status: 'unlinked', outbox: [] })
  })

  it('SPEC R5.2: an unlink interrupted before the local revocation (a crash) revokes it on retry', () => {
    const unlinking = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link)
    expect(stepPartyB(unlinking, { type: 'resume' }, ctx, link).outbox).toEqual([{ type: 'revoke-local-grant' }, { type: 'revoke-peer-tokens', tokens }])
  })

  it('SPEC R5.2: a failed local revocation stays pending, and the peer revocation still proceeds', () => {
    const unlinking = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link)
    const failed = stepPartyB(unlinking, { type: 'revoke-failed', target: 'local-grant', error: peerDown }, ctx, link)
    const peerDone = stepPartyB(failed, { type: 'revoked', target: 'peer-tokens' }, ctx, link)
    expect(peerDone).toMatchObject({ status: 'unlinked', outbox: [{ type: 'revoke-local-grant' }], error: { code: 'ERR_PEER_UNAVAILABLE' } })
    expect(stepPartyB(peerDone, { type: 'resume' }, ctx, link).outbox).toEqual([{ type: 'revoke-local-grant' }])
  })

  it('SPEC R5.2: unlinking a link B never held tokens for still revokes what B granted A', () => {
    const t = stepPartyB(undefined, { type: 'unlink' }, ctx, link)
    expect(t).toEqual({ ...link, updatedAt: now, status: 'unlinked', outbox: [{ type: 'revoke-local-grant' }] })
    expect(stepPartyB(t, { type: 'revoked', target: 'local-grant' }, ctx, link)).toEqual({ ...link, updatedAt: now, status: 'unlinked', outbox: [] })
  })

  it('SPEC R5.2: unlinking a pending update revokes the tokens still held and drops the code', () => {
    const redeeming = stepPartyB(linkedState(), { type: 'code-received', pending: { code: 'code-2', receivedAt: now } }, ctx, link)
    const t = stepPartyB(redeeming, { type: 'unlink' }, ctx, link)
    expect(t).not.toHaveProperty('pending')
    expect(t.outbox).toContainEqual({ type: 'revoke-peer-tokens', tokens })
  })

  it('a new code over an unfinished unlink is refused until the unlink is done', () => {
    const unlinking = stepPartyB(linkedState(), { type: 'unlink' }, ctx, link)
    expect(() => stepPartyB(unlinking, { type: 'code-received', pending }, ctx, link)).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidState }))
    const done = stepPartyB(stepPartyB(unlinking, { type: 'revoked', target: 'local-grant' }, ctx, link), { type: 'revoked', target: 'peer-tokens' }, ctx, link)
    expect(stepPartyB(done, { type: 'code-received', pending }, ctx, link)).toMatchObject({ status: 'redeeming' })
  })

  it('revoked with nothing to revoke → ERR_INVALID_STATE; a resume of a finished unlink changes nothing', () => {
    const done: PartyBState = { ...link, updatedAt: now, status: 'unlinked', outbox: [] }
    expect(() => stepPartyB(done, { type: 'revoked', target: 'peer-tokens' }, ctx, link)).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidState }))
    expect(stepPartyB(done, { type: 'resume' }, ctx, link)).toBe(done)
  })
})

describe('party B machine: lasting links (SPEC R8.2)', () => {
  it('refresh replaces tokens; a dead refresh token needs re-consent; a transient one changes nothing', () => {
    const next = { accessToken: 'at-3' }
    expect(stepPartyB(linkedState(), { type: 'tokens-refreshed', tokens: next }, ctx, link)).toMatchObject({ tokens: next })
    expect(stepPartyB(linkedState(), { type: 'refresh-failed', error: error(ErrorCode.NeedsReconsent, false) }, ctx, link).status).toBe(
      'needs-reconsent',
    )
    const state = linkedState()
    expect(stepPartyB(state, { type: 'refresh-failed', error: error(ErrorCode.Network, true) }, ctx, link)).toBe(state)
  })

  it('SPEC R8.2: a live token is wanted: the refresh goes in the outbox only when the tokens are about to expire', () => {
    const state = linkedState()
    expect(stepPartyB(state, { type: 'refresh' }, ctx, link)).toBe(state)
    const due = stepPartyB(state, { type: 'refresh' }, { now: now + 3600 - 30 }, link)
    expect(due.outbox).toEqual([{ type: 'refresh-peer-tokens' }])
    const next = { ...tokens, accessToken: 'at-4' }
    expect(stepPartyB(due, { type: 'tokens-refreshed', tokens: next }, ctx, link)).toMatchObject({ status: 'linked', tokens: next, outbox: [] })
  })
})

describe('party B machine: events that do not fit', () => {
  it.each([
    ['redeemed with nothing pending', undefined, { type: 'redeemed', tokens }],
    ['refresh before linking', undefined, { type: 'tokens-refreshed', tokens }],
    ['resume of no link', undefined, { type: 'resume' }],
  ] as const)('%s → ERR_INVALID_STATE', (_name, which, event) => {
    const state = which === 'linked' ? linkedState() : undefined
    expect(() => stepPartyB(state, event, ctx, link)).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidState }))
  })

  it('SPEC R5.3: a newer code while one is being redeemed replaces it (the newer grant wins)', () => {
    const redeeming = stepPartyB(linkedState(), { type: 'code-received', pending }, ctx, link)
    const newer = { code: 'code-2', receivedAt: now + 1 }
    const t = stepPartyB(redeeming, { type: 'code-received', pending: newer }, ctx, link)
    expect(t).toMatchObject({ status: 'redeeming', pending: newer, tokens })
    expect(t.outbox).toEqual([{ type: 'redeem-code', code: 'code-2' }])
  })
})
