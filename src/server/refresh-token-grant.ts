/**
 * The `refresh_token` grant with rotation and reuse detection (RFC 6749 §6, RFC 9700 §4.14.2):
 * each refresh token works once; presenting a rotated one revokes the whole grant.
 *
 * @module
 */
import * as v from 'valibot'
import { CLIENT_AUTH_PARAMETERS } from '../protocol/client-credentials.js'
import type { FormParams } from '../protocol/form.js'
import type { HttpResult } from '../protocol/http.js'
import { invalidGrant, renderOAuthError } from '../protocol/oauth-error.js'
import { RefreshTokenRequestSchema, formToObject } from '../protocol/schemas.js'
import { judgeRefreshGrant, judgeRefreshToken, lostRotation, refreshReplay, rotatedGrant } from '../rules/refresh-rotation.js'
import type { RegisteredClient } from './clients.js'
import type { ServerContext } from './options.js'
import { keys, type RefreshReuseMarker, type TokenRecord } from './records.js'
import { sha256 } from '../lib/hash.js'
import { closeLinkGrantSlot, liveGrant, writeGrant } from './grants.js'
import { moveLinkGrant } from './link-grants.js'
import { keepLinkAlive } from './links.js'
import { issueTokens, newRefreshToken } from './issue-tokens.js'
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
 * has leaked, and revokes the grant too.
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

  // The rules decide (rules/refresh-rotation.ts); this function reads, takes and writes.
  // Hashed once: the token's record and, on a replay, its reuse marker are both named by it.
  const refreshHash = sha256(request.refresh_token)
  const refreshKey = keys.refreshToken(refreshHash)
  const record = await context.storage.get<TokenRecord>(refreshKey)
  const judged = judgeRefreshToken(record, client.clientId, context.runtime.now())
  if (judged.verdict === 'replay') {
    // The marker written at issuance outlives the rotation: a rotated refresh token came back.
    const marker = await context.storage.get<RefreshReuseMarker>(keys.usedRefreshToken(refreshHash))
    const result = await refuse(context, refreshReplay(marker))
    // Told once the grant is revoked; the marker lives exactly as long as the token would have.
    if (marker !== undefined) context.emit({ type: 'replay-detected', credential: 'refresh-token', grantId: marker.grantId })
    return result
  }
  if (judged.verdict === 'refuse') {
    // A refusal that revokes is a leaked token: shown by a client it was not issued to.
    const result = await refuse(context, judged)
    for (const effect of judged.effects) context.emit({ type: 'replay-detected', credential: 'refresh-token', grantId: effect.grantId })
    return result
  }
  const { token } = judged
  const rotation = judgeRefreshGrant(await liveGrant(context, token.grantId), {
    clientId: client.clientId,
    clientScope: client.scope,
    ...(request.scope === undefined ? {} : { requestedScope: request.scope }),
  })
  if (rotation.verdict === 'refuse') return refuse(context, rotation)
  const { grant } = rotation

  // Everything checked: rotate. Of concurrent rotations that all passed the checks, the take
  // decides; a lost take is a second use of the token, a replay (RFC 9700 §4.14.2).
  if ((await context.storage.take<TokenRecord>(refreshKey)) === undefined) {
    const result = await refuse(context, lostRotation(token.grantId))
    context.emit({ type: 'replay-detected', credential: 'refresh-token', grantId: token.grantId })
    return result
  }
  const takenAt = context.runtime.now()

  // Sliding lifetime: the grant lives as long as its newest refresh token, and its entry in the
  // link's grant index as long as the grant, so that a later cut of the link still finds it. The
  // entry moves to the top of the index, so that the slots below can end (link-grants.ts).
  const indexSlot = await moveLinkGrant(context, token.grantId, grant)
  const refreshToken = await newRefreshToken(context)
  const extended = rotatedGrant(grant, { indexSlot, ...(refreshToken === undefined ? {} : { refreshTokenHash: refreshToken.hash }) })
  // If the grant was revoked meanwhile — typically by a concurrent replay of this very token,
  // whose take lost to ours — writeGrant leaves it revoked. This request did win the rotation,
  // so its response still goes out (exactly one of concurrent refreshes succeeds), but its
  // tokens are already dead, and not stored (as for a code, authorization-code-grant.ts).
  const live = await writeGrant(context, token.grantId, extended, takenAt)
  await closeLinkGrantSlot(context, grant.clientId, grant.subject, grant.indexSlot)
  // What the grant's safety depends on — the newest link version, its cut — lives on with it.
  if (live) await keepLinkAlive(context, grant.clientId, grant.subject)
  else await closeLinkGrantSlot(context, grant.clientId, grant.subject, indexSlot)
  const body = await issueTokens(context, {
    grantId: token.grantId,
    clientId: client.clientId,
    subject: grant.subject,
    accessScope: rotation.accessScope,
    grantScope: rotation.grantScope,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(grant.refreshTokenHash === undefined ? {} : { replaces: grant.refreshTokenHash }),
    store: live,
  })
  context.emit({ type: 'token-refreshed', clientId: client.clientId, subject: grant.subject, scope: rotation.accessScope, grantId: token.grantId })
  return tokenResult(body)
}
