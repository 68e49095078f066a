/**
 * A rotated refresh token presented again: a replay that revokes the grant (RFC 9700 §4.14.2),
 * unless it is its client's retry within the grace period after the rotation, while the
 * successor was never used — then it rotates again (`rules/refresh-grace.ts`).
 *
 * @module
 */
import type { HttpResult } from '../protocol/http.js'
import { concurrentRetry, graceTtlSeconds, judgeRefreshRetry, refreshGrace, retriedGrace, retryClaimTtlSeconds } from '../rules/refresh-grace.js'
import { lostRotation, refreshReplay } from '../rules/refresh-rotation.js'
import type { Refused } from '../rules/outcome.js'
import type { RegisteredClient } from './clients.js'
import type { ServerContext } from './options.js'
import { keys, type RefreshGrace, type RefreshReuseMarker, type TokenRecord } from './records.js'
import type { RotationResult, WonRotation } from './rotate-grant.js'
import { judgeRotation, rotateGrant } from './rotate-grant.js'
import { refuse } from './run-decision.js'
import { tokenResult } from './wire.js'

/**
 * Answers a refresh token that is gone. Without its reuse marker it expired or never existed:
 * refused. With it, it was rotated: a retry within its grace rotates again (the unused
 * successor, and its opaque access token, revoked); a concurrent retry that lost the claim on
 * the successor is refused with nothing revoked; anything else — the successor used, the grace
 * over, another client — revokes the grant.
 *
 * @example
 * ```ts
 * const result = await answerRotatedRefreshToken(context, authenticatedClient, {}, sha256(rt)) // its record is gone
 * ```
 * @see RFC 6749 §6, RFC 9700 §4.14.2
 * @group Authorization server
 */
export async function answerRotatedRefreshToken(
  context: ServerContext,
  client: RegisteredClient,
  request: { readonly scope?: string | undefined },
  presentedHash: string,
): Promise<HttpResult> {
  // The marker written at issuance outlives the rotation: a rotated refresh token came back.
  const marker = await context.storage.get<RefreshReuseMarker>(keys.usedRefreshToken(presentedHash))
  if (marker === undefined) return refuse(context, refreshReplay(marker))
  const grace = context.refreshTokenReuseGraceSeconds > 0 ? await context.storage.get<RefreshGrace>(keys.refreshGrace(presentedHash)) : undefined
  const retry = judgeRefreshRetry(grace, marker, client.clientId, context.runtime.now())
  if (retry.verdict === 'refuse') return refuseReplay(context, retry)

  const rotation = await judgeRotation(context, client, request, marker.grantId)
  if (rotation.verdict === 'refuse') return refuse(context, rotation)

  // Checks done. Of concurrent retries of this token, the claim lets exactly one on; the others
  // lost to a sibling, not to the successor's holder, and revoke nothing.
  const now = context.runtime.now()
  if (!(await context.storage.add(keys.refreshRetry(retry.grace.successor), true, retryClaimTtlSeconds(retry.grace, now)))) {
    return refuse(context, concurrentRetry())
  }
  // The take decides against the successor's own rotation: a successor already taken was used,
  // so this token is a replay after all.
  const successor = await context.storage.take<TokenRecord>(keys.refreshToken(retry.grace.successor))
  if (successor === undefined) return refuseReplay(context, lostRotation(marker.grantId))
  const takenAt = context.runtime.now()
  if (retry.grace.successorAccessToken !== undefined) await context.storage.delete(keys.accessToken(retry.grace.successorAccessToken))

  const won: WonRotation = { grantId: marker.grantId, clientId: client.clientId, grant: rotation.grant, grantScope: rotation.grantScope, accessScope: rotation.accessScope, takenAt }
  const result = await rotateGrant(context, won)
  // A further retry of this token, within the same grace, must find the new successor unused.
  if (result.issued !== undefined) await context.storage.set(keys.refreshGrace(presentedHash), retriedGrace(retry.grace, result.issued), graceTtlSeconds(retry.grace, context.runtime.now()))
  return tokenResult(result.body)
}

/**
 * Leaves the grace a rotation gives the token it rotated (RFC 6749 §6): nothing when the grace
 * period is 0, or when the rotation stored no tokens (the grant was revoked meanwhile).
 *
 * @example
 * ```ts
 * const won = { grantId, clientId, grant, grantScope: scope, accessScope: scope, takenAt }
 * await rememberGrace(context, sha256(rt), won, await rotateGrant(context, won))
 * ```
 * @group Authorization server
 */
export async function rememberGrace(context: ServerContext, rotatedHash: string, won: WonRotation, result: RotationResult): Promise<void> {
  if (result.issued === undefined) return
  const grace = refreshGrace({ grantId: won.grantId, clientId: won.clientId, ...result.issued, rotatedAt: won.takenAt, graceSeconds: context.refreshTokenReuseGraceSeconds })
  if (grace !== undefined) await context.storage.set(keys.refreshGrace(rotatedHash), grace, graceTtlSeconds(grace, context.runtime.now()))
}

/**
 * Refuses a refresh token that was replayed or leaked, revoking what the rule says, and tells
 * the observer once each grant is revoked.
 *
 * @example
 * ```ts
 * return refuseReplay(context, lostRotation(grantId))
 * ```
 * @group Authorization server
 */
export async function refuseReplay(context: ServerContext, refused: Refused): Promise<HttpResult> {
  const result = await refuse(context, refused)
  for (const effect of refused.effects) context.emit({ type: 'replay-detected', credential: 'refresh-token', grantId: effect.grantId })
  return result
}
