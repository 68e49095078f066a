/**
 * What every refresh-token rotation does once it has won its take: the grant written again with
 * a new refresh token, its index entry moved, a new access token and refresh token issued — for
 * a refresh (`refresh-token-grant.ts`) and for a retry of a rotated token within its grace
 * (`refresh-retry.ts`) alike.
 *
 * @module
 */
import { sha256 } from '../lib/hash.js'
import { judgeRefreshGrant, rotatedGrant } from '../rules/refresh-rotation.js'
import type { Refused } from '../rules/outcome.js'
import type { RegisteredClient } from './clients.js'
import { closeLinkGrantSlot, liveGrant, writeGrant } from './grants.js'
import { issueTokens, newRefreshToken, type TokenResponseBody } from './issue-tokens.js'
import { moveLinkGrant } from './link-grants.js'
import { keepLinkAlive } from './links.js'
import type { ServerContext } from './options.js'
import type { GrantRecord } from './records.js'

/** A rotation that won its take: the grant, and the scopes `judgeRefreshGrant` decided. @group Authorization server */
export interface WonRotation {
  readonly grantId: string
  readonly clientId: string
  readonly grant: GrantRecord
  readonly grantScope: string
  readonly accessScope: string
  /** When the take was won (seconds): the grant's write deadline runs from it. */
  readonly takenAt: number
}

/** The answer of a rotation, and the hashes of the tokens it stored (none when the grant was revoked meanwhile, or refresh tokens are off). @group Authorization server */
export interface RotationResult {
  readonly body: TokenResponseBody
  readonly issued?: { readonly successor: string; readonly successorAccessToken?: string }
}

/**
 * Reads the grant a refresh would rotate and judges it (`judgeRefreshGrant`): revoked, or
 * narrowed away by the client's registration, or asked for a wider `scope` — refused, nothing
 * revoked; otherwise the grant and the scopes of the rotation.
 *
 * @example
 * ```ts
 * const rotation = await judgeRotation(context, authenticatedClient, { scope: 'assistant.read' }, grantId)
 * ```
 * @see RFC 6749 §6, SPEC R7.6
 * @group Authorization server
 */
export async function judgeRotation(
  context: ServerContext,
  client: RegisteredClient,
  request: { readonly scope?: string | undefined },
  grantId: string,
): Promise<Refused | { readonly verdict: 'rotate'; readonly grant: GrantRecord; readonly grantScope: string; readonly accessScope: string }> {
  return judgeRefreshGrant(await liveGrant(context, grantId), {
    clientId: client.clientId,
    clientScope: client.scope,
    ...(request.scope === undefined ? {} : { requestedScope: request.scope }),
  })
}

/**
 * Carries out a won rotation: moves the grant's index entry, writes the grant again naming the
 * new refresh token (a sliding lifetime), and issues the tokens. If the grant was revoked
 * meanwhile — typically by a concurrent replay whose take lost to this one — the answer still
 * goes out (exactly one of concurrent rotations succeeds), but its tokens are already dead and
 * not stored.
 *
 * @example
 * ```ts
 * const { body } = await rotateGrant(context, { grantId, clientId, grant, grantScope: scope, accessScope: scope, takenAt })
 * ```
 * @see RFC 6749 §6, RFC 9700 §4.14.2
 * @group Authorization server
 */
export async function rotateGrant(context: ServerContext, won: WonRotation): Promise<RotationResult> {
  const { grant, grantId } = won
  // Sliding lifetime: the grant lives as long as its newest refresh token, and its entry in the
  // link's grant index as long as the grant, so that a later cut of the link still finds it. The
  // entry moves to the top of the index, so that the slots below can end (link-grants.ts).
  const indexSlot = await moveLinkGrant(context, grantId, grant)
  const refreshToken = await newRefreshToken(context)
  const extended = rotatedGrant(grant, { indexSlot, ...(refreshToken === undefined ? {} : { refreshTokenHash: refreshToken.hash }) })
  const live = await writeGrant(context, grantId, extended, won.takenAt)
  await closeLinkGrantSlot(context, grant.clientId, grant.subject, grant.indexSlot)
  // What the grant's safety depends on — the newest link version, its cut — lives on with it.
  if (live) await keepLinkAlive(context, grant.clientId, grant.subject)
  else await closeLinkGrantSlot(context, grant.clientId, grant.subject, indexSlot)
  const body = await issueTokens(context, {
    grantId,
    clientId: won.clientId,
    subject: grant.subject,
    accessScope: won.accessScope,
    grantScope: won.grantScope,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(grant.refreshTokenHash === undefined ? {} : { replaces: grant.refreshTokenHash }),
    store: live,
  })
  context.emit({ type: 'token-refreshed', clientId: won.clientId, subject: grant.subject, scope: won.accessScope, grantId })
  if (!live || refreshToken === undefined) return { body }
  // An opaque access token can be revoked alone (its record deleted); a JWT lives until it expires.
  const successorAccessToken = context.accessTokenFormat === 'opaque' ? sha256(body.access_token) : undefined
  return { body, issued: { successor: refreshToken.hash, ...(successorAccessToken === undefined ? {} : { successorAccessToken }) } }
}
