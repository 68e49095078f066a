// The test's side of the many-instances children (instance.ts): bundles the child's TypeScript
// with esbuild into a temporary directory, forks one process per instance, calls its operations
// over IPC, and kills every child it started — when asked, and when the test process exits
// however it ends, so that no instance outlives the test.
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Call, InstanceConfig, Ready, Reply } from './instance.js'

const ENTRY = fileURLToPath(new URL('./instance.ts', import.meta.url))
const TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url))

/** A running instance: its own origin, and its operations by name. */
export interface InstanceHandle {
  readonly name: string
  readonly url: string
  /** Runs `op` in the child; rejects with the child's error (name, message, `code`) if it threw. */
  call<T = unknown>(op: string, ...args: unknown[]): Promise<T>
}

/** An error an operation threw in a child, with its `code` (an `ErrorCode` for a `ReciprocalError`). */
export class InstanceError extends Error {
  constructor(
    readonly instance: string,
    message: string,
    readonly code: string | undefined,
  ) {
    super(`${instance}: ${message}`)
  }
}

/** The children of this test process; all killed on exit. */
const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/**
 * Bundles instance.ts (the SDK from its source, `pg`, `redis`, `ioredis` and all) into one ES
 * module in a temporary directory, so that a plain `node` runs it on a fresh clone without a
 * build. CommonJS dependencies inside an ES module need a `require`: the banner makes one.
 */
export async function bundleInstance(): Promise<{ readonly file: string; readonly remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'reciprocal-instances-'))
  const file = join(dir, 'instance.mjs')
  const remove = (): void => rmSync(dir, { recursive: true, force: true })
  await build({
    entryPoints: [ENTRY],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: TSCONFIG,
    external: ['pg-native'],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'error',
  }).catch((error: unknown) => {
    remove()
    throw error
  })
  return { file, remove }
}

/** Forks the bundled child as instance `name` and resolves once it listens. */
export function startInstance(file: string, name: string, config: InstanceConfig): Promise<InstanceHandle> {
  // Not the test worker's own Node flags: the child is a plain `node instance.mjs`.
  const child = fork(file, [JSON.stringify(config)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  live.add(child)
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  let next = 0
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      live.delete(child)
      const error = new Error(`instance ${name} exited (${signal ?? code})`)
      for (const pending of waiting.values()) pending.reject(error)
      waiting.clear()
      reject(error)
    })
    child.on('message', (message: Ready | Reply) => {
      if ('ready' in message) {
        return resolve({
          name,
          url: message.url,
          call: <T>(op: string, ...args: unknown[]) =>
            new Promise<T>((done, fail) => {
              const id = next++
              waiting.set(id, { resolve: done as (value: unknown) => void, reject: fail })
              child.send({ id, op, args } satisfies Call)
            }),
        })
      }
      const pending = waiting.get(message.id)
      waiting.delete(message.id)
      if ('error' in message) pending?.reject(new InstanceError(name, message.error.message, message.error.code))
      else pending?.resolve(message.value)
    })
  })
}

/** Stops every child: asks each to close its server and store, and kills any still there after `graceMs`. */
export async function stopAllInstances(graceMs = 2_000): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
          child.once('exit', () => {
            clearTimeout(timer)
            resolve()
          })
          // A child whose channel is gone exits on its own ('disconnect').
          if (child.connected) child.send({ id: -1, op: 'stop', args: [] } satisfies Call)
          else child.kill('SIGKILL')
        }),
    ),
  )
}
