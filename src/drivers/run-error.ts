/**
 * Turning whatever a command threw into the serialisable error a machine event carries.
 *
 * @module
 */
import { ErrorCode, ReciprocalError, type SerializedError, type Step } from '../core/errors.js'

/**
 * A {@link ReciprocalError} (what every client step throws) stays as it is. Anything else is a
 * local failure — a `TypeError` from misconfiguration, a storage outage — and becomes a generic
 * `ERR_CONFIGURATION` without the original message, so that no secret can leak through an
 * unknown error's text (SPEC R8.4), and goes to `report` (the observer's `unexpected-failure`)
 * first. Only a `TypeError` is final; a storage outage may pass.
 *
 * @internal
 */
export function toSerializedError(err: unknown, step: Step, report: (error: unknown) => void): SerializedError {
  if (err instanceof ReciprocalError) return err.toJSON()
  report(err)
  const misuse = err instanceof TypeError
  return new ReciprocalError(misuse ? 'A value or the configuration is invalid' : 'An unexpected local error happened', {
    code: ErrorCode.Configuration,
    step,
    hint: misuse
      ? 'Check the configuration of this party (client ids, scopes, endpoints).'
      : 'Check the storage and the logs of this party; retrying may help.',
    retryable: !misuse,
  }).toJSON()
}
