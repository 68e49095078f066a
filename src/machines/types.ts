/**
 * Shapes shared by both parties' state machines.
 *
 * @module
 */

/**
 * What a step needs from the outside world, as values (DESIGN §1): a step is deterministic.
 *
 * @example
 * ```ts
 * const stepContext: StepContext = { now: 1_700_000_000 }
 * const next = stepPartyB(state, { type: 'unlink' }, stepContext, { peerClientId: 'assistant', userId: 'alice' })
 * ```
 * @see docs/architecture.md (a pure step takes the time as a value)
 * @group State machines
 */
export interface StepContext {
  /** Current time, seconds since the epoch. */
  readonly now: number
}
