/**
 * A code's life at the token endpoint (SPEC R4.2, R5.3, RFC 6749 §4.1.2, §4.1.3, §10.5):
 *
 * ```
 * minted ─redeemed (first take wins)→ redeemed ─presented again→ replayed → its grant revoked
 *   │  └─refused for the rightful client's mistake→ minted (still usable)
 *   ├─presented by another client→ consumed (leaked: no one gets tokens for it)
 *   ├─past expiresAt→ expired (refused; a replay marker still names its grant)
 *   └─a newer version of its link→ superseded (refused, SPEC R5.3)
 * ```
 *
 * The server asks in order: {@link judgeCodePresentation} (with the stored code), then the link
 * check it names (`link-versions.ts`), then {@link judgeCodeScope}; only a redemption that will
 * be honoured takes the code, atomically. A lost take, like a code that is gone, is
 * {@link codeReplay}. After the grant is written, {@link judgeCreatedGrant} says whether a cut
 * that raced the redemption undoes it.
 *
 * @module
 */
import { timingSafeEqual } from '../lib/constant-time.js'
import { formatScope, intersectScopes, parseScope } from '../protocol/scope.js'
import { linkCheckFor, type LinkCheck } from './link-versions.js'
import { refuseGrant, type Refused } from './outcome.js'
import type { CodeRecord, GrantRecord, UsedMarker } from './records.js'

/**
 * What the client presents with a code: who it authenticated as, and the request's
 * `redirect_uri` and PKCE verifier — the verifier already hashed as S256
 * (`BASE64URL(SHA256(verifier))`, RFC 7636 §4.6), so that the rule stays synchronous.
 *
 * @example
 * ```ts
 * const presentation: CodePresentation = { clientId: 'music', redirectUri: 'https://music.example/cb' }
 * ```
 * @group Rules
 */
export interface CodePresentation {
  readonly clientId: string
  readonly redirectUri?: string
  readonly verifierS256?: string
}

/**
 * The answer to a code presentation: a replay (the code is gone), a refusal — `consume: true`
 * when the code must be taken so nobody can use it, `grantLost: true` when its own client
 * presents it expired — or go on with the link check named, for the code judged.
 *
 * @example
 * ```ts
 * const judged: CodeJudgement = { verdict: 'replay' }
 * ```
 * @see SPEC R4.2, R7.2
 * @group Rules
 */
export type CodeJudgement =
  | { readonly verdict: 'replay' }
  | (Refused & { readonly consume: boolean; readonly grantLost?: true })
  | { readonly verdict: 'check-link'; readonly check: LinkCheck; readonly code: CodeRecord }

/**
 * Judges a code presentation before anything is taken. A missing code is a replay (redeemed
 * already, or expired and gone, or never minted). An expired code, or a mistake in the rightful
 * client's own request (`redirect_uri`, PKCE), is refused and leaves the code usable, so the
 * corrected request works. A code presented by another client has leaked: refused, and
 * consumed (RFC 9700 §4.5 lets a server invalidate it; tokens for it must go to no one).
 *
 * @example
 * ```ts
 * const code = { clientId: 'music', subject: 'u1', scope: 'a', expiresAt: 1060, grantId: 'g1', linkVersion: 0, supersede: false }
 * judgeCodePresentation(code, { clientId: 'thief' }, 1000) // { verdict: 'refuse', consume: true, … }
 * judgeCodePresentation(code, { clientId: 'music' }, 1000) // { verdict: 'check-link', check: { kind: 'newer-cut', version: 0 }, code }
 * ```
 * @see RFC 6749 §4.1.3, RFC 7636 §4.6, RFC 9700 §2.1.1, §4.5
 * @group Rules
 */
export function judgeCodePresentation(code: CodeRecord | undefined, presentation: CodePresentation, now: number): CodeJudgement {
  if (code === undefined) return { verdict: 'replay' }
  if (code.expiresAt <= now) {
    // Its own client presenting it expired never got its grant, and never will (SPEC R4.3).
    return { ...refuseGrant('The authorization code has expired'), consume: false, ...(code.clientId === presentation.clientId ? { grantLost: true } : {}) }
  }
  if (code.clientId !== presentation.clientId) return { ...refuseGrant('The authorization code was issued to another client'), consume: true }
  const mistake = requestMistake(code, presentation)
  if (mistake !== undefined) return { ...refuseGrant(mistake), consume: false }
  return { verdict: 'check-link', check: linkCheckFor(code), code }
}

/**
 * RFC 6749 §4.1.2: a code used twice is a stolen code; revoke the grant its replay marker
 * names (the marker is written at minting, so it is there before any take). Also the answer
 * to a code that merely expired and is gone: revoking a grant never created is harmless.
 *
 * @example
 * ```ts
 * codeReplay({ grantId: 'g1' }).effects // [{ type: 'revoke-grant', grantId: 'g1' }]
 * codeReplay(undefined).effects // []: a code this server never minted
 * ```
 * @group Rules
 */
