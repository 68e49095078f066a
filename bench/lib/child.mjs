// The server side of a benchmark: a forked child that starts one scenario family's servers and
// answers the runner over IPC, so `process.cpuUsage()` here is the servers' own CPU.
//   { id, cmd: 'cpu' }                      → the child's CPU time so far, µs
//   { id, cmd: 'prepare', scenario, count } → `count` single-use inputs (codes, links), minted now
//   { id, cmd: 'stop' }                     → exits (a `--cpu-prof` profile is written on exit)
const family = process.argv[2]
const { startServers } = await import(`../throughput/${family}.mjs`)
const servers = await startServers()

process.on('message', async (message) => {
  const { id, cmd } = message
  try {
    if (cmd === 'cpu') {
      const { user, system } = process.cpuUsage()
      return process.send({ id, value: user + system })
    }
    if (cmd === 'prepare') return process.send({ id, value: await servers.prepare[message.scenario](message.count) })
    if (cmd === 'stop') {
      await servers.close?.()
      process.send({ id, value: true }, () => process.exit(0))
    }
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) })
  }
})
process.send({ ready: true, urls: servers.urls })
