// SPEC R4.2, R5.3, RFC 6749 §4.1.2, §4.1.3, §10.5: a code's life as pure decisions — plain
// values in, decisions out, no storage. The server tests (replay-race, refusal-keeps-credential)
// pin the same rules through storage and concurrency.
import { type CodeRecord, codeReplay, grantOfCode, judgeCodePresentation, judgeCodeScope, judgeCreatedGrant, mintedCode, REPLAY_MARKER_TTL_SECONDS } from 'reciprocal-oauth/machines'
import { describe, expect, it } from 'vitest'

const now = 1_000
const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
const { code, marker } = mintedCode({ clientId: 'music', subject: 'u1', scope: 'a b', supersede: false, linkVersion: 0, grantId: 'g1', expiresAt: now + 60 })
const withRedirect: CodeRecord = { ...code, redirectUri: 'https://music.example/cb' }
const withPkce: CodeRecord = { ...code, codeChallenge: challenge }

describe('SPEC R3.1, RFC 6749 §4.1.2: minting', () => {
  it('SPEC R3.1: the code is bound to one client, subject, scope and grant; its replay marker names that grant', () => {
    expect(code).toEqual({ clientId: 'music', subject: 'u1', scope: 'a b', expiresAt: now + 60, grantId: 'g1', linkVersion: 0, supersede: false })
    expect(marker).toEqual({ grantId: 'g1' })
  })

  it('RFC 6749 §4.1.2: the replay marker outlives the longest code lifetime by another one', () => {
    expect(REPLAY_MARKER_TTL_SECONDS).toBe(1200)
  })
})

describe('SPEC R4.2, RFC 6749 §4.1.3: which presentations are refused, and which consume the code', () => {
  it('SPEC R4.2: the rightful client, unexpired, no mistakes: go on to the link check the code needs', () => {
    expect(judgeCodePresentation(code, { clientId: 'music' }, now)).toEqual({ verdict: 'check-link', check: { kind: 'newer-cut', version: 0 }, code })
    const superseding = { ...code, supersede: true, linkVersion: 4 }
    expect(judgeCodePresentation(superseding, { clientId: 'music' }, now)).toMatchObject({ verdict: 'check-link', check: { kind: 'newer-version', version: 4 } })
  })

  it('RFC 6749 §4.1.2: an expired code is refused and not consumed; it needs no revocation', () => {
    const judged = judgeCodePresentation(code, { clientId: 'music' }, now + 60)
    expect(judged).toMatchObject({ verdict: 'refuse', consume: false, effects: [], refusal: { error: 'invalid_grant' } })
  })

  it('SPEC R4.3: an expired code presented by its own client says its grant is lost (the minter offers a new code); by another client it says nothing', () => {
    expect(judgeCodePresentation(code, { clientId: 'music' }, now + 60)).toMatchObject({ grantLost: true })
    expect(judgeCodePresentation(code, { clientId: 'thief' }, now + 60)).not.toHaveProperty('grantLost')
    expect(judgeCodePresentation(withRedirect, { clientId: 'music' }, now)).not.toHaveProperty('grantLost')
  })

  it('SPEC R4.3: a superseding code minted with a reference has a marker naming its link grant; without one, or a plain code, only the grant', () => {
    const mint = { clientId: 'music', subject: 'u1', scope: 'a', linkVersion: 3, grantId: 'g3', expiresAt: now + 60 }
    expect(mintedCode({ ...mint, supersede: true, reference: 'music.l1' }).marker).toEqual({ grantId: 'g3', link: { clientId: 'music', subject: 'u1', version: 3, reference: 'music.l1' } })
    expect(mintedCode({ ...mint, supersede: true }).marker).toEqual({ grantId: 'g3' })
    expect(mintedCode({ ...mint, supersede: false, reference: 'music.l1' }).marker).toEqual({ grantId: 'g3' })
  })

  it('RFC 9700 §4.5, adversarial: a code presented by another client is refused and consumed', () => {
    const judged = judgeCodePresentation(code, { clientId: 'thief' }, now)
    expect(judged).toMatchObject({ verdict: 'refuse', consume: true, refusal: { error: 'invalid_grant', description: 'The authorization code was issued to another client' } })
  })

  it('RFC 9700 §4.5: another client is refused even when the code is also expired or the request also wrong — expiry first, then the binding', () => {
    expect(judgeCodePresentation(code, { clientId: 'thief' }, now + 61)).toMatchObject({ consume: false })
    expect(judgeCodePresentation(withRedirect, { clientId: 'thief' }, now)).toMatchObject({ consume: true })
  })

  const mistakes: { name: string; code: CodeRecord; presentation: { redirectUri?: string; verifierS256?: string } }[] = [
    { name: 'a wrong redirect_uri', code: withRedirect, presentation: { redirectUri: 'https://music.example/other' } },
    { name: 'a missing redirect_uri', code: withRedirect, presentation: {} },
    { name: 'a redirect_uri the code was issued without', code, presentation: { redirectUri: 'https://music.example/cb' } },
    { name: 'a missing code_verifier', code: withPkce, presentation: {} },
    { name: 'a wrong code_verifier', code: withPkce, presentation: { verifierS256: 'x'.repeat(43) } },
    { name: 'a code_verifier for a code minted without a challenge (RFC 9700 §2.1.1 downgrade)', code, presentation: { verifierS256: challenge } },
  ]
  for (const mistake of mistakes) {
    it(`RFC 6749 §4.1.3: ${mistake.name} is the rightful client's mistake — refused, the code stays usable`, () => {
      const judged = judgeCodePresentation(mistake.code, { clientId: 'music', ...mistake.presentation }, now)
      expect(judged).toMatchObject({ verdict: 'refuse', consume: false, effects: [], refusal: { error: 'invalid_grant' } })
      // The description names the parameter, never its value (SPEC R7.4).
      if (judged.verdict === 'refuse') expect(judged.refusal.description).not.toContain('music.example')
    })
  }

  it('RFC 7636 §4.6: the right verifier and the right redirect_uri pass', () => {
    const both = { ...withRedirect, codeChallenge: challenge }
    const judged = judgeCodePresentation(both, { clientId: 'music', redirectUri: 'https://music.example/cb', verifierS256: challenge }, now)
    expect(judged.verdict).toBe('check-link')
  })
})

