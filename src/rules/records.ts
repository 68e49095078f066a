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
 * @see SPEC R5.1, R7.6
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
 * @see SPEC R4.2, R4.4
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
 * A used code: which grant to revoke on a second use and, for a superseding code minted with a
 * `reference`, the link grant it is for (what the lost-grant handlers are told).
 *
 * @example
 * ```ts
 * const marker: UsedMarker = { grantId: 'g1', link: { clientId: 'music', subject: 'user-1', version: 2, reference: 'music.l1' } }
 * ```
 * @see SPEC R4.2 (a code presented again revokes what it issued)
 * @group Rules
 */
export type UsedMarker = { readonly grantId: string; readonly link?: LinkReference }

/**
 * The link grant a superseding code is for: version `version` of the link of (`clientId`,
 * `subject`), and `reference`, the minter's own name for it (party A: its link id), as given
 * to `mintCode`.
 *
 * @example
 * ```ts
 * const link: LinkReference = { clientId: 'music', subject: 'user-1', version: 2, reference: 'music.l1' }
 * ```
 * @see SPEC R5.3
 * @group Rules
 */
export type LinkReference = { readonly clientId: string; readonly subject: string; readonly version: number; readonly reference: string }

/**
 * A link grant the client can no longer get or use, told to the lost-grant handlers: its code
 * was presented again after its redemption (`replayed`: the grant is revoked, RFC 6749 §4.1.2),
 * or presented by its client after it expired unredeemed (`expired`: the grant never existed).
 *
 * @example
 * ```ts
 * const lost: LostGrant = { clientId: 'music', subject: 'user-1', version: 2, reference: 'music.l1', reason: 'replayed' }
 * ```
 * @group Rules
 */
export type LostGrant = LinkReference & { readonly reason: 'replayed' | 'expired' }

/**
 * A refresh token's reuse marker: which grant to revoke if the token comes back after its
 * rotation, and the hash of the token it replaced — a chain that revoking the grant walks to
 * delete the markers.
 *
 * @example
 * ```ts
 * const marker: RefreshReuseMarker = { grantId: 'g1', replaces: '<SHA-256 of the previous refresh token>' }
 * ```
 * @see SPEC R8.2, RFC 9700 §4.14.2
 * @group Rules
 */
export type RefreshReuseMarker = { readonly grantId: string; readonly replaces?: string }

/**
 * A rotated refresh token's grace (`refresh-grace.ts`): for a short time after its rotation, the
 * token it was rotated from may be presented again while `successor` — the refresh token issued
 * in its place — was never used, for a client that lost the answer. Hashes only.
 *
 * @example
 * ```ts
 * const grace: RefreshGrace = { grantId: 'g1', clientId: 'music', successor: '<SHA-256 of the new refresh token>', until: 1060 }
 * ```
 * @see SPEC R8.2, RFC 9700 §4.14.2
 * @group Rules
 */
export type RefreshGrace = {
  readonly grantId: string
  /** The client the rotated token was issued to: only it may present the token again. */
  readonly clientId: string
  /** SHA-256 of the refresh token issued in the rotated one's place. */
  readonly successor: string
  /** SHA-256 of the opaque access token issued with it (absent for a JWT, which cannot be revoked alone). */
  readonly successorAccessToken?: string
  /** When the grace ends (seconds): the rotation's time plus the grace period, never extended. */
  readonly until: number
}

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
 * @see SPEC R5.3
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
