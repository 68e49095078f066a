/**
 * Asking the application whether a grant's response should request the reverse grant
 * (SPEC R1.2): the `reciprocalScope` option, called once per successful authorization code grant
 * and per approved authorization request.
 *
 * @module
 */
import { isValidScope } from '../protocol/scope.js'
import type { ServerContext } from './options.js'
import { invalidValue } from '../core/misuse.js'

/**
 * The scope to put in `reciprocal`, or `undefined` for none (no hook, or the hook returned
 * `undefined` or `''`). Throws `TypeError` when the hook returns something that is not a scope:
 * that is the application's bug, and it must surface before any token is issued.
 *
 * @example
 * ```ts
 * const reciprocal = askReciprocalScope(context, { clientId: 'assistant', subject: 'u1', scope: 'music.play' })
 * ```
 * @group Authorization server
 */
export function askReciprocalScope(
  context: ServerContext,
  info: { readonly clientId: string; readonly subject: string; readonly scope: string },
): string | undefined {
  const scope = context.reciprocalScope?.(info)
  if (scope === undefined || scope === '') return undefined
  if (!isValidScope(scope)) throw invalidValue('reciprocalScope must return a valid scope string or undefined')
  return scope
}
