/**
 * What party A's machine checks of a consent or an update, and what it says when a one-way link
 * has no consent to give (SPEC R1.3, R2, R7.6, R8.1).
 *
 * @module
 */
import { ErrorCode, ReciprocalError } from '../core/errors.js'
import { formatScope, isScopeSubset, parseScope } from '../protocol/scope.js'
import type { OneWayReason, PartyAState } from './party-a-state.js'

/** Why a one-way link has no consent to give, and what to do instead (SPEC R1.3, R8.1). @internal */
export function nothingToConsentTo(s: Extract<PartyAState, { status: 'one-way' }>): ReciprocalError {
  const grantNow = `grant a scope now with updateReciprocalScope('${s.linkId}', scope)`
  const why: Record<OneWayReason, [ErrorCode, string, string]> = {
    'none-requested': [
      ErrorCode.NothingRequested,
      'The peer asked for no access back (no `reciprocal` in its responses) and no reciprocal scope is configured for it',
      `Set peers.${s.peerId}.reciprocal.configured to the scope agreed with this peer (SPEC R1.3) for the links started after that, or ${grantNow}.`,
    ],
    malformed: [
      ErrorCode.InvalidResponse,
      "The peer's `reciprocal` request is not a valid scope string",
      `Ask the peer to send space-separated scope tokens (SPEC R1.2), or ${grantNow}.`,
    ],
    'nothing-to-offer': [
      ErrorCode.NothingToOffer,
      'Nothing the peer asked for is within the reciprocal scope offered to it',
      `Widen peers.${s.peerId}.reciprocal.offer if the peer should get what it asked for, or ${grantNow}.`,
    ],
    'consent-refused': [ErrorCode.ConsentRefused, 'The user already refused the reciprocal consent for this link', `To grant access after all, ${grantNow}.`],
  }
  const [code, message, hint] = why[s.reason]
  return new ReciprocalError(`There is no reciprocal consent to give: ${message}`, { code, step: 'consent', hint })
}

/** Consent or update scope: syntactically scope tokens, and within what may be granted (SPEC R7.6). @internal */
export function checkGrantable(scope: readonly string[], allowed: readonly string[]): string[] {
  const tokens = parseScope(scope.join(' ')) ?? (scope.length === 0 ? [] : undefined)
  if (tokens === undefined || !isScopeSubset(tokens, allowed)) {
    throw new ReciprocalError('The consent grants a scope that was not offered', {
      code: ErrorCode.ConsentInvalid,
      step: 'consent',
      hint: `Grant only scopes from: ${formatScope(allowed) || '(none)'}`,
    })
  }
  return tokens
}
