/**
 * The `authorization_code` grant at our token endpoint (RFC 6749 §4.1.3, SPEC R4.1–R4.2, R5.1,
 * R5.3): party B redeeming A's reciprocal code, or party A redeeming B's code in the initial flow.
 *
 * @module
 */
import * as v from 'valibot'
import { CLIENT_AUTH_PARAMETERS } from '../protocol/client-credentials.js'
import type { FormParams } from '../protocol/form.js'
import type { HttpResult } from '../protocol/http.js'
import { invalidGrant, renderOAuthError } from '../protocol/oauth-error.js'
import { withReciprocalScope } from '../protocol/reciprocal-response.js'
import { AuthorizationCodeRequestSchema, formToObject, type AuthorizationCodeRequest } from '../protocol/schemas.js'
import { formatScope, intersectScopes, parseScope } from '../protocol/scope.js'
import type { RegisteredClient } from './clients.js'
import type { ServerContext } from './options.js'
import { keys, type CodeRecord, type UsedMarker } from './records.js'
import { closeLinkGrantSlot, revokeGrant, writeGrant } from './grants.js'
import { cutVersion, hasNewerVersion, isCutAfter } from './links.js'
import { appendLinkGrant } from './link-grants.js'
import { issueTokens, newRefreshToken } from './issue-tokens.js'
import { verifyS256 } from './pkce.js'
import { askReciprocalScope } from './reciprocal-hook.js'
import { parameterError, tokenResult } from './wire.js'

const refuse = (description: string): HttpResult => renderOAuthError(invalidGrant(description))

/**
 * Redeems an authorization code for an authenticated client. Every check that can be made without
 * consuming the code comes first: expiry, the client binding, `redirect_uri`, PKCE S256, the link
 * version and the client's registered scope. Only a redemption that will be honoured takes the
 * code from storage, atomically, so of concurrent redemptions exactly one gets it; a lost take is
 * a second use, refused, and it revokes the grant issued from the code (RFC 6749 §4.1.2). Then it
 * issues tokens (and `reciprocal` via the hook).
 *
 * A refusal for a mistake in the rightful client's own request — a wrong or missing
 * `redirect_uri`, a missing or wrong `code_verifier`, a verifier for a code minted without a
 * challenge — leaves the code usable, so the corrected request still works. A code presented by
 * another client is consumed: it has leaked, and RFC 9700 §4.5 lets the server either keep it
 * for its rightful client or invalidate it; we invalidate it, because a code that others have
 * seen must not become tokens for anyone (RFC 6749 §4.1.3 binds it to its client).
 *
 * @example
 * ```ts
 * const result = await authorizationCodeGrant(context, authenticatedClient, params)
 * ```
 * @see RFC 6749 §4.1.3, §5.1, RFC 7636 §4.6, RFC 9700 §2.1.1, §4.5
 * @group Authorization server
 */
