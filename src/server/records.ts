/**
 * What the authorization server keeps in storage, and under which keys (SPEC R3.1, R7.2). Every
 * key derived from a code or token uses its SHA-256, never the value itself, so a storage dump
 * yields nothing a client could present. Every record expires (`rules/lifetimes.ts`), and what is done
 * is deleted.
 *
 * | key | value | lives |
 * |---|---|---|
 * | `code:<hash>` | {@link CodeRecord} | the code's lifetime; taken atomically on redemption |
 * | `used-code:<hash>` | {@link UsedMarker} | from minting until well past the code's lifetime: names the grant a replay revokes (RFC 6749 §4.1.2), and, for a code minted with a `reference`, the link grant it is for |
 * | `grant:<id>` | {@link GrantRecord} | while its tokens can be used; deleted on revocation |
 * | `revoked-grant:<id>` | `true` | an hour: a tombstone that stops a racing write from reviving a revoked grant |
 * | `token:<hash>` | {@link TokenRecord} | the access token's lifetime |
 * | `refresh:<hash>` | {@link TokenRecord} | the refresh token's lifetime; taken on rotation, deleted with its grant |
 * | `used-refresh:<hash>` | {@link RefreshReuseMarker} | the refresh token's lifetime, to detect reuse after rotation; deleted with its grant |
 * | `refresh-grace:<hash>` | {@link RefreshGrace} | the grace period after the token's rotation (`refreshTokenReuseGraceSeconds`): its successor, which a retry of the token may replace while unused |
 * | `refresh-retry:<hash>` | `true` | the rest of the grace plus an hour: a retry of the rotated token claimed this successor (atomically, with `add`) |
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
export type {
  ClosedLinkGrantSlot,
  CodeRecord,
  GrantRecord,
  LinkGrantEntry,
  LinkGrantHints,
  LinkGrantSlot,
  LinkHint,
  LinkReference,
  LinkVersionRecord,
  LostGrant,
  RefreshGrace,
  RefreshReuseMarker,
  TokenRecord,
  UsedMarker,
} from '../rules/records.js'

/**
 * Builders of storage keys. A code or token is named by its SHA-256 (`lib/hash.ts`), computed once
 * per request by the caller, never by the value itself. Client ids and subjects are
 * percent-encoded so that a `:` inside them cannot make two links share a key.
 *
 * @example
 * ```ts
 * keys.code(sha256(code)) // 'code:<base64url SHA-256 of the code>'
 * keys.link('music', 'user:1') // 'link:music:user%3A1'
 * keys.linkGrant('music', 'user:1', 0) // 'link-grants:music:user%3A1:0'
 * ```
 * @group Authorization server
 */
export const keys = {
  code: (codeHash: string): string => `code:${codeHash}`,
  usedCode: (codeHash: string): string => `used-code:${codeHash}`,
  accessToken: (tokenHash: string): string => `token:${tokenHash}`,
  refreshToken: (tokenHash: string): string => `refresh:${tokenHash}`,
  usedRefreshToken: (tokenHash: string): string => `used-refresh:${tokenHash}`,
  refreshGrace: (tokenHash: string): string => `refresh-grace:${tokenHash}`,
  refreshRetry: (successorHash: string): string => `refresh-retry:${successorHash}`,
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
