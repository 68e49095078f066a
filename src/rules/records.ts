/**
 * What the authorization server remembers, as plain JSON values: the records the rules in this
 * folder decide about and the server stores (under the keys `server/records.ts` lists). Types
 * only; a rule receives these as values and never reads storage itself.
 *
 * @module
 */

/**
 * An authorization code (SPEC R3.1, R7.2): bound to one client, one subject, one scope.
 *
 * @example
 * ```ts
 * const code: CodeRecord = { clientId: 'music', subject: 'user-1', scope: 'assistant.read', expiresAt: 1060, grantId: 'g1', linkVersion: 1, supersede: true }
 * ```
 * @group Rules
 */
export type CodeRecord = {
  readonly clientId: string
  readonly subject: string
  readonly scope: string
  readonly expiresAt: number
  readonly redirectUri?: string
  /** RFC 7636 S256 challenge. */
  readonly codeChallenge?: string
  /** The grant its tokens will belong to; chosen at minting so a replay can name it. */
  readonly grantId: string
  /** The link version the code was minted under (see `links.ts`). */
  readonly linkVersion: number
  /** Whether redeeming it replaces every older grant of the link (SPEC R5.1, R5.3). */
  readonly supersede: boolean
}

/**
 * A grant: what the user consented to. Every token names its grant; a token is valid only while
 * its grant exists, so deleting the grant revokes all of its tokens at once.
 *
 * @example
 * ```ts
 * const grant: GrantRecord = { clientId: 'music', subject: 'user-1', scope: 'assistant.read', createdAt: 1000, linkVersion: 1, indexSlot: 0 }
 * ```
 * @group Rules
 */
export type GrantRecord = {
  readonly clientId: string
  readonly subject: string
  readonly scope: string
  readonly createdAt: number
  readonly linkVersion: number
  /** Where the grant sits in its link's grant index (`link-grants.ts`), so a refresh can move the entry and a revocation close it. */
  readonly indexSlot: number
  /**
   * SHA-256 of the grant's current refresh token, so that revoking the grant deletes it, and the
   * reuse markers of the tokens it replaced (absent when refresh tokens are off).
   */
  readonly refreshTokenHash?: string
}

/**
 * An opaque access token or a refresh token, stored under its hash. The refresh token's `scope` is
 * the grant's scope (what a refresh may ask for); the access token's may be narrower.
 *
 * @example
 * ```ts
 * const token: TokenRecord = { grantId: 'g1', clientId: 'music', subject: 'user-1', scope: 'assistant.read', expiresAt: 4600 }
 * ```
 * @group Rules
 */
export type TokenRecord = {
  readonly grantId: string
  readonly clientId: string
  readonly subject: string
  readonly scope: string
  readonly expiresAt: number
}

/**
 * A used code: which grant to revoke on a second use and, for a code minted with a `reference`,
 * what the server's code-replay handlers are told then.
 *
 * @example
 * ```ts
 * const marker: UsedMarker = { grantId: 'g1', replay: { clientId: 'music', subject: 'user-1', version: 2, reference: 'music.l1' } }
 * ```
 * @group Rules
 */
export type UsedMarker = { readonly grantId: string; readonly replay?: CodeReplay }

/**
 * A superseding code presented again after it was redeemed (RFC 6749 §4.1.2): the grant of link
 * version `version` of (`clientId`, `subject`) is revoked, and the client holds no tokens of it.
 * `reference` is what the code's minter gave `mintCode` (party A: the link id), so that it can
 * find its own record of the grant.
 *
 * @example
 * ```ts
 * const replay: CodeReplay = { clientId: 'music', subject: 'user-1', version: 2, reference: 'music.l1' }
 * ```
 * @group Rules
 */
export type CodeReplay = { readonly clientId: string; readonly subject: string; readonly version: number; readonly reference: string }

/**
 * A refresh token's reuse marker: which grant to revoke if the token comes back after its
 * rotation, and the hash of the token it replaced — a chain that revoking the grant walks to
 * delete the markers.
 *
 * @example
 * ```ts
 * const marker: RefreshReuseMarker = { grantId: 'g1', replaces: '<SHA-256 of the previous refresh token>' }
 * ```
 * @group Rules
 */
export type RefreshReuseMarker = { readonly grantId: string; readonly replaces?: string }

/**
 * Lower bound of a link's newest version; only a hint, the version keys are the truth.
 *
 * @example
 * ```ts
 * const hint: LinkHint = { version: 3 }
 * ```
 * @group Rules
 */
export type LinkHint = { readonly version: number }

/**
 * One version of a link. `cut: true` when the version was claimed already cut: its code
 * narrowed the previous version's scope, or the link was removed. A version cut later, when its
 * superseding code is redeemed, has its cut in a key of its own (`link-cut:…`, only ever
 * `true`), so that this record never changes once added and can be written again with a new
 * lifetime without racing the cut. `scope` is the scope of the superseding code that holds the
 * version (absent for a version taken by unlinking).
 *
 * @example
 * ```ts
 * const narrowing: LinkVersionRecord = { cut: true, scope: 'assistant.read' }
 * ```
 * @group Rules
 */
export type LinkVersionRecord = { readonly cut?: true; readonly scope?: string }

/**
 * One entry of a link's grant index: a grant of the link and the version it was created under,
 * so that cutting a version can find and revoke the older grants (SPEC R5.1).
 *
 * @example
 * ```ts
 * const entry: LinkGrantEntry = { grantId: 'g1', linkVersion: 1 }
 * ```
 * @group Rules
 */
export type LinkGrantEntry = { readonly grantId: string; readonly linkVersion: number }

/**
 * A slot of the grant index whose grant was revoked or whose entry moved (`link-grants.ts`).
 *
 * @example
 * ```ts
 * const closed: ClosedLinkGrantSlot = { closed: true }
 * ```
 * @group Rules
 */
export type ClosedLinkGrantSlot = { readonly closed: true }

/**
 * What a slot of a link's grant index holds.
 *
 * @example
 * ```ts
 * const slot: LinkGrantSlot = { grantId: 'g1', linkVersion: 1 }
 * ```
 * @group Rules
 */
export type LinkGrantSlot = LinkGrantEntry | ClosedLinkGrantSlot

/**
 * Hints of a link's grant index (`link-grants.ts`): `next`, where the next append starts, and
 * `low`, below which every slot is closed for good.
 *
 * @example
 * ```ts
 * const hints: LinkGrantHints = { next: 4, low: 2 }
 * ```
 * @group Rules
 */
export type LinkGrantHints = { readonly next: number; readonly low: number }
