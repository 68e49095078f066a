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
import { renderOAuthError } from '../protocol/oauth-error.js'
import { withReciprocalScope } from '../protocol/reciprocal-response.js'
import { AuthorizationCodeRequestSchema, formToObject } from '../protocol/schemas.js'
import { sha256 } from '../lib/hash.js'
import { codeReplay, grantOfCode, judgeCodePresentation, judgeCodeScope, judgeCreatedGrant } from '../rules/code-redemption.js'
import type { RegisteredClient } from './clients.js'
import type { ServerContext } from './options.js'
import { keys, type CodeRecord, type UsedMarker } from './records.js'
import type { LinkReference, LostGrant } from '../rules/records.js'
import { closeLinkGrantSlot, writeGrant } from './grants.js'
import { cutVersion, isCutAfter, isSuperseded } from './links.js'
import { appendLinkGrant } from './link-grants.js'
import { issueTokens, newRefreshToken } from './issue-tokens.js'
import { askReciprocalScope } from './reciprocal-hook.js'
import { refuse, runEffects } from './run-decision.js'
import { parameterError, tokenResult } from './wire.js'

/**
 * Redeems an authorization code for an authenticated client. Every check that can be made without
 * consuming the code comes first: expiry, the client binding, `redirect_uri`, PKCE S256, the link
 * version and the client's registered scope. Only a redemption that will be honoured takes the
 * code from storage, atomically, so of concurrent redemptions exactly one gets it; a lost take is
 * a second use, refused, and it revokes the grant issued from the code (RFC 6749 §4.1.2). Then it
 * issues tokens (and `reciprocal` via the hook). A superseding code minted with a `reference`
 * that is replayed, or that its own client presents expired, is told to the lost-grant handlers
 * first, so that its minter (party A) stops claiming the grant and offers a new code (SPEC R4.3).
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

  // Hashed once: the code's record and, on a replay, its marker are both named by it.
  const codeHash = sha256(request.code)
  const codeKey = keys.code(codeHash)
  const record = await context.storage.get<CodeRecord>(codeKey)
  // The rules decide (rules/code-redemption.ts); this function reads, takes and writes.
  const verifier = record === undefined ? undefined : request.code_verifier
  const judged = judgeCodePresentation(
    record,
    {
      clientId: client.clientId,
      ...(request.redirect_uri === undefined ? {} : { redirectUri: request.redirect_uri }),
      ...(verifier === undefined ? {} : { verifierS256: sha256(verifier) }),
    },
    context.runtime.now(),
  )
  if (judged.verdict === 'replay') return refuseReplay(context, codeHash)
  if (judged.verdict === 'refuse') {
    // Leaked to another client: consume it. A lost take means the rightful client redeemed it
    // first, and the code has now been seen twice: a replay like any other.
    if (judged.consume) {
      if ((await context.storage.take<CodeRecord>(codeKey)) === undefined) return refuseReplay(context, codeHash)
      // `record` is there: only a stored code can be judged leaked. Its owner may need to know.
      if (record !== undefined) context.emit({ type: 'code-misused', clientId: record.clientId, presentedBy: client.clientId, subject: record.subject, grantId: record.grantId })
    }
    if (judged.grantLost === true) await tellLostGrant(context, (await context.storage.get<UsedMarker>(keys.usedCode(codeHash)))?.link, 'expired')
    return refuse(context, judged)
  }
  const { code } = judged

  const scoped = judgeCodeScope(code, {
    superseded: await isSuperseded(context, code.clientId, code.subject, judged.check),
    clientScope: client.scope,
  })
  if (scoped.verdict === 'refuse') return refuse(context, scoped)

  // Everything checked: this redemption will be honoured, if it is the first. RFC 6749 §4.1.2:
  // of concurrent redemptions that all passed the checks, the take decides; the others are
  // replays and revoke what the winner gets.
  if ((await context.storage.take<CodeRecord>(codeKey)) === undefined) return refuseReplay(context, codeHash)
  const takenAt = context.runtime.now()
  const reciprocal = askReciprocalScope(context, { clientId: client.clientId, subject: code.subject, scope: scoped.scope })

  // SPEC R5.1: redeeming a superseding code revokes every older grant of the link (at once if
  // the code narrowed the link: then its version was cut when it was minted, see links.ts).
  await cutVersion(context, code)
  // The grant joins its link's index, so that a later cut finds and revokes it (link-grants.ts).
  const indexSlot = await appendLinkGrant(context, code.clientId, code.subject, { grantId: code.grantId, linkVersion: code.linkVersion })
  // If a replay revoked this grant meanwhile, writeGrant leaves it revoked: the response below
  // still goes out (this request did win the code), but its tokens are already dead — and not
  // stored, nor is the index entry kept.
  const refreshToken = await newRefreshToken(context)
  const grant = grantOfCode(code, {
    scope: scoped.scope,
    createdAt: context.runtime.now(),
    indexSlot,
    ...(refreshToken === undefined ? {} : { refreshTokenHash: refreshToken.hash }),
  })
  const live = await writeGrant(context, code.grantId, grant, takenAt)
  if (!live) await closeLinkGrantSlot(context, code.clientId, code.subject, indexSlot)
  // Write, then check (SPEC R5.1, R5.3, R7.6): a newer version cut since the check above (a
  // narrowing mint, an unlink, a newer code redeemed) may have scanned the index before our
  // entry was in it. A cutter writes its cut before it scans, and we wrote our entry and grant
  // before this read: either its scan saw our entry, or this read sees its cut. No grant older
  // than a cut survives. A cut written after this read still revokes the grant through the
  // index; then the response below goes out with tokens that are already dead, as for a replay.
  const created = judgeCreatedGrant(code, { cutSince: await isCutAfter(context, code.clientId, code.subject, code.linkVersion) })
  if (created.verdict === 'refuse') return refuse(context, created)
  const body = await issueTokens(context, {
    grantId: code.grantId,
    clientId: client.clientId,
    subject: code.subject,
    accessScope: scoped.scope,
    grantScope: scoped.scope,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    store: live,
  })
  context.emit({ type: 'code-redeemed', clientId: client.clientId, subject: code.subject, scope: scoped.scope, grantId: code.grantId })
  return tokenResult(reciprocal === undefined ? body : withReciprocalScope(body, reciprocal))
}

/**
 * RFC 6749 §4.1.2: a code used twice is a stolen code; revoke what it was traded for
 * (`codeReplay`). The marker naming the grant was written when the code was minted, not after
 * the winner's take: a replay landing between that take and the winner's next write still
 * finds it, and the winner's writeGrant then sees the tombstone.
 */
