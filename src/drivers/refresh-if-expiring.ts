/**
 * The drivers' refresh rule (SPEC R8.2): refresh a peer's access token shortly before it
 * expires. The drivers call it while holding the link's lease (`link-guard.ts`), so one worker
 * refreshes and the others then read the rotated tokens: a second refresh with the same refresh
 * token would look like theft to the peer, which then revokes the whole grant (RFC 9700 §4.14.2).
 *
 * @module
 */
import type { PeerConfig } from '../client/peer.js'
import { refreshTokenSet } from '../client/refresh.js'
import { tokenSetExpiresWithin, type TokenSet } from '../client/token-set.js'
import type { SerializedError } from '../errors.js'
import { toSerializedError } from './run-error.js'

/** Refresh this many seconds before the peer's access token expires. */
export const REFRESH_MARGIN_SECONDS = 60

/**
 * New tokens when `tokens` expire within {@link REFRESH_MARGIN_SECONDS} and can be refreshed;
 * `undefined` when they are still good (or cannot be refreshed: the caller then uses them as
 * they are, and the peer's 401 will tell). Throws the refresh's `ReciprocalError`
 * (`ERR_NEEDS_RECONSENT` for a dead refresh token).
 *
 * @internal
 */
export async function refreshIfExpiring(peer: PeerConfig, tokens: TokenSet, now: number): Promise<TokenSet | undefined> {
  if (!tokenSetExpiresWithin(tokens, now, REFRESH_MARGIN_SECONDS) || tokens.refreshToken === undefined) return undefined
  return refreshTokenSet(peer, tokens, { now })
}

/** The outcome of a refresh, as both parties' machines take it. @internal */
export type RefreshEvent =
  | { readonly type: 'tokens-refreshed'; readonly tokens: TokenSet }
  | { readonly type: 'refresh-failed'; readonly error: SerializedError }

/**
 * A live access token from `tokens`: refreshed first when it is about to expire, with the outcome
 * recorded through `record` (the caller's machine step) before it is returned or thrown.
 *
 * @internal
 */
export async function liveAccessToken(
  peer: PeerConfig,
  tokens: TokenSet,
  now: number,
  record: (event: RefreshEvent) => Promise<unknown>,
): Promise<string> {
  let refreshed: TokenSet | undefined
  try {
    refreshed = await refreshIfExpiring(peer, tokens, now)
  } catch (err) {
    // The error is thrown on to the caller as it is: nothing to report here.
    await record({ type: 'refresh-failed', error: toSerializedError(err, 'refresh', () => undefined) })
    throw err
  }
  if (refreshed === undefined) return tokens.accessToken
  await record({ type: 'tokens-refreshed', tokens: refreshed })
  return refreshed.accessToken
}
