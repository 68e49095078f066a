/**
 * The drivers' refresh rule (SPEC R8.2): refresh a peer's access token shortly before it
 * expires, when a refresh token allows it.
 *
 * @module
 */
import type { PeerConfig } from '../client/peer.js'
import { refreshTokenSet } from '../client/refresh.js'
import { tokenSetExpiresWithin, type TokenSet } from '../client/token-set.js'

/** Refresh this many seconds before the peer's access token expires. */
export const REFRESH_MARGIN_SECONDS = 60

/**
 * New tokens when `tokens` expire within {@link REFRESH_MARGIN_SECONDS} and can be refreshed;
 * `undefined` when they are still good (or cannot be refreshed: the caller then uses them as
 * they are, and the peer's 401 will tell).
 *
 * @internal
 */
export async function refreshIfExpiring(peer: PeerConfig, tokens: TokenSet, now: number): Promise<TokenSet | undefined> {
  if (!tokenSetExpiresWithin(tokens, now, REFRESH_MARGIN_SECONDS) || tokens.refreshToken === undefined) return undefined
  return refreshTokenSet(peer, tokens, { now })
}
