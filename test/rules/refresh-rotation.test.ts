// RFC 6749 §6, RFC 9700 §4.14 (refresh rotation), SPEC R4.2, R7.6: a refresh token's rotation as
// pure decisions, and the grant-write rules every rotation and redemption obeys — plain values
// in, decisions out, no storage.
import { concurrentRetry, GRANT_WRITE_DEADLINE_SECONDS, type GrantRecord, grantWriteStands, graceTtlSeconds, judgeRefreshGrant, judgeRefreshRetry, judgeRefreshToken, lostRotation, mayWriteGrant, type RefreshGrace, refreshGrace, refreshReplay, retriedGrace, retryClaimTtlSeconds, reuseMarker, rotatedGrant, type TokenRecord } from 'reciprocal-oauth/machines'
import { describe, expect, it } from 'vitest'
import { nextInRefreshChain } from '../../src/rules/grant-writes.js'

const now = 1_000
const token: TokenRecord = { grantId: 'g1', clientId: 'music', subject: 'u1', scope: 'a b', expiresAt: now + 100 }
const grant: GrantRecord = { clientId: 'music', subject: 'u1', scope: 'a b', createdAt: 0, linkVersion: 1, indexSlot: 3, refreshTokenHash: 'h0' }

describe('RFC 9700 §4.14: checks first, then the take', () => {
  it('RFC 6749 §6: a live token of the presenting client goes on to its grant', () => {
    expect(judgeRefreshToken(token, 'music', now)).toEqual({ verdict: 'check-grant', token })
  })

  it('RFC 6749 §6: an expired token is refused and revokes nothing', () => {
    expect(judgeRefreshToken(token, 'music', now + 100)).toMatchObject({ verdict: 'refuse', effects: [], refusal: { error: 'invalid_grant' } })
  })

  it('RFC 6749 §6, adversarial: a token presented by another client has leaked: refused, and its grant revoked', () => {
    expect(judgeRefreshToken(token, 'thief', now)).toMatchObject({ verdict: 'refuse', effects: [{ type: 'revoke-grant', grantId: 'g1' }] })
  })

  it('RFC 9700 §4.14, adversarial: a token that is gone is a replay when its reuse marker is there — revoke the grant', () => {
    expect(judgeRefreshToken(undefined, 'music', now)).toEqual({ verdict: 'replay' })
    expect(refreshReplay({ grantId: 'g1' })).toMatchObject({ verdict: 'refuse', effects: [{ type: 'revoke-grant', grantId: 'g1' }], refusal: { error: 'invalid_grant' } })
    expect(refreshReplay(undefined)).toMatchObject({ verdict: 'refuse', effects: [] })
  })

  it('RFC 9700 §4.14, adversarial: a lost take (a concurrent rotation won) is a second use and revokes the grant', () => {
    expect(lostRotation('g1')).toMatchObject({ effects: [{ type: 'revoke-grant', grantId: 'g1' }], refusal: { error: 'invalid_grant' } })
  })
})

describe('RFC 6749 §6, SPEC R7.6: what a rotation may grant', () => {
  it('RFC 6749 §6: no scope asked: the whole grant; a narrower one: the access token gets it, the grant keeps its own', () => {
    expect(judgeRefreshGrant(grant, { clientId: 'music', clientScope: 'a b c' })).toEqual({ verdict: 'rotate', grant, grantScope: 'a b', accessScope: 'a b' })
    expect(judgeRefreshGrant(grant, { clientId: 'music', clientScope: 'a b', requestedScope: 'b' })).toEqual({ verdict: 'rotate', grant, grantScope: 'a b', accessScope: 'b' })
  })

  it('RFC 6749 §6: a wider scope is invalid_scope and revokes nothing (the token stays usable for the corrected retry)', () => {
    const judged = judgeRefreshGrant(grant, { clientId: 'music', clientScope: 'a b', requestedScope: 'a b c' })
    expect(judged).toMatchObject({ verdict: 'refuse', effects: [], refusal: { error: 'invalid_scope' } })
  })

  it("SPEC R7.6: the client's registration shrank: the grant shrinks with it; nothing left is refused", () => {
    expect(judgeRefreshGrant(grant, { clientId: 'music', clientScope: 'a' })).toMatchObject({ grantScope: 'a', accessScope: 'a' })
    expect(judgeRefreshGrant(grant, { clientId: 'music', clientScope: 'c' })).toMatchObject({ verdict: 'refuse', effects: [] })
  })

  it('SPEC R4.2: a revoked grant (gone) or one of another client refuses the refresh', () => {
    expect(judgeRefreshGrant(undefined, { clientId: 'music', clientScope: 'a b' })).toMatchObject({ verdict: 'refuse', effects: [] })
    expect(judgeRefreshGrant(grant, { clientId: 'thief', clientScope: 'a b' })).toMatchObject({ verdict: 'refuse', effects: [] })
  })

  it('RFC 9700 §4.14: the rotated grant names the new refresh token and its new index slot; the marker chains to the old token', () => {
    expect(rotatedGrant(grant, { indexSlot: 9, refreshTokenHash: 'h1' })).toEqual({ ...grant, indexSlot: 9, refreshTokenHash: 'h1' })
    expect(rotatedGrant(grant, { indexSlot: 9 })).toEqual({ ...grant, indexSlot: 9 })
    expect(reuseMarker('g1', 'h0')).toEqual({ grantId: 'g1', replaces: 'h0' })
    expect(reuseMarker('g1')).toEqual({ grantId: 'g1' })
  })
})

