/**
 * Party A's states, events and commands: the vocabulary of party A's machine (`party-a.ts`),
 * its consent rules (`party-a-consent.ts`) and its unlink (`party-a-unlink.ts`). Plain JSON.
 *
 * @module
 */
import type { SerializedError } from '../core/errors.js'
import type { PendingAuthorization } from '../core/pending-authorization.js'
import type { TokenSet } from '../core/token-set.js'
import type { Unlinked } from './outbox.js'
import type { StepContext } from './types.js'

/**
 * What every state of party A's link carries.
 *
 * @example
 * ```ts
 * const describe = (link: PartyALinkBase): string => `${link.linkId}: ${link.userId} with ${link.peerId}`
 * ```
 * @see SPEC R7.9 (the link's user is the grant's subject)
 * @group State machines
 */
export interface PartyALinkBase {
  readonly linkId: string
  /** The peer (party B) this link is with: its id in the driver's peer registry. Never changes. */
  readonly peerId: string
  /** The user at A. Also the subject of the grant A gives B (SPEC R7.9). */
  readonly userId: string
  readonly updatedAt: number
  /** The effects still to run, in order; the driver runs them and feeds back their results (`outbox.ts`). */
  readonly outbox: readonly PartyACommand[]
}

/**
 * What every state of party A's link after the initial flow carries.
 *
 * @example
 * ```ts
 * const offeredScope = (linked: PartyALinked): string => linked.offered.join(' ')
 * ```
 * @see SPEC R1.1, R1.3
 * @group State machines
 */
export interface PartyALinked extends PartyALinkBase {
  /** Tokens B issued to A in the initial flow. */
  readonly peerTokens: TokenSet
  /** The reciprocal scope B may get: requested ∩ configured offer (SPEC R1.3). */
  readonly offered: readonly string[]
  /**
   * The newest code A minted for B — or may have minted: a mint that failed midway, or a crash
   * during one — that was not delivered, until a newer code is delivered. A's authorization
   * server compares the next code with it: a code that drops any of its scope revokes every
   * older grant when it is minted (SPEC R5.1).
   */
  readonly undelivered?: UndeliveredCode
}

/**
 * A code minted for B (or perhaps minted) and not delivered: its scope, and its link version
 * when the mint is known to have completed (SPEC R5.3).
 *
 * @example
 * ```ts
 * const undelivered: UndeliveredCode = { scope: ['assistant.announce'], version: 2 }
 * ```
 * @group State machines
 */
export interface UndeliveredCode {
  readonly scope: readonly string[]
  readonly version?: number
}

/**
 * Every state of party A's link. `status` names it; each state carries what the next steps need.
 * `granted` is the grant B holds at A now — never one A's authorization server may already have
 * revoked: minting a code that narrows the grant revokes the old grant at once, so a delivery
 * that narrows stops claiming it before the code is minted (SPEC R5.1, R7.6). The state is saved
 * before the mint, so neither a failure nor a crash after it can leave a claim on a dead grant;
 * only a failure known to come before the mint gives the grant back.
 *
 * @example
 * ```ts
 * const stateOfLink: PartyAState | undefined = await partyA.getLink(linkId)
 * if (stateOfLink?.status === 'needs-reconsent') await startLink()
 * ```
 * @group State machines
 */
export type PartyAState =
  | (PartyALinkBase & { readonly status: 'awaiting-callback'; readonly pending: PendingAuthorization })
  | (PartyALinkBase & { readonly status: 'failed'; readonly error: SerializedError })
  | (PartyALinked & { readonly status: 'awaiting-consent'; readonly requested: readonly string[] })
  | (PartyALinked & { readonly status: 'one-way'; readonly reason: OneWayReason })
  | (PartyALinked & {
      /** A delivery whose code is not minted yet: its outbox holds the mint (after a refresh, if one is due). */
      readonly status: 'delivering'
      readonly scope: readonly string[]
      readonly attempt: number
      readonly granted?: Grant
      /**
       * The grant this delivery narrows, no longer claimed: minting its code revokes it (SPEC
       * R5.1). It becomes `granted` again only if the delivery fails before the mint.
       */
      readonly cutOnMint?: Grant
    })
  | (PartyALinked & {
      /** The code is minted (it is `undelivered`, with its version) and not yet delivered: the outbox holds its POST. */
      readonly status: 'code-minted'
      readonly scope: readonly string[]
      readonly attempt: number
      readonly granted?: Grant
      readonly undelivered: Required<UndeliveredCode>
    })
  | (PartyALinked & {
      readonly status: 'delivery-failed'
      readonly scope: readonly string[]
      readonly attempt: number
      readonly error: SerializedError
      readonly granted?: Grant
    })
  | (PartyALinked & { readonly status: 'reciprocal-granted'; readonly granted: Grant })
  | (PartyALinked & { readonly status: 'needs-reconsent'; readonly error: SerializedError; readonly granted?: Grant })
  /** Unlinked (SPEC R5.2): the outbox holds the revocations not confirmed yet, `error` why the last one failed. */
  | (PartyALinkBase & Unlinked<PartyACommand>)

/**
 * Why a link is one-way — A can call B, B has no grant at A (SPEC R1.3, R2.1):
 * `consent-refused` — the user said no; `none-requested` — B sent no `reciprocal` and none is
 * configured for it (an authorization server not built for Reciprocal OAuth); `malformed` — B's
 * `reciprocal` is not a scope string; `nothing-to-offer` — nothing B asked for is within A's offer.
 * {@link reciprocal-oauth!PartyA.updateReciprocalScope} grants a scope later in every case.
 *
 * @example
 * ```ts
 * if (current.status === 'one-way' && current.reason === ('consent-refused' satisfies OneWayReason)) console.info('the user said no')
 * ```
 * @group State machines
 */
