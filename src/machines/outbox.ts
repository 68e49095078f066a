/**
 * The outbox both parties' machines keep (DESIGN §2): every effect a step asks for — a mint, a
 * POST, a redemption, a refresh, a revocation here or at the peer — is a command in the new
 * state's `outbox`, stored with the state before the driver runs it. The driver runs the outbox
 * front to back and feeds each command's result back in as an event; that event takes the
 * command out (or, for a revocation that failed, leaves it in with the `error`). So a crash or a
 * failed network call always leaves a state that says what remains, and `resume` — or any later
 * operation on the link — finishes it.
 *
 * @module
 */
import type { SerializedError } from '../core/errors.js'

/**
 * A command: what a driver must do, tagged by `type`.
 *
 * @example
 * ```ts
 * const next: Command | undefined = current.outbox[0] // what the driver runs next
 * ```
 * @see SPEC R4.3 (a command stays in the stored state until it is done), docs/protocol.md ("After a crash")
 * @group State machines
 */
export interface Command {
  readonly type: string
}

/**
 * What an `unlinked` state is at either party (SPEC R5.2): the revocations still to do are its
 * `outbox` — empty once every one is confirmed — and `error` says why the last attempt failed.
 *
 * @example
 * ```ts
 * const state: Unlinked<PartyBCommand> = { status: 'unlinked', outbox: [] }
 * if (state.outbox.length > 0) console.warn(state.error?.hint)
 * ```
 * @group State machines
 */
export interface Unlinked<C extends Command> {
  readonly status: 'unlinked'
  readonly outbox: readonly C[]
  /** Why the last revocation failed, while one is left to do. */
  readonly error?: SerializedError
}

/** The outbox without its first command of `type` (the one whose result just came in). @internal */
export function withoutCommand<C extends Command>(outbox: readonly C[], type: C['type']): C[] {
  const at = outbox.findIndex((command) => command.type === type)
  return at < 0 ? [...outbox] : [...outbox.slice(0, at), ...outbox.slice(at + 1)]
}

/** An `unlinked` state's fields: once its outbox is empty it keeps no error. @internal */
export function unlinkedFields<C extends Command>(outbox: readonly C[], error: SerializedError | undefined): Unlinked<C> {
  return outbox.length === 0 || error === undefined ? { status: 'unlinked', outbox } : { status: 'unlinked', outbox, error }
}