describe('SPEC R4.2, R5.1: a revoked grant never comes back', () => {
  it('SPEC R4.2: a write within the deadline and without a tombstone stands', () => {
    expect(mayWriteGrant(now, now)).toBe(true)
    expect(grantWriteStands({ revoked: false, takenAt: now, now: now + 1 })).toBe(true)
  })

  it('RFC 6749 §4.1.2, adversarial: a tombstone found after the write (a replay revoked the grant meanwhile) undoes it', () => {
    expect(grantWriteStands({ revoked: true, takenAt: now, now })).toBe(false)
  })

  it('SPEC R5.1, adversarial: a request stalled past the deadline writes nothing, even with no tombstone left', () => {
    expect(mayWriteGrant(now, now + GRANT_WRITE_DEADLINE_SECONDS - 1)).toBe(true)
    expect(mayWriteGrant(now, now + GRANT_WRITE_DEADLINE_SECONDS)).toBe(false)
    expect(grantWriteStands({ revoked: false, takenAt: now, now: now + GRANT_WRITE_DEADLINE_SECONDS })).toBe(false)
    // Half the tombstone's hour: a tombstone outlives every writer it must stop.
    expect(GRANT_WRITE_DEADLINE_SECONDS).toBe(1800)
  })

  it("RFC 9700 §4.14: revoking a grant walks its refresh tokens' chain, and stops at a marker of another grant", () => {
    expect(nextInRefreshChain({ grantId: 'g1', replaces: 'h0' }, 'g1')).toBe('h0')
    expect(nextInRefreshChain({ grantId: 'g1' }, 'g1')).toBeUndefined()
    expect(nextInRefreshChain({ grantId: 'g2', replaces: 'h0' }, 'g1')).toBeUndefined()
    expect(nextInRefreshChain(undefined, 'g1')).toBeUndefined()
  })
})

describe('RFC 6749 §6, RFC 9700 §4.14.2: the grace of a rotated refresh token, as pure decisions', () => {
  const grace: RefreshGrace = { grantId: 'g1', clientId: 'music', successor: 'h1', successorAccessToken: 'a1', until: now + 60 }

  it('RFC 6749 §6: a rotation leaves a grace of the configured length naming its successor; 0 leaves none', () => {
    expect(refreshGrace({ grantId: 'g1', clientId: 'music', successor: 'h1', successorAccessToken: 'a1', rotatedAt: now, graceSeconds: 60 })).toEqual(grace)
    expect(refreshGrace({ grantId: 'g1', clientId: 'music', successor: 'h1', rotatedAt: now, graceSeconds: 0 })).toBeUndefined()
  })

  it('RFC 6749 §6: its own client, within the grace, may retry', () => {
    expect(judgeRefreshRetry(grace, { grantId: 'g1' }, 'music', now + 59)).toEqual({ verdict: 'retry', grace })
  })

  it('RFC 9700 §4.14.2, adversarial: no grace, the grace over, another grant or another client: a replay that revokes the grant', () => {
    const revokesG1 = { verdict: 'refuse', effects: [{ type: 'revoke-grant', grantId: 'g1' }], refusal: { error: 'invalid_grant' } }
    expect(judgeRefreshRetry(undefined, { grantId: 'g1' }, 'music', now)).toMatchObject(revokesG1)
    expect(judgeRefreshRetry(grace, { grantId: 'g1' }, 'music', now + 60)).toMatchObject(revokesG1)
    expect(judgeRefreshRetry({ ...grace, grantId: 'g2' }, { grantId: 'g1' }, 'music', now)).toMatchObject(revokesG1)
    expect(judgeRefreshRetry(grace, { grantId: 'g1' }, 'thief', now)).toMatchObject(revokesG1)
  })

  it('RFC 9700 §4.14.2: a retry that lost the claim to a concurrent retry revokes nothing', () => {
    expect(concurrentRetry()).toMatchObject({ verdict: 'refuse', effects: [], refusal: { error: 'invalid_grant' } })
  })

  it('RFC 6749 §6: a won retry names its own tokens as the successor and keeps the end of the grace', () => {
    expect(retriedGrace(grace, { successor: 'h2' })).toEqual({ grantId: 'g1', clientId: 'music', successor: 'h2', until: now + 60 })
    expect(retriedGrace(grace, { successor: 'h2', successorAccessToken: 'a2' })).toEqual({ ...grace, successor: 'h2', successorAccessToken: 'a2' })
  })

  it('every grace record expires with the grace; a claim an hour after it', () => {
    expect(graceTtlSeconds(grace, now)).toBe(60)
    expect(graceTtlSeconds(grace, now + 59.5)).toBe(1)
    expect(graceTtlSeconds(grace, now + 100)).toBe(1)
    expect(retryClaimTtlSeconds(grace, now)).toBe(60 + 3600)
  })
})
