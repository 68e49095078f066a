// Redis Cluster needs every command to name keys of one slot; RedisStorage keeps to one key per
// command. Here Redis itself says so: MONITOR records what each client really sends, and COMMAND
// GETKEYS names the keys of each recorded command.
import { fromIoredis, fromNodeRedis, RedisStorage } from 'reciprocal-oauth/redis'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { realBackend } from './backends.js'
import { EVERY_OPERATION_RESULTS, everyOperation } from './redis-operations.js'

const { url = '', skipped } = realBackend('redis')

describe.skipIf(skipped !== undefined)(`Redis (${skipped ?? url})`, () => {
  it('every command RedisStorage sends through node-redis and ioredis names exactly one key, its prefixed key (Redis Cluster)', async () => {
    const prefix = `one-key-${crypto.randomUUID()}:`
    const admin = new Redis(url)
    const monitor = await admin.duplicate().monitor()
    const sent: string[][] = []
    const done = new Promise<void>((resolve) =>
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args.some((arg) => arg.includes(prefix))) sent.push(args)
        if (args[1] === `${prefix}done`) resolve()
      }),
    )
    const nodeRedis = await createClient({ url }).connect()
    try {
      await check()
    } finally {
      monitor.disconnect()
      await Promise.all([nodeRedis.close(), admin.quit()])
    }

    async function check(): Promise<void> {
      expect(await everyOperation(new RedisStorage(fromNodeRedis(nodeRedis), { prefix: `${prefix}node-redis:` }))).toEqual(EVERY_OPERATION_RESULTS)
      expect(await everyOperation(new RedisStorage(fromIoredis(admin), { prefix: `${prefix}ioredis:` }))).toEqual(EVERY_OPERATION_RESULTS)
      await admin.get(`${prefix}done`) // the last command MONITOR reports: everything before it has been seen
      await done
      const commands = sent.slice(0, -1)
      expect(commands).toHaveLength(18)
      expect(new Set(commands.map(([name]) => name?.toUpperCase()))).toEqual(new Set(['SET', 'GET', 'GETDEL', 'DEL']))
      for (const command of commands) {
        const keys = await admin.call('COMMAND', 'GETKEYS', ...command)
        expect({ command, keys }).toEqual({ command, keys: [command[1]] })
        expect(command[1]).toMatch(new RegExp(`^${prefix}(node-redis|ioredis):(code:a|link:b|lease:c)$`))
      }
    }
  })
})
