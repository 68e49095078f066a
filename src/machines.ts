/**
 * `reciprocal-oauth/machines`: the protocol's pure core. Party A's and party B's state machines
 * (`step(state, event, ctx) → { state, commands }`, states are plain JSON), and the scope algebra
 * and reciprocal-scope rules they use. No I/O: time and randomness are passed in.
 *
 * @module reciprocal-oauth/machines
 */
export {
  startPartyA,
  stepPartyA,
  type Grant,
  type PartyACommand,
  type PartyAContext,
  type PartyAEvent,
  type PartyALinkBase,
  type PartyALinked,
  type OneWayReason,
  type PartyAState,
  type UndeliveredCode,
  type UnlinkRemaining,
} from './machines/party-a.js'
export {
  stepPartyB,
  type PartyBCommand,
  type PartyBEvent,
  type PartyBLinkBase,
  type PartyBState,
  type PendingCode,
  type RevocationTarget,
  type UnfinishedRevocation,
} from './machines/party-b.js'
export type { StepContext, Transition } from './machines/types.js'
export { formatScope, intersectScopes, isScopeSubset, isValidScope, parseScope } from './protocol/scope.js'
export {
  resolveReciprocalScope,
  type ReciprocalScopeInput,
  type ReciprocalScopeResolution,
  type ReciprocalScopeSource,
} from './protocol/reciprocal-scope.js'
