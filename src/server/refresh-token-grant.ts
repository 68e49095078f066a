/**
 * The `refresh_token` grant with rotation and reuse detection (RFC 6749 §6, RFC 9700 §4.14.2):
 * each refresh token works once; presenting a rotated one revokes the whole grant — except its
 * client's retry within a short grace period while its successor is unused (`refresh-retry.ts`).
 *
 * @module
 */
import * as v from 'valibot'
import { CLIENT_AUTH_PARAMETERS } from '../protocol/client-credentials.js'
import type { FormParams } from '../protocol/form.js'
import type { HttpResult } from '../protocol/http.js'
import { invalidGrant, renderOAuthError } from '../protocol/oauth-error.js'
import { RefreshTokenRequestSchema, formToObject } from '../protocol/schemas.js'
import { judgeRefreshToken, lostRotation } from '../rules/refresh-rotation.js'
import type { RegisteredClient } from './clients.js'
import type { ServerContext } from './options.js'
import { keys, type TokenRecord } from './records.js'
import { sha256 } from '../lib/hash.js'
import { unexpectedFailure } from '../core/events.js'
import { answerRotatedRefreshToken, refuseReplay, rememberGrace } from './refresh-retry.js'
import { judgeRotation, rotateGrant, type WonRotation } from './rotate-grant.js'
import { refuse } from './run-decision.js'
import { parameterError, tokenResult } from './wire.js'

/**
 * Rotates a refresh token: checks it, then takes its record atomically and issues a new access
 * token and a new refresh token in the same grant. A `scope` narrower than the grant's is
 * honoured for the new access token; a wider one is refused with `invalid_scope` (SPEC R7.6).
 *
 * Every check comes before the take, so a refused request (a too-wide `scope`, an expired token,
 * a revoked grant) leaves the token as it was and the client's corrected retry works. Only a true
 * second use is a replay and revokes the grant (RFC 9700 §4.14.2): a token already rotated, or
 * one whose take is lost to a concurrent rotation. A refresh token presented by another client
 * has leaked, and revokes the grant too. A client that lost the answer to a rotation may present
 * the rotated token again for `refreshTokenReuseGraceSeconds` while the successor is unused: that
 * retry rotates again (`answerRotatedRefreshToken`).
 *
 * @example
 * ```ts
 * const result = await refreshTokenGrant(context, authenticatedClient, params)
 * ```
 * @see RFC 6749 §6, RFC 9700 §4.14.2
 * @group Authorization server
 */
export async function refreshTokenGrant(
  context: ServerContext,
  client: RegisteredClient,
  params: FormParams,
): Promise<HttpResult> {
  if (!context.refreshTokens) return renderOAuthError(invalidGrant('Refresh tokens are not issued by this server'))
  const parsed = v.safeParse(RefreshTokenRequestSchema, formToObject(params, CLIENT_AUTH_PARAMETERS))
  if (!parsed.success) return renderOAuthError(parameterError(parsed.issues))
  const request = parsed.output

  // The rules decide (rules/refresh-rotation.ts, rules/refresh-grace.ts); this function reads,
  // takes and writes. Hashed once: the token's record, its reuse marker and its grace are all
  // named by it.
  const refreshHash = sha256(request.refresh_token)
  const refreshKey = keys.refreshToken(refreshHash)
  const record = await context.storage.get<TokenRecord>(refreshKey)
  const judged = judgeRefreshToken(record, client.clientId, context.runtime.now())
  if (judged.verdict === 'replay') return answerRotatedRefreshToken(context, client, request, refreshHash)
  // A refusal that revokes is a leaked token: shown by a client it was not issued to.
  if (judged.verdict === 'refuse') return refuseReplay(context, judged)
  const { token } = judged
  const rotation = await judgeRotation(context, client, request, token.grantId)
  if (rotation.verdict === 'refuse') return refuse(context, rotation)

  // Everything checked: rotate. Of concurrent rotations that all passed the checks, the take
  // decides; a lost take is a second use of the token, a replay (RFC 9700 §4.14.2).
  if ((await context.storage.take<TokenRecord>(refreshKey)) === undefined) return refuseReplay(context, lostRotation(token.grantId))
  const won: WonRotation = {
    grantId: token.grantId,
    clientId: client.clientId,
    grant: rotation.grant,
    grantScope: rotation.grantScope,
    accessScope: rotation.accessScope,
    takenAt: context.runtime.now(),
  }
  const result = await rotateGrant(context, won)
  // For a client that loses this answer: its retry with this token rotates again, for a while.
  // The new tokens are stored: a failure to leave the grace must not turn this answer into a 500,
  // which is the lost answer the grace is for — told to the observer, and the tokens go out.
  await rememberGrace(context, refreshHash, won, result).catch((error: unknown) => context.emit(unexpectedFailure('token-endpoint', error)))
  return tokenResult(result.body)
}