export type OneWayReason = 'consent-refused' | 'none-requested' | 'malformed' | 'nothing-to-offer'

/**
 * The grant B holds at A: its scope and version (SPEC R5.3).
 *
 * @example
 * ```ts
 * const granted: Grant = { scope: ['assistant.announce'], version: 1 }
 * ```
 * @group State machines
 */
export interface Grant {
  readonly scope: readonly string[]
  readonly version: number
}

/**
 * Events party A's machine takes: from the user (consent, update, unlink), from the driver on
 * the user's behalf (`refresh`, `resume`), and the results of the commands.
 *
 * @example
 * ```ts
 * const event: PartyAEvent = { type: 'consent-refused' }
 * const after = stepPartyA(current, event, ctx)
 * ```
 * @see SPEC R2.1, R5.1, R5.2
 * @group State machines
 */
export type PartyAEvent =
  | { readonly type: 'tokens-received'; readonly tokens: TokenSet; readonly reciprocalFromToken?: string | undefined; readonly reciprocalFromCallback?: string | undefined }
  | { readonly type: 'exchange-failed'; readonly error: SerializedError }
  | { readonly type: 'consent-granted'; readonly scope: readonly string[] }
  | { readonly type: 'consent-refused' }
  | { readonly type: 'update-scope'; readonly scope: readonly string[] }
  | { readonly type: 'unlink' }
  /** A live access token is wanted: refresh the tokens at B if they are about to expire (SPEC R8.2). */
  | { readonly type: 'refresh' }
  /** Finish what a crash or a failure interrupted: the outbox, or a failed delivery (with a fresh code). */
  | { readonly type: 'resume' }
  | { readonly type: 'tokens-refreshed'; readonly tokens: TokenSet }
  | { readonly type: 'refresh-failed'; readonly error: SerializedError }
  | { readonly type: 'code-minted'; readonly code: string; readonly version: number }
  /** The mint failed; it may have claimed its version before it did, so the code is taken as perhaps minted. */
  | { readonly type: 'mint-failed'; readonly error: SerializedError }
  | { readonly type: 'code-posted' }
  | { readonly type: 'post-failed'; readonly error: SerializedError }
  /**
   * A's authorization server refused the code of this link version for good: a second
   * redemption, after which it revokes the grant (RFC 6749 §4.1.2) — B lost the first answer in
   * a crash, or a copy of the code was presented — or B presented it expired. The state stops
   * claiming the grant, and a link in `reciprocal-granted` offers B a fresh code (SPEC R4.3).
   */
  | { readonly type: 'grant-lost'; readonly version: number }
  | { readonly type: 'local-grant-revoked' }
  /** A's own revocation of B's grant failed (its storage): it stays in the outbox, tried first on the next attempt. */
  | { readonly type: 'local-revocation-failed'; readonly error: SerializedError }
  | { readonly type: 'peer-tokens-revoked' }
  | { readonly type: 'peer-revocation-failed'; readonly error: SerializedError }

/**
 * The effects party A's machine asks for, kept in the state's outbox until their result is in.
 *
 * @example
 * ```ts
 * const commands: readonly PartyACommand[] = current.outbox
 * const refreshing = commands.some((command) => command.type === 'refresh-peer-tokens')
 * ```
 * @see SPEC R3.1, R3.2, R5.2, R8.2
 * @group State machines
 */
export type PartyACommand =
  /** Refresh the link's tokens at B (its `peerTokens`) before they expire (SPEC R8.2). */
  | { readonly type: 'refresh-peer-tokens' }
  /** Mint a reciprocal code for B, bound to the user and scope and superseding older grants (SPEC R3.1, R5.1). */
  | { readonly type: 'mint-code'; readonly subject: string; readonly scope: string }
  /**
   * POST the code just minted to B's token endpoint with the link's access token at B (SPEC
   * R3.2). The code is not in the command: a state is stored, and a code is kept only as its hash
   * (SPEC R3.1). It lives in the memory of the worker that minted it; a worker without it — after
   * a crash — mints a fresh one, which supersedes it (SPEC R5.3). `version` is the code's link
   * version, which tells one minted code from the next.
   */
  | { readonly type: 'post-code'; readonly version: number }
  /** Revoke every grant A gave B for this user (SPEC R5.2). */
  | { readonly type: 'revoke-local-grant'; readonly subject: string }
  /** Revoke the tokens B issued to A (RFC 7009, SPEC R5.2). */
  | { readonly type: 'revoke-peer-tokens'; readonly tokens: TokenSet }

/**
 * What party A's steps need: the time, and the reciprocal scope A is configured to offer B.
 *
 * @example
 * ```ts
 * const stepContext: PartyAContext = { now: 1_700_000_000, offer: 'assistant.announce assistant.read' }
 * const after = stepPartyA(current, { type: 'consent-refused' }, stepContext)
 * ```
 * @see SPEC R1.3
 * @group State machines
 */
export interface PartyAContext extends StepContext {
  /** The widest scope A offers B (SPEC R1.3), space-delimited. */
  readonly offer: string
  /** The reciprocal scope agreed beforehand, used when B sends none (SPEC R1.3). */
  readonly configured?: string | undefined
}
