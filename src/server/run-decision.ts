/**
 * Carrying out what the pure rules (`src/rules/`) decided: their effects, with the injected
 * storage, and their refusals, as OAuth error responses.
 *
 * @module
 */
import type { HttpResult } from '../protocol/http.js'
import { renderOAuthError } from '../protocol/oauth-error.js'
import type { Refused, RevokeGrant } from '../rules/outcome.js'
import type { ServerContext } from './options.js'
import { revokeGrant } from './grants.js'

/**
 * Carries out a rule's effects, in order.
 *
 * @example
 * ```ts
 * await runEffects(context, [{ type: 'revoke-grant', grantId }])
 * ```
 * @group Authorization server
 */
export async function runEffects(context: ServerContext, effects: readonly RevokeGrant[]): Promise<void> {
  // The one place a rule's revocation happens (a replay, a leaked token, a raced cut).
  for (const effect of effects) await revokeGrant(context, effect.grantId)
}

/**
 * Carries out a refusal: its effects first, then the error response to send.
 *
 * @example
 * ```ts
 * // A replayed code: invalid_grant, after revoking the grant the code was redeemed for.
 * return refuse(context, codeReplay({ grantId: 'g1' }))
 * ```
 * @group Authorization server
 */
export async function refuse(context: ServerContext, refused: Refused): Promise<HttpResult> {
  await runEffects(context, refused.effects)
  return renderOAuthError(refused.refusal)
}
