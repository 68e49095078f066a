// examples/deno and examples/bun, each run by its runtime (the `deno` and `bun` binaries of
// node_modules/.bin, or on PATH): both parties serve on loopback, and the test drives steps A–G
// through them over HTTP, then B calls A's API with its reciprocal token. Both binaries are
// devDependencies; one that is not installed is skipped with a notice, and fails under CI=true.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/typecheck.js'
import { isCi } from '../storage/backends.js'
import { linkBothWays, SECRETS } from './framework-flow.js'

/** The runtime's binary, or `undefined` when it is not installed. */
function binary(name: string): string | undefined {
  const folders = [join(ROOT, 'node_modules', '.bin'), ...(process.env['PATH'] ?? '').split(delimiter)]
  return folders.map((folder) => join(folder, name)).find((path) => existsSync(path))
}

/** A port free now (the runtime binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

const RUNTIMES = [
  { name: 'deno', cwd: join(ROOT, 'examples', 'deno'), args: ['run', '--allow-net', '--allow-env', 'main.ts'] },
  { name: 'bun', cwd: ROOT, args: ['--tsconfig-override', 'test/tsconfig.json', 'examples/bun/main.ts'] },
] as const

describe.each(RUNTIMES)('examples/$name', ({ name, cwd, args }) => {
  const path = binary(name)
  const children: ChildProcess[] = []
  afterAll(() => children.forEach((child) => child.kill()))
  const missing = `no ${name} binary (\`npm ci\` installs it, a devDependency; or put ${name} on PATH)`
  if (path === undefined && isCi()) throw new Error(`CI=true: examples/${name} must run, but there is ${missing}`)
  if (path === undefined) console.warn(`examples/${name}: skipped, ${missing}`)

  it.skipIf(path === undefined)(`SPEC R1.2, R3.3, R4.1–R4.4: steps A–G through ${name}'s serve; B then calls A with its reciprocal token`, async () => {
    const ports = { ASSISTANT_PORT: await freePort(), MUSIC_PORT: await freePort() }
    const child = spawn(path ?? name, args, {
      cwd,
      env: { ...process.env, ASSISTANT_PORT: String(ports.ASSISTANT_PORT), MUSIC_PORT: String(ports.MUSIC_PORT), ASSISTANT_SECRET: SECRETS.assistantAtMusic, MUSIC_SECRET: SECRETS.musicAtAssistant },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    await expect.poll(() => output, { timeout: 60_000, interval: 200 }).toContain('listening')
    const origins = { assistant: `http://127.0.0.1:${ports.ASSISTANT_PORT}`, music: `http://127.0.0.1:${ports.MUSIC_PORT}` }
    await linkBothWays(origins)
    expect(await (await fetch(`${origins.music}/share`, { method: 'POST' })).json()).toEqual({ status: 200 })
  }, 90_000)
})