describe('SPEC R4.2, RFC 6749 §4.1.2, §10.5: replays revoke what the code was traded for', () => {
  it('RFC 6749 §4.1.2, adversarial: a code presented after its redemption (gone) is a replay', () => {
    expect(judgeCodePresentation(undefined, { clientId: 'music' }, now)).toEqual({ verdict: 'replay' })
  })

  it('RFC 6749 §4.1.2: a replay revokes the grant its marker names, and is refused with invalid_grant', () => {
    expect(codeReplay(marker)).toEqual({
      verdict: 'refuse',
      refusal: { error: 'invalid_grant', status: 400, description: 'The authorization code is invalid, expired or already used' },
      effects: [{ type: 'revoke-grant', grantId: 'g1' }],
    })
  })

  it('RFC 6749 §10.5: a code this server never minted (no marker) is refused with the same answer and revokes nothing', () => {
    const unknown = codeReplay(undefined)
    expect(unknown.effects).toEqual([])
    expect(unknown.refusal).toEqual(codeReplay(marker).refusal)
  })
})

describe('SPEC R5.3, R7.6: after the link check', () => {
  it('SPEC R5.3, adversarial: a superseded code is refused, not taken', () => {
    expect(judgeCodeScope(code, { superseded: true, clientScope: 'a b' })).toMatchObject({
      verdict: 'refuse',
      refusal: { description: 'The authorization code was superseded by a newer grant' },
      effects: [],
    })
  })

  it("SPEC R7.6: the grant's scope is the code's within the client's scope now; nothing left is refused", () => {
    expect(judgeCodeScope(code, { superseded: false, clientScope: 'b c' })).toEqual({ verdict: 'take', scope: 'b' })
    expect(judgeCodeScope(code, { superseded: false, clientScope: 'c' })).toMatchObject({ verdict: 'refuse', effects: [] })
  })

  it('SPEC R4.2: the grant a redeemed code creates keeps its subject and link version', () => {
    const superseding: CodeRecord = { ...code, supersede: true, linkVersion: 3 }
    expect(grantOfCode(superseding, { scope: 'a', createdAt: now, indexSlot: 7, refreshTokenHash: 'h' })).toEqual({
      clientId: 'music', subject: 'u1', scope: 'a', createdAt: now, linkVersion: 3, indexSlot: 7, refreshTokenHash: 'h',
    })
    expect(grantOfCode(code, { scope: 'a', createdAt: now, indexSlot: 0 })).not.toHaveProperty('refreshTokenHash')
  })

  it('SPEC R5.1, R5.3, adversarial: a cut that raced the redemption revokes the new grant, which is refused before any token exists', () => {
    expect(judgeCreatedGrant(code, { cutSince: true })).toMatchObject({ verdict: 'refuse', effects: [{ type: 'revoke-grant', grantId: 'g1' }] })
    expect(judgeCreatedGrant(code, { cutSince: false })).toEqual({ verdict: 'issue' })
  })
})
