/**
 * Shapes shared by both parties' state machines.
 *
 * @module
 */

/**
 * What a step needs from the outside world, as values (DESIGN §1): a step is deterministic.
 *
 * @group State machines
 */
export interface StepContext {
  /** Current time, seconds since the epoch. */
  readonly now: number
}
