/**
 * `reciprocal-oauth/machines`: the protocol's pure core. Party A's and party B's state machines
 * (`step(state, event, ctx) → { state, commands }`, states are plain JSON), and the scope algebra
 * and reciprocal-scope rules they use. No I/O: time and randomness are passed in.
 *
 * @module reciprocal-oauth/machines
 */
export { startPartyA, stepPartyA } from './machines/party-a.js'
export { type Grant, type PartyACommand, type PartyAContext, type PartyAEvent, type PartyALinkBase, type PartyALinked, type OneWayReason, type PartyAState, type UndeliveredCode } from './machines/party-a-state.js'
export {
  stepPartyB,
  type PartyBCommand,
  type PartyBEvent,
  type PartyBLinkBase,
  type PartyBState,
  type PendingCode,
  type RevocationTarget,
} from './machines/party-b.js'
export type { StepContext } from './machines/types.js'
export type { Command, Unlinked } from './machines/outbox.js'
export { formatScope, intersectScopes, isScopeSubset, isValidScope, parseScope } from './protocol/scope.js'
export {
  resolveReciprocalScope,
  type ReciprocalScopeInput,
  type ReciprocalScopeResolution,
  type ReciprocalScopeSource,
} from './protocol/reciprocal-scope.js'

// The authorization server's rules (pure): a code's life, a grant family's versions and cuts, a
// refresh token's rotation. The server handlers load records, ask these, and carry out the answer.
export {
  codeReplay,
  grantOfCode,
  judgeCodePresentation,
  judgeCodeScope,
  judgeCreatedGrant,
  type CodeJudgement,
  type CodePresentation,
} from './rules/code-redemption.js'
export { mintedCode, REPLAY_MARKER_TTL_SECONDS, type CodeMint } from './rules/code-mint.js'
export {
  claimedVersionRecord,
  cutsAtRedemption,
  isVersionCut,
  linkCheckFor,
  mustFinishPreviousCut,
  type LinkCheck,
  type LinkVersionClaim,
} from './rules/link-versions.js'
export { GRANT_WRITE_DEADLINE_SECONDS, grantWriteStands, mayWriteGrant } from './rules/grant-writes.js'
export {
  judgeRefreshGrant,
  judgeRefreshToken,
  lostRotation,
  refreshReplay,
  reuseMarker,
  rotatedGrant,
} from './rules/refresh-rotation.js'
export {
  concurrentRetry,
  graceTtlSeconds,
  judgeRefreshRetry,
  refreshGrace,
  retriedGrace,
  retryClaimTtlSeconds,
} from './rules/refresh-grace.js'
export type { Refused, RevokeGrant } from './rules/outcome.js'
export type {
  CodeRecord,
  GrantRecord,
  LinkReference,
  LinkVersionRecord,
  LostGrant,
  RefreshGrace,
  RefreshReuseMarker,
  TokenRecord,
  UsedMarker,
} from './rules/records.js'