async function refuseReplay(context: ServerContext, codeHash: string): Promise<HttpResult> {
  const marker = await context.storage.get<UsedMarker>(keys.usedCode(codeHash))
  const refused = codeReplay(marker)
  // The code record lives as long as its marker (mint-code.ts): a marker without its record is a
  // code that was taken — redeemed, or consumed as leaked — so this is a replay, not a late code.
  if (marker !== undefined) context.emit({ type: 'replay-detected', credential: 'code', grantId: marker.grantId })
  // The minter stops claiming the grant before it is revoked, so that its state never claims a
  // grant this server no longer honours (SPEC R4.3). A handler that throws (its link busy, its
  // storage down) leaves the grant in place and the request answered 500: the client's retry of
  // the same code, a replay again while the marker lives, revokes it once the minter is told.
  await tellLostGrant(context, marker?.link, 'replayed')
  await runEffects(context, refused.effects)
  return renderOAuthError(refused.refusal)
}

/** Tells each lost-grant handler, in order, that the client will never hold the grant `link` names (if the code named one). */
async function tellLostGrant(context: ServerContext, link: LinkReference | undefined, reason: LostGrant['reason']): Promise<void> {
  if (link === undefined) return
  for (const handler of context.lostGrantHandlers) await handler({ ...link, reason })
}
