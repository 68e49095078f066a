/**
 * A rotated refresh token's grace period: a client whose refresh answer was lost — a timeout, a
 * stalled or malformed body, its own failed write of the new tokens — still holds only the token
 * it presented, which the authorization server has already rotated. Without a grace period its
 * next refresh is a replay and revokes the grant (RFC 9700 §4.14.2), and the user must consent
 * again. RFC 6749 §6 lets a server revoke the old token after issuing a new one; it need not at
 * once. So for a short time after a rotation the previous token may be presented again, but only
 * while its successor was never used, and only by its own client:
 *
 * ```
 * rotated ─presented again, within the grace, successor unused→ rotated again: the unused
 *   │                                                           successor (and its opaque access
 *   │                                                           token) revoked, a new pair issued
 *   ├─the same, but a concurrent retry claimed the successor first→ refused, nothing revoked
 *   ├─successor used, or the grace over→ replayed → grant revoked (as without a grace)
 *   └─presented by another client→ leaked → grant revoked
 * ```
 *
 * Each retry takes the successor's record atomically, as any rotation does, so a grant never has
 * more than one live refresh token. Before the take, the retry claims the successor (an atomic
 * `add`): of concurrent retries exactly one gets on, and the others, which lost to a sibling and
 * not to the successor's holder, are refused without revoking anything. A retry that won the
 * claim but finds the successor taken lost to the successor's holder: a replay. The grace never
 * extends: a retry's own answer, lost again, may be retried until the first rotation's grace
 * ends.
 *
 * @module
 */
import { LIFETIME_MARGIN_SECONDS } from './lifetimes.js'
import { refuseGrant, type Refused } from './outcome.js'
import { refreshReplay } from './refresh-rotation.js'
import type { RefreshGrace, RefreshReuseMarker } from './records.js'

/**
 * The grace a rotation leaves behind for the token it rotated, or `undefined` when the grace
 * period is 0 (off).
 *
 * @example
 * ```ts
 * refreshGrace({ grantId: 'g1', clientId: 'music', successor: 'h1', rotatedAt: 1000, graceSeconds: 60 })
 * // { grantId: 'g1', clientId: 'music', successor: 'h1', until: 1060 }
 * refreshGrace({ grantId: 'g1', clientId: 'music', successor: 'h1', rotatedAt: 1000, graceSeconds: 0 }) // undefined
 * ```
 * @see RFC 6749 §6, RFC 9700 §4.14.2
 * @group Rules
 */
export function refreshGrace(facts: {
  readonly grantId: string
  readonly clientId: string
  readonly successor: string
  readonly successorAccessToken?: string
  readonly rotatedAt: number
  readonly graceSeconds: number
}): RefreshGrace | undefined {
  if (facts.graceSeconds <= 0) return undefined
  const { grantId, clientId, successor, successorAccessToken } = facts
  return { grantId, clientId, successor, ...(successorAccessToken === undefined ? {} : { successorAccessToken }), until: facts.rotatedAt + facts.graceSeconds }
}

/**
 * Judges a rotated refresh token presented again (its reuse marker found): a retry within its
 * grace, by the client it was issued to, goes on to claim the successor; anything else is a
 * replay or a leak and revokes the grant, as without a grace (RFC 9700 §4.14.2).
 *
 * @example
 * ```ts
 * const grace = { grantId: 'g1', clientId: 'music', successor: 'h1', until: 1060 }
 * judgeRefreshRetry(grace, { grantId: 'g1' }, 'music', 1030) // { verdict: 'retry', grace }
 * judgeRefreshRetry(grace, { grantId: 'g1' }, 'music', 1060).verdict // 'refuse', revoking g1: the grace is over
 * judgeRefreshRetry(grace, { grantId: 'g1' }, 'thief', 1030).verdict // 'refuse', revoking g1: it leaked
 * ```
 * @see RFC 6749 §6, RFC 9700 §4.14.2
 * @group Rules
 */
export function judgeRefreshRetry(
  grace: RefreshGrace | undefined,
  marker: RefreshReuseMarker,
  clientId: string,
  now: number,
): Refused | { readonly verdict: 'retry'; readonly grace: RefreshGrace } {
  if (grace === undefined || grace.grantId !== marker.grantId || now >= grace.until) return refreshReplay(marker)
  if (grace.clientId !== clientId) return refuseGrant('The refresh token was issued to another client', marker.grantId)
  return { verdict: 'retry', grace }
}

/**
 * A retry lost the claim on the successor to a concurrent retry of the same token: refused, and
 * nothing revoked — the sibling that won rotates (or, if the successor was used, revokes).
 *
 * @example
 * ```ts
 * concurrentRetry().effects // []
 * ```
 * @see SPEC R8.2 (the grace for a lost refresh answer)
 * @group Rules
 */
export function concurrentRetry(): Refused {
  return refuseGrant('The refresh token is being refreshed by a concurrent request')
}

/**
 * The grace after a retry won: the same grace, its end unchanged, now naming the refresh (and
 * access) token the retry issued — the successor a further retry must find unused.
 *
 * @example
 * ```ts
 * retriedGrace({ grantId: 'g1', clientId: 'music', successor: 'h1', successorAccessToken: 'a1', until: 1060 }, { successor: 'h2' })
 * // { grantId: 'g1', clientId: 'music', successor: 'h2', until: 1060 }
 * ```
 * @see SPEC R8.2 (the grace for a lost refresh answer)
 * @group Rules
 */
export function retriedGrace(grace: RefreshGrace, issued: { readonly successor: string; readonly successorAccessToken?: string }): RefreshGrace {
  const { grantId, clientId, until } = grace
  return { grantId, clientId, successor: issued.successor, ...(issued.successorAccessToken === undefined ? {} : { successorAccessToken: issued.successorAccessToken }), until }
}

/**
 * How long a grace record lives from `now`: until its end, at least a second (storage TTLs are
 * whole, positive seconds).
 *
 * @example
 * ```ts
 * graceTtlSeconds({ grantId: 'g1', clientId: 'music', successor: 'h1', until: 1060 }, 1000) // 60
 * ```
 * @see SPEC R8.2 (the grace for a lost refresh answer)
 * @group Rules
 */
export function graceTtlSeconds(grace: RefreshGrace, now: number): number {
  return Math.max(1, Math.ceil(grace.until - now))
}

/**
 * How long a retry's claim on a successor lives: as long as any retry that read the grace
 * naming that successor may still try to claim it — the grace, and the margin for a request
 * stalled within it (`lifetimes.ts`).
 *
 * @example
 * ```ts
 * retryClaimTtlSeconds({ grantId: 'g1', clientId: 'music', successor: 'h1', until: 1060 }, 1000) // 3660
 * ```
 * @see SPEC R8.2 (the grace for a lost refresh answer)
 * @group Rules
 */
export function retryClaimTtlSeconds(grace: RefreshGrace, now: number): number {
  return graceTtlSeconds(grace, now) + LIFETIME_MARGIN_SECONDS
}
