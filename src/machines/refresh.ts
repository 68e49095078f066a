/**
 * When a party refreshes its tokens at the peer (SPEC R8.2): shortly before its access token
 * expires, if it holds a refresh token. The machines decide it; the drivers only run the
 * resulting `refresh-peer-tokens` command.
 *
 * @module
 */
import { tokenSetExpiresWithin, type TokenSet } from '../core/token-set.js'

/** Refresh this many seconds before the peer's access token expires. @internal */
export const REFRESH_MARGIN_SECONDS = 60

/** Whether `tokens` should be refreshed now: they expire within the margin and can be refreshed. @internal */
export function needsRefresh(tokens: TokenSet, now: number): boolean {
  return tokens.refreshToken !== undefined && tokenSetExpiresWithin(tokens, now, REFRESH_MARGIN_SECONDS)
}
