/**
 * A refresh token's rotation with reuse detection (RFC 6749 §6, RFC 9700 §4.14.2): each refresh
 * token works once; a second use revokes its whole grant.
 *
 * ```
 * issued ─refresh (checks pass, first take wins)→ rotated (a new token replaces it)
 *   │                                               └─presented again→ replayed → grant revoked
 *   ├─refused (expired, scope too wide, grant revoked)→ issued (still usable)
 *   └─presented by another client→ leaked → grant revoked
 * ```
 *
 * Checks first ({@link judgeRefreshToken}, then {@link judgeRefreshGrant}), then the take: a
 * refused request leaves the token as it was, so the client's corrected retry works. A lost
 * take is a second use: {@link lostRotation}. A token that is gone is {@link refreshReplay}.
 *
 * @module
 */
import { formatScope, intersectScopes, isScopeSubset, parseScope } from '../protocol/scope.js'
import { invalidScope } from '../protocol/oauth-error.js'
import { refuseGrant, type Refused } from './outcome.js'
import type { GrantRecord, RefreshReuseMarker, TokenRecord } from './records.js'

/**
 * Judges a presented refresh token, before its grant is read. Gone: a replay, if its reuse
 * marker says it was rotated. Presented by another client: it leaked, revoke the grant (RFC
 * 6749 §6 binds it to its client). Expired: refused, nothing revoked.
 *
 * @example
 * ```ts
 * const token = { grantId: 'g1', clientId: 'music', subject: 'u1', scope: 'a', expiresAt: 2000 }
 * judgeRefreshToken(token, 'music', 1000) // { verdict: 'check-grant', token }
 * judgeRefreshToken(token, 'thief', 1000).verdict // 'refuse', revoking g1
 * judgeRefreshToken(undefined, 'music', 1000) // { verdict: 'replay' }
 * ```
 * @see RFC 6749 §6, RFC 9700 §4.14.2
 * @group Rules
 */
export function judgeRefreshToken(
  token: TokenRecord | undefined,
  clientId: string,
  now: number,
): Refused | { readonly verdict: 'replay' } | { readonly verdict: 'check-grant'; readonly token: TokenRecord } {
  if (token === undefined) return { verdict: 'replay' }
  if (token.clientId !== clientId) return refuseGrant('The refresh token was issued to another client', token.grantId)
  if (token.expiresAt <= now) return refuseGrant('The refresh token has expired')
  return { verdict: 'check-grant', token }
}

/**
 * A refresh token that is gone came back: if the marker written when it was issued is there,
 * it was rotated already, and one of its two holders is an attacker — revoke the grant (RFC
 * 9700 §4.14.2). Without a marker it expired or never existed.
 *
 * @example
 * ```ts
 * refreshReplay({ grantId: 'g1' }).effects // [{ type: 'revoke-grant', grantId: 'g1' }]
 * ```
 * @see RFC 9700 §4.14.2
 * @group Rules
 */
export function refreshReplay(marker: RefreshReuseMarker | undefined): Refused {
  return marker === undefined ? refuseGrant(GONE) : refuseGrant(GONE, marker.grantId)
}

/**
 * Judges the grant behind a live refresh token (`undefined`: revoked) and the `scope`
 * requested, if any. What a refresh may ask for is the grant's scope within what the client may
 * hold now (SPEC R7.6); a narrower `scope` is honoured for the new access token, a wider one is
 * `invalid_scope` and leaves the token usable.
 *
 * @example
 * ```ts
 * const grant = { clientId: 'music', subject: 'u1', scope: 'a b', createdAt: 0, linkVersion: 0, indexSlot: 0 }
 * judgeRefreshGrant(grant, { clientId: 'music', clientScope: 'a b', requestedScope: 'a' }) // { verdict: 'rotate', grant, grantScope: 'a b', accessScope: 'a' }
 * judgeRefreshGrant(grant, { clientId: 'music', clientScope: 'a' }) // { verdict: 'rotate', grant, grantScope: 'a', accessScope: 'a' }
 * ```
 * @see RFC 6749 §6
 * @group Rules
 */
export function judgeRefreshGrant(
  grant: GrantRecord | undefined,
  request: { readonly clientId: string; readonly clientScope: string; readonly requestedScope?: string },
): Refused | { readonly verdict: 'rotate'; readonly grant: GrantRecord; readonly grantScope: string; readonly accessScope: string } {
  if (grant === undefined || grant.clientId !== request.clientId) return refuseGrant('The grant was revoked')
  const grantScope = intersectScopes(parseScope(grant.scope) ?? [], parseScope(request.clientScope) ?? [])
  if (grantScope.length === 0) return refuseGrant('The client may no longer be granted this scope')
  let accessScope = grantScope
  if (request.requestedScope !== undefined) {
    const requested = parseScope(request.requestedScope) ?? []
    if (!isScopeSubset(requested, grantScope)) {
      return { verdict: 'refuse', refusal: invalidScope('The requested scope exceeds the grant'), effects: [] }
    }
    accessScope = requested
  }
  return { verdict: 'rotate', grant, grantScope: formatScope(grantScope), accessScope: formatScope(accessScope) }
}

/**
 * The take of a refresh token that passed every check was lost: a concurrent request rotated
 * it first, so this is a second use — a replay (RFC 9700 §4.14.2). Revoke the grant.
 *
 * @example
 * ```ts
 * lostRotation('g1').effects // [{ type: 'revoke-grant', grantId: 'g1' }]
 * ```
 * @group Rules
 */
export function lostRotation(grantId: string): Refused {
  return refuseGrant(GONE, grantId)
}

/**
 * The grant after a rotation: its entry moved to `indexSlot` of the link's grant index, and
 * naming its new refresh token (so that revoking the grant deletes it). Written again, the
 * grant lives as long as its newest refresh token (a sliding lifetime).
 *
 * @example
 * ```ts
 * const grant = { clientId: 'music', subject: 'u1', scope: 'a', createdAt: 0, linkVersion: 0, indexSlot: 0, refreshTokenHash: 'h0' }
 * rotatedGrant(grant, { indexSlot: 4, refreshTokenHash: 'h1' }) // { …grant, indexSlot: 4, refreshTokenHash: 'h1' }
 * ```
 * @see SPEC R8.2, RFC 6749 §6
 * @group Rules
 */
export function rotatedGrant(grant: GrantRecord, facts: { readonly indexSlot: number; readonly refreshTokenHash?: string }): GrantRecord {
  return { ...grant, indexSlot: facts.indexSlot, ...(facts.refreshTokenHash === undefined ? {} : { refreshTokenHash: facts.refreshTokenHash }) }
}

/**
 * The reuse marker of a refresh token about to be issued: written before the token, for as long
 * as the token lives, so that once the token is taken by its one rotation any later
 * presentation finds it and revokes the grant — with no gap between the take and the marker.
 * `replaces` chains it to the token it replaces, for revocation to clean up.
 *
 * @example
 * ```ts
 * reuseMarker('g1', 'h0') // { grantId: 'g1', replaces: 'h0' }
 * reuseMarker('g1') // { grantId: 'g1' }
 * ```
 * @see RFC 9700 §4.14.2
 * @group Rules
 */
export function reuseMarker(grantId: string, replaces?: string): RefreshReuseMarker {
  return replaces === undefined ? { grantId } : { grantId, replaces }
}

const GONE = 'The refresh token is invalid, expired or already used'
