// The server side of a benchmark: a forked child that starts one scenario family's servers and
// answers the runner over IPC, so `process.cpuUsage()` here is the servers' own CPU.
//   { id, cmd: 'cpu' }                      → the child's CPU time so far, µs
//   { id, cmd: 'prepare', scenario, count } → `count` single-use inputs (codes, links), minted now
//   { id, cmd: 'profile-start', intervalUs } → starts V8's CPU profiler in this process
//   { id, cmd: 'profile-stop', file }        → stops it and writes the `.cpuprofile` to `file`
//   { id, cmd: 'stop' }                     → exits
// The profiler runs only between `profile-start` and `profile-stop`, which the runner sends around
// the measured window: `prepare` (minting codes, starting links) stays out of the profile.
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'

const family = process.argv[2]
const { startServers } = await import(`../throughput/${family}.mjs`)
const servers = await startServers()
let profiler

process.on('message', async (message) => {
  const { id, cmd } = message
  try {
    if (cmd === 'cpu') {
      const { user, system } = process.cpuUsage()
      return process.send({ id, value: user + system })
    }
    if (cmd === 'prepare') return process.send({ id, value: await servers.prepare[message.scenario](message.count) })
    if (cmd === 'profile-start') {
      profiler = new Session()
      profiler.connect()
      await profiler.post('Profiler.enable')
      if (message.intervalUs) await profiler.post('Profiler.setSamplingInterval', { interval: message.intervalUs })
      await profiler.post('Profiler.start')
      return process.send({ id, value: true })
    }
    if (cmd === 'profile-stop') {
      const { profile } = await profiler.post('Profiler.stop')
      profiler.disconnect()
      profiler = undefined
      await writeFile(message.file, JSON.stringify(profile))
      return process.send({ id, value: message.file })
    }
    if (cmd === 'stop') {
      await servers.close?.()
      process.send({ id, value: true }, () => process.exit(0))
    }
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) })
  }
})
process.send({ ready: true, urls: servers.urls })