export async function authorizationCodeGrant(
  context: ServerContext,
  client: RegisteredClient,
  params: FormParams,
): Promise<HttpResult> {
  const parsed = v.safeParse(AuthorizationCodeRequestSchema, formToObject(params, CLIENT_AUTH_PARAMETERS))
  if (!parsed.success) return renderOAuthError(parameterError(parsed.issues))
  const request = parsed.output

  const codeKey = await keys.code(request.code)
  const record = await context.storage.get<CodeRecord>(codeKey)
  if (record === undefined) return refuseReplay(context, request.code)
  if (record.expiresAt <= context.runtime.now()) return refuse('The authorization code has expired')
  if (record.clientId !== client.clientId) {
    // Leaked: consume it (see above). A lost take means the rightful client redeemed it first,
    // and the code has now been seen twice: a replay like any other.
    if ((await context.storage.take<CodeRecord>(codeKey)) === undefined) return refuseReplay(context, request.code)
    return refuse('The authorization code was issued to another client')
  }
  const mistake = await requestMistake(record, request)
  if (mistake !== undefined) return refuse(mistake)

  const superseded = record.supersede
    ? await hasNewerVersion(context, record.clientId, record.subject, record.linkVersion)
    : await isCutAfter(context, record.clientId, record.subject, record.linkVersion)
  if (superseded) return refuse('The authorization code was superseded by a newer grant') // SPEC R5.3

  // Never wider than the client may hold now, even if its registration shrank since (SPEC R7.6).
  const scope = formatScope(intersectScopes(parseScope(record.scope) ?? [], parseScope(client.scope) ?? []))
  if (scope === '') return refuse('The client may no longer be granted this scope')

  // Everything checked: this redemption will be honoured, if it is the first. RFC 6749 §4.1.2:
  // of concurrent redemptions that all passed the checks, the take decides; the others are
  // replays and revoke what the winner gets.
  if ((await context.storage.take<CodeRecord>(codeKey)) === undefined) return refuseReplay(context, request.code)
  const takenAt = context.runtime.now()
  const reciprocal = askReciprocalScope(context, { clientId: client.clientId, subject: record.subject, scope })

  // SPEC R5.1: redeeming a superseding code revokes every older grant of the link (at once if
  // the code narrowed the link: then its version was cut when it was minted, see links.ts).
  if (record.supersede) await cutVersion(context, record.clientId, record.subject, record.linkVersion)
  // The grant joins its link's index, so that a later cut finds and revokes it (link-grants.ts).
  const indexSlot = await appendLinkGrant(context, record.clientId, record.subject, {
    grantId: record.grantId,
    linkVersion: record.linkVersion,
  })
  // If a replay revoked this grant meanwhile, writeGrant leaves it revoked: the response below
  // still goes out (this request did win the code), but its tokens are already dead — and not
  // stored, nor is the index entry kept.
  const refreshToken = await newRefreshToken(context)
  const live = await writeGrant(context, record.grantId, {
    clientId: client.clientId,
    subject: record.subject,
    scope,
    createdAt: context.runtime.now(),
    linkVersion: record.linkVersion,
    indexSlot,
    ...(refreshToken === undefined ? {} : { refreshTokenHash: refreshToken.hash }),
  }, takenAt)
  if (!live) await closeLinkGrantSlot(context, record.clientId, record.subject, indexSlot)
  // Write, then check (SPEC R5.1, R5.3, R7.6): a newer version cut since the check above (a
  // narrowing mint, an unlink, a newer code redeemed) may have scanned the index before our
  // entry was in it. A cutter writes its cut before it scans, and we wrote our entry and grant
  // before this read: either its scan saw our entry, or this read sees its cut. No grant older
  // than a cut survives. The grant has no tokens yet, so refusing leaves nothing usable behind.
  // A cut written after this read still revokes the grant through the index; then the response
  // below goes out with tokens that are already dead, as for a replay.
  if (await isCutAfter(context, record.clientId, record.subject, record.linkVersion)) {
    await revokeGrant(context, record.grantId)
    return refuse('The authorization code was superseded by a newer grant')
  }
  const body = await issueTokens(context, {
    grantId: record.grantId,
    clientId: client.clientId,
    subject: record.subject,
    accessScope: scope,
    grantScope: scope,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    store: live,
  })
  context.emit({ type: 'code-redeemed', clientId: client.clientId, subject: record.subject, scope, grantId: record.grantId })
  return tokenResult(reciprocal === undefined ? body : withReciprocalScope(body, reciprocal))
}

/**
 * RFC 6749 §4.1.2: a code used twice is a stolen code; revoke what it was traded for. The marker
 * naming the grant was written when the code was minted (mint-code.ts), not after the winner's
 * take: a replay landing between that take and the winner's next write still finds it, and the
 * winner's writeGrant then sees the tombstone. A code that is merely expired finds it too;
 * revoking a grant that was never created is harmless.
 */
async function refuseReplay(context: ServerContext, code: string): Promise<HttpResult> {
  const minted = await context.storage.get<UsedMarker>(await keys.usedCode(code))
  if (minted !== undefined) await revokeGrant(context, minted.grantId)
  if (minted !== undefined) context.emit({ type: 'replay-detected', credential: 'code', grantId: minted.grantId })
  return refuse('The authorization code is invalid, expired or already used')
}

/**
 * What is wrong with the rightful client's own request for this code, if anything: these
 * refusals leave the code usable. The descriptions name parameters, never their values.
 */
async function requestMistake(record: CodeRecord, request: AuthorizationCodeRequest): Promise<string | undefined> {
  // RFC 6749 §4.1.3: identical to the authorization request's; a code minted without one (the
  // reciprocal leg, SPEC R4.1) must be redeemed without one.
  if (record.redirectUri === undefined && request.redirect_uri !== undefined) {
    return 'redirect_uri was sent, but the authorization code was issued without one: leave it out'
  }
  if (record.redirectUri !== undefined && request.redirect_uri === undefined) {
    return 'redirect_uri is required: the authorization request included one'
  }
  if (record.redirectUri !== request.redirect_uri) return 'redirect_uri does not match the authorization request'
  if (record.codeChallenge !== undefined) {
    if (request.code_verifier === undefined) return 'code_verifier is required'
    if (!(await verifyS256(request.code_verifier, record.codeChallenge))) return 'PKCE verification failed'
  } else if (request.code_verifier !== undefined) {
    // RFC 9700 §2.1.1: a verifier for a code bound to no challenge is a PKCE downgrade attempt.
    return 'code_verifier was sent for a code issued without code_challenge'
  }
  return undefined
}
