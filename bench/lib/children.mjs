// The runner's handle on a forked server child (see child.mjs).
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url))

// A runner that fails must not leave its servers behind.
const live = new Set()
process.once('exit', () => {
  for (const child of live) child.kill()
})

/** Forks the child serving `family`, and resolves once its servers listen. */
export function startChild(family, { execArgv = [] } = {}) {
  const child = fork(CHILD, [family], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  live.add(child)
  const waiting = new Map()
  let next = 0
  const call = (message) =>
    new Promise((resolve, reject) => {
      const id = next++
      waiting.set(id, { resolve, reject })
      child.send({ ...message, id })
    })
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      live.delete(child)
      const error = new Error(`bench child ${family} exited with ${code}`)
      for (const pending of waiting.values()) pending.reject(error)
      reject(error)
    })
    child.on('message', (message) => {
      if (message.ready) {
        return resolve({
          urls: message.urls,
          /** The child's CPU time so far, µs. */
          cpu: () => call({ cmd: 'cpu' }),
          /** `count` single-use inputs of `scenario`, made in the child before the clock starts. */
          prepare: (scenario, count) => call({ cmd: 'prepare', scenario, count }),
          /** Starts the child's CPU profiler (sampling every `intervalUs`, V8's default if unset). */
          profileStart: (intervalUs) => call({ cmd: 'profile-start', intervalUs }),
          /** Stops it; the child writes the `.cpuprofile` to `file` and resolves its path. */
          profileStop: (file) => call({ cmd: 'profile-stop', file }),
          stop: () => call({ cmd: 'stop' }).then(() => new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done()))),
        })
      }
      const pending = waiting.get(message.id)
      waiting.delete(message.id)
      if (message.error) pending?.reject(new Error(message.error))
      else pending?.resolve(message.value)
    })
  })
}
