/**
 * The error both machines throw for an event their current state cannot take.
 *
 * @module
 */
import { ErrorCode, ReciprocalError } from '../core/errors.js'

/** @internal */
export function invalidState(status: string, event: string): ReciprocalError {
  return new ReciprocalError(`Event ${event} cannot happen in state ${status}`, {
    code: ErrorCode.InvalidState,
    step: 'configuration',
    hint: 'Read the link state first; this event does not apply to it.',
  })
}
