/**
 * The drivers' refresh rule (SPEC R8.2): refresh a peer's access token shortly before it
 * expires, once, even when several workers share the storage. A second refresh with the same
 * (rotated) refresh token would look like token theft to the peer, which then revokes the whole
 * grant (RFC 9700 §4.14.2) — so the first worker claims the refresh token in storage and the
 * others keep using the access token they have, which is still valid for the margin.
 *
 * @module
 */
import { ErrorCode, ReciprocalError } from '../errors.js'
import type { PeerConfig } from '../client/peer.js'
import { refreshTokenSet } from '../client/refresh.js'
import { tokenSetExpiresWithin, type TokenSet } from '../client/token-set.js'
import { sha256 } from '../crypto/hash.js'
import { DEFAULT_TIMEOUT_MS } from '../protocol/constants.js'
import type { Storage } from '../storage/storage.js'

/** Refresh this many seconds before the peer's access token expires. */
export const REFRESH_MARGIN_SECONDS = 60

/**
 * New tokens when `tokens` expire within {@link REFRESH_MARGIN_SECONDS} and this worker won the
 * claim to refresh them; `undefined` when they are still good, cannot be refreshed, or another
 * worker is refreshing them while the access token still works. Throws the refresh's
 * `ReciprocalError` (`ERR_NEEDS_RECONSENT` for a dead refresh token).
 *
 * @internal
 */
export async function refreshOnce(
  peer: PeerConfig,
  tokens: TokenSet,
  context: { readonly storage: Storage; readonly now: number },
): Promise<TokenSet | undefined> {
  const { storage, now } = context
  if (!tokenSetExpiresWithin(tokens, now, REFRESH_MARGIN_SECONDS) || tokens.refreshToken === undefined) return undefined
  const claim = `refresh-claim:${await sha256(tokens.refreshToken)}`
  const claimSeconds = Math.ceil((peer.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000) + 5
  if (!(await storage.add(claim, now, claimSeconds))) {
    if (tokens.expiresAt === undefined || tokens.expiresAt > now) return undefined
    throw new ReciprocalError('Another worker is refreshing these tokens', {
      code: ErrorCode.PeerUnavailable,
      step: 'refresh',
      hint: 'Retry in a moment: the refreshed tokens will be in the link state.',
      retryable: true,
    })
  }
  try {
    return await refreshTokenSet(peer, tokens, { now })
  } catch (err) {
    // A failed refresh did not rotate anything: let the next attempt try again at once.
    await storage.delete(claim)
    throw err
  }
}
