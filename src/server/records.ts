/**
 * What the authorization server keeps in storage, and under which keys (SPEC R3.1, R7.2). Every
 * key derived from a code or token uses its SHA-256, never the value itself, so a storage dump
 * yields nothing a client could present. Every record expires (`lifetimes.ts`), and what is done
 * is deleted.
 *
 * | key | value | lives |
 * |---|---|---|
 * | `code:<hash>` | {@link CodeRecord} | the code's lifetime; taken atomically on redemption |
 * | `used-code:<hash>` | {@link UsedMarker} | from minting until well past the code's lifetime: names the grant a replay revokes (RFC 6749 §4.1.2) |
 * | `grant:<id>` | {@link GrantRecord} | while its tokens can be used; deleted on revocation |
 * | `revoked-grant:<id>` | `true` | an hour: a tombstone that stops a racing write from reviving a revoked grant |
 * | `token:<hash>` | {@link TokenRecord} | the access token's lifetime |
 * | `refresh:<hash>` | {@link TokenRecord} | the refresh token's lifetime; taken on rotation, deleted with its grant |
 * | `used-refresh:<hash>` | {@link RefreshReuseMarker} | the refresh token's lifetime, to detect reuse after rotation; deleted with its grant |
 * | `link:<client>:<subject>` | {@link LinkHint} | the link's lifetime: a hint of the newest link version |
 * | `link-version:<client>:<subject>:<n>` | {@link LinkVersionRecord} | the newest: the link's lifetime; older ones: the longest code lifetime plus an hour |
 * | `link-cut:<client>:<subject>:<n>` | `true` | as long as version `n`: the version was cut when its code was redeemed |
 * | `link-grants:<client>:<subject>:<n>` | {@link LinkGrantSlot} | an entry: as long as its grant, plus an hour; closed (grant revoked, entry moved by a refresh): an hour |
 * | `link-grants:<client>:<subject>:hints` | {@link LinkGrantHints} | the link's lifetime: where the index's next append starts, and its low-water mark |
 *
 * A link's lifetime is the grant lifetime plus an hour, from the last time a grant of the link
 * was created or refreshed or a code minted for it (`links.ts`).
 *
 * @module
 */
import { sha256 } from '../lib/hash.js'

/**
 * An authorization code (SPEC R3.1, R7.2): bound to one client, one subject, one scope.
 *
 * @group Authorization server
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
 * @group Authorization server
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
 * @group Authorization server
 */
export type TokenRecord = {
  readonly grantId: string
  readonly clientId: string
  readonly subject: string
  readonly scope: string
  readonly expiresAt: number
}

/** A used code: which grant to revoke on a second use. @group Authorization server */
export type UsedMarker = { readonly grantId: string }

/**
 * A refresh token's reuse marker: which grant to revoke if the token comes back after its
 * rotation, and the hash of the token it replaced — a chain that revoking the grant walks to
 * delete the markers.
 *
 * @group Authorization server
 */
export type RefreshReuseMarker = { readonly grantId: string; readonly replaces?: string }

/** Lower bound of a link's newest version; only a hint, the version keys are the truth. @group Authorization server */
export type LinkHint = { readonly version: number }

/**
 * One version of a link. `cut: true` when the version was claimed already cut: its code
 * narrowed the previous version's scope, or the link was removed. A version cut later, when its
 * superseding code is redeemed, has its cut in a key of its own (`link-cut:…`, only ever
 * `true`), so that this record never changes once added and can be written again with a new
 * lifetime without racing the cut. `scope` is the scope of the superseding code that holds the
 * version (absent for a version taken by unlinking).
 *
 * @group Authorization server
 */
export type LinkVersionRecord = { readonly cut?: true; readonly scope?: string }

/**
 * One entry of a link's grant index: a grant of the link and the version it was created under,
 * so that cutting a version can find and revoke the older grants (SPEC R5.1).
 *
 * @group Authorization server
 */
export type LinkGrantEntry = { readonly grantId: string; readonly linkVersion: number }

/** A slot of the grant index whose grant was revoked or whose entry moved (`link-grants.ts`). @group Authorization server */
export type ClosedLinkGrantSlot = { readonly closed: true }

/** What a slot of a link's grant index holds. @group Authorization server */
export type LinkGrantSlot = LinkGrantEntry | ClosedLinkGrantSlot

/**
 * Hints of a link's grant index (`link-grants.ts`): `next`, where the next append starts, and
 * `low`, below which every slot is closed for good.
 *
 * @group Authorization server
 */
export type LinkGrantHints = { readonly next: number; readonly low: number }

/**
 * Builders of storage keys. Client ids and subjects are percent-encoded so that a `:` inside
 * them cannot make two links share a key.
 *
 * @example
 * ```ts
 * await keys.code(code) // 'code:<base64url SHA-256 of the code>'
 * keys.link('music', 'user:1') // 'link:music:user%3A1'
 * keys.linkGrant('music', 'user:1', 0) // 'link-grants:music:user%3A1:0'
 * ```
 * @group Authorization server
 */
export const keys = {
  code: async (code: string): Promise<string> => `code:${await sha256(code)}`,
  usedCode: async (code: string): Promise<string> => `used-code:${await sha256(code)}`,
  accessToken: async (token: string): Promise<string> => `token:${await sha256(token)}`,
  refreshToken: async (token: string): Promise<string> => `refresh:${await sha256(token)}`,
  /** The same key as {@link keys.refreshToken}, from the token's SHA-256 (as a grant record names it). */
  refreshTokenByHash: (hash: string): string => `refresh:${hash}`,
  usedRefreshToken: async (token: string): Promise<string> => `used-refresh:${await sha256(token)}`,
  usedRefreshTokenByHash: (hash: string): string => `used-refresh:${hash}`,
  grant: (grantId: string): string => `grant:${grantId}`,
  revokedGrant: (grantId: string): string => `revoked-grant:${grantId}`,
  link: (clientId: string, subject: string): string =>
    `link:${encodeURIComponent(clientId)}:${encodeURIComponent(subject)}`,
  linkVersion: (clientId: string, subject: string, version: number): string =>
    `link-version:${encodeURIComponent(clientId)}:${encodeURIComponent(subject)}:${version}`,
  linkCut: (clientId: string, subject: string, version: number): string =>
    `link-cut:${encodeURIComponent(clientId)}:${encodeURIComponent(subject)}:${version}`,
  linkGrant: (clientId: string, subject: string, slot: number): string =>
    `link-grants:${encodeURIComponent(clientId)}:${encodeURIComponent(subject)}:${slot}`,
  linkGrantHints: (clientId: string, subject: string): string =>
    `link-grants:${encodeURIComponent(clientId)}:${encodeURIComponent(subject)}:hints`,
} as const
