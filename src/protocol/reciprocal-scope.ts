/**
 * Which scope party B asks for at party A, and what A offers (SPEC R1.2–R1.3). Pure.
 *
 * @module
 */
import { intersectScopes, parseScope } from './scope.js'
import { invalidValue } from '../core/misuse.js'

/**
 * Where the reciprocal scope request came from (SPEC R1.2, R1.3).
 *
 * @example
 * ```ts
 * const resolution = resolveReciprocalScope({ fromTokenResponse: 'assistant.announce', offer: 'assistant.announce assistant.read' })
 * if (resolution.ok) console.info(resolution.source satisfies ReciprocalScopeSource) // 'token-response'
 * ```
 * @group Protocol
 */
export type ReciprocalScopeSource = 'token-response' | 'authorization-response' | 'configuration'

/**
 * Inputs of {@link resolveReciprocalScope}. Members may be `undefined` (absent).
 *
 * @example
 * ```ts
 * const input: ReciprocalScopeInput = { fromTokenResponse: 'assistant.announce', configured: 'assistant.read', offer: 'assistant.announce' }
 * const resolution = resolveReciprocalScope(input) // requested: ['assistant.announce'], from the token response
 * ```
 * @see SPEC R1.2, R1.3
 * @group Protocol
 */
export interface ReciprocalScopeInput {
  /** The `reciprocal` member of B's token response, if any (SPEC R1.2). */
  readonly fromTokenResponse?: string | undefined
  /** The `reciprocal` parameter of B's authorization response, if any (SPEC R1.2). */
  readonly fromAuthorizationResponse?: string | undefined
  /** The reciprocal scope A and B agreed beforehand, if any (SPEC R1.3). */
  readonly configured?: string | undefined
  /** The widest scope A is configured to offer B; may be empty (offer nothing). */
  readonly offer: string
}

/**
 * Result of {@link resolveReciprocalScope}: the requested scope and what A offers, or why there is
 * no reciprocal leg. `malformed`: the winning request is not RFC 6749 §3.3 syntax (there is no
 * fallback to a lower-priority source, so a broken peer is visible rather than silently
 * ignored); `none-requested`: no source asks for anything; `nothing-to-offer`: the request and
 * A's offer do not intersect.
 *
 * @example
 * ```ts
 * const resolution: ReciprocalScopeResolution = resolveReciprocalScope({ fromTokenResponse: 'music.admin', offer: 'assistant.announce' })
 * if (!resolution.ok) console.info(resolution.reason) // 'nothing-to-offer'
 * ```
 * @group Protocol
 */
export type ReciprocalScopeResolution =
  | {
      readonly ok: true
      /** What B asked for, normalised. */
      readonly requested: string[]
      /** requested ∩ offer, normalised: never wider than the offer (SPEC R1.3). */
      readonly offered: string[]
      readonly source: ReciprocalScopeSource
    }
  | { readonly ok: false; readonly reason: 'malformed' | 'nothing-to-offer' | 'none-requested' }

/**
 * Resolves the reciprocal scope: the token response wins, then the authorization response, then
 * configuration (SPEC R1.2–R1.3). What A offers is the intersection of the request with its
 * configured offer, never more — a request wider than the offer is cut down, not refused.
 *
 * @throws TypeError when `offer` itself is not a valid scope string (a configuration error).
 * @example
 * ```ts
 * resolveReciprocalScope({ fromTokenResponse: 'calendar.read contacts.read', offer: 'calendar.read' })
 * // { ok: true, requested: ['calendar.read', 'contacts.read'], offered: ['calendar.read'], source: 'token-response' }
 * ```
 * @group Protocol
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-reciprocal-04#section-2.1
 */
export function resolveReciprocalScope(input: ReciprocalScopeInput): ReciprocalScopeResolution {
  const offer = input.offer === '' ? [] : parseScope(input.offer)
  if (offer === undefined) throw invalidValue('the configured reciprocal offer is not a valid scope string')

  const chosen = pick(input)
  if (chosen === undefined) return { ok: false, reason: 'none-requested' }
  const requested = parseScope(chosen.value)
  if (requested === undefined) return { ok: false, reason: 'malformed' }

  const offered = intersectScopes(requested, offer)
  if (offered.length === 0) return { ok: false, reason: 'nothing-to-offer' }
  return { ok: true, requested, offered, source: chosen.source }
}

function pick(input: ReciprocalScopeInput): { value: string; source: ReciprocalScopeSource } | undefined {
  if (input.fromTokenResponse !== undefined) return { value: input.fromTokenResponse, source: 'token-response' }
  if (input.fromAuthorizationResponse !== undefined) return { value: input.fromAuthorizationResponse, source: 'authorization-response' }
  if (input.configured !== undefined) return { value: input.configured, source: 'configuration' }
  return undefined
}
