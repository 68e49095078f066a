/**
 * Shapes shared by both parties' state machines.
 *
 * @module
 */

/**
 * The outcome of one step: the next state and what the driver must do, in order.
 *
 * @group State machines
 */
export interface Transition<S, C> {
  readonly state: S
  readonly commands: readonly C[]
}

/**
 * What a step needs from the outside world, as values (DESIGN §1): a step is deterministic.
 *
 * @group State machines
 */
export interface StepContext {
  /** Current time, seconds since the epoch. */
  readonly now: number
}
