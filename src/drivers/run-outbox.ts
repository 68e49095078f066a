/**
 * How both drivers run a link's outbox (`machines/outbox.ts`): front to back, each command at
 * most once per call, each result stepped into the machine and stored before the next command
 * runs. A command whose result leaves it in the outbox (a failed revocation) waits for the next
 * call — a resume, or any later operation on the link; commands a result adds (the POST after
 * the mint) run in the same call.
 *
 * @module
 */
import type { Command } from '../machines/outbox.js'

/**
 * Runs `record`'s outbox: `execute` performs one command and resolves its result event (it never
 * throws: a failure is an event too); `apply` steps the machine with it and stores the new
 * state. Resolves the record after the last command run.
 *
 * @internal
 */
export async function runOutbox<C extends Command, R extends { readonly state: { readonly outbox: readonly C[] } }, E>(
  record: R,
  execute: (state: R['state'], command: C) => Promise<E>,
  apply: (record: R, event: E) => Promise<R>,
): Promise<R> {
  const tried = new Set<string>()
  let current = record
  for (;;) {
    const command = current.state.outbox.find((c) => !tried.has(JSON.stringify(c)))
    if (command === undefined) return current
    tried.add(JSON.stringify(command))
    current = await apply(current, await execute(current.state, command))
  }
}