export function codeReplay(marker: UsedMarker | undefined): Refused {
  const description = 'The authorization code is invalid, expired or already used'
  return marker === undefined ? refuseGrant(description) : refuseGrant(description, marker.grantId)
}

/**
 * After the link check: refuse a superseded code (SPEC R5.3), else the scope the grant gets —
 * the code's, within what the client may hold now, even if its registration shrank since (SPEC
 * R7.6). `take` means: take the code now; the first take wins.
 *
 * @example
 * ```ts
 * const code = { clientId: 'music', subject: 'u1', scope: 'a b', expiresAt: 1060, grantId: 'g1', linkVersion: 0, supersede: false }
 * judgeCodeScope(code, { superseded: false, clientScope: 'a' }) // { verdict: 'take', scope: 'a' }
 * ```
 * @group Rules
 */
export function judgeCodeScope(
  code: CodeRecord,
  facts: { readonly superseded: boolean; readonly clientScope: string },
): Refused | { readonly verdict: 'take'; readonly scope: string } {
  if (facts.superseded) return refuseGrant(SUPERSEDED)
  const scope = formatScope(intersectScopes(parseScope(code.scope) ?? [], parseScope(facts.clientScope) ?? []))
  if (scope === '') return refuseGrant('The client may no longer be granted this scope')
  return { verdict: 'take', scope }
}

/**
 * The grant a redeemed code creates: bound to the code's subject and link version, with the
 * scope {@link judgeCodeScope} allowed, its slot in the link's grant index, and its first
 * refresh token's hash.
 *
 * @example
 * ```ts
 * const code = { clientId: 'music', subject: 'u1', scope: 'a', expiresAt: 1060, grantId: 'g1', linkVersion: 2, supersede: true }
 * grantOfCode(code, { scope: 'a', createdAt: 1001, indexSlot: 0 }) // { clientId: 'music', subject: 'u1', scope: 'a', createdAt: 1001, linkVersion: 2, indexSlot: 0 }
 * ```
 * @see SPEC R4.2, R7.2
 * @group Rules
 */
export function grantOfCode(
  code: CodeRecord,
  facts: { readonly scope: string; readonly createdAt: number; readonly indexSlot: number; readonly refreshTokenHash?: string },
): GrantRecord {
  return {
    clientId: code.clientId,
    subject: code.subject,
    scope: facts.scope,
    createdAt: facts.createdAt,
    linkVersion: code.linkVersion,
    indexSlot: facts.indexSlot,
    ...(facts.refreshTokenHash === undefined ? {} : { refreshTokenHash: facts.refreshTokenHash }),
  }
}

/**
 * After the new grant and its index entry are written: if a newer version of the link is cut
 * by now (`cutSince`), a cut may have scanned the index before the entry was there — revoke the
 * grant and refuse (SPEC R5.1, R5.3, R7.6). The grant has no tokens yet, so nothing usable is left.
 *
 * @example
 * ```ts
 * const code = { clientId: 'music', subject: 'u1', scope: 'a', expiresAt: 1060, grantId: 'g1', linkVersion: 2, supersede: true }
 * judgeCreatedGrant(code, { cutSince: true }) // { verdict: 'refuse', effects: [{ type: 'revoke-grant', grantId: 'g1' }], … }
 * judgeCreatedGrant(code, { cutSince: false }) // { verdict: 'issue' }
 * ```
 * @group Rules
 */
export function judgeCreatedGrant(
  code: CodeRecord,
  facts: { readonly cutSince: boolean },
): Refused | { readonly verdict: 'issue' } {
  return facts.cutSince ? refuseGrant(SUPERSEDED, code.grantId) : { verdict: 'issue' }
}

const SUPERSEDED = 'The authorization code was superseded by a newer grant'

/**
 * What is wrong with the rightful client's own request, if anything. The descriptions name
 * parameters, never their values.
 */
function requestMistake(code: CodeRecord, presentation: CodePresentation): string | undefined {
  // RFC 6749 §4.1.3: identical to the authorization request's; a code minted without one (the
  // reciprocal leg, SPEC R4.1) must be redeemed without one.
  if (code.redirectUri === undefined && presentation.redirectUri !== undefined) {
    return 'redirect_uri was sent, but the authorization code was issued without one: leave it out'
  }
  if (code.redirectUri !== undefined && presentation.redirectUri === undefined) {
    return 'redirect_uri is required: the authorization request included one'
  }
  if (code.redirectUri !== presentation.redirectUri) return 'redirect_uri does not match the authorization request'
  if (code.codeChallenge !== undefined) {
    if (presentation.verifierS256 === undefined) return 'code_verifier is required'
    // Constant time (SPEC R7.4).
    if (!timingSafeEqual(presentation.verifierS256, code.codeChallenge)) return 'PKCE verification failed'
  } else if (presentation.verifierS256 !== undefined) {
    // RFC 9700 §2.1.1: a verifier for a code bound to no challenge is a PKCE downgrade attempt.
    return 'code_verifier was sent for a code issued without code_challenge'
  }
  return undefined
}
