// Each runtime of the matrix, as a function that runs the bundled scenario there and resolves the
// runtime's version and the steps that passed, or `{ missing }` when this machine lacks it. Deno
// and Bun are dev dependencies (their binaries come in platform packages); Node 22 is fetched once
// from the npm registry (node22.mjs); workerd is miniflare's; Chromium is the browser tests'.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { chromium } from 'playwright-core'
import { node22 } from './node22.mjs'

const ROOT = join(import.meta.dirname, '..', '..')
const run = promisify(execFile)
const TIMEOUT_MS = 60_000

/** Runs `main.mjs` with `command` and reads the JSON line it prints last. */
async function script(command, args, dir) {
  try {
    const { stdout } = await run(command, args, { cwd: dir, timeout: TIMEOUT_MS, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
    return JSON.parse(stdout.trim().split('\n').at(-1))
  } catch (error) {
    // The error the runtime printed (each words it its own way), rather than "Command failed".
    const printed = String(error.stderr ?? '').split('\n').find((line) => /^\s*(error: )?(Uncaught (\(in promise\) )?)?[A-Za-z]*Error\b/i.test(line))
    throw new Error(printed?.trim() ?? error.message, { cause: error })
  }
}

/** The path of a dev dependency's binary, or `undefined` when it is not installed. */
function binary(name) {
  const path = join(ROOT, 'node_modules', '.bin', name)
  return existsSync(path) ? path : undefined
}

export const RUNTIMES = {
  /** The Node that runs this script (CI's: 20). */
  node: ({ dir, main }) => script(process.execPath, [main], dir),
  node22: async ({ dir, main }) => {
    const node = await node22()
    return 'missing' in node ? node : script(node.path, [main], dir)
  },
  // No permission flag: the scenario reads no file, environment or network.
  deno: ({ dir, main }) => (binary('deno') ? script(binary('deno'), ['run', '--no-config', '--no-prompt', '--quiet', main], dir) : { missing: 'npm ci installs deno' }),
  bun: ({ dir, main }) => (binary('bun') ? script(binary('bun'), ['run', main], dir) : { missing: 'npm ci installs bun' }),
  /** Cloudflare's workerd, without `nodejs_compat`: the bundle as a module worker. */
  workerd: async ({ scenario }) => {
    const worker = new Miniflare({ modules: true, script: readFileSync(scenario, 'utf8'), compatibilityDate: '2025-09-01' })
    try {
      const answer = await (await worker.dispatchFetch('http://worker/')).json()
      if ('error' in answer) throw new Error(answer.error)
      return { version: JSON.parse(readFileSync(join(ROOT, 'node_modules', 'workerd', 'package.json'), 'utf8')).version, steps: answer.steps }
    } finally {
      await worker.dispose()
    }
  },
  /** Headless Chromium: the bundle as a module of a page on http://localhost (a secure context). */
  chromium: async ({ dir, scenario }) => {
    const found = await findBrowser(dir)
    if ('missing' in found) return found
    const browser = await chromium.launch({ executablePath: found.executablePath, args: [...found.args], headless: true, timeout: TIMEOUT_MS })
    try {
      const page = await browser.newPage()
      // Served from memory: no server, no socket.
      await page.route('http://localhost/**', (route) =>
        new URL(route.request().url()).pathname === '/scenario.mjs'
          ? route.fulfill({ contentType: 'text/javascript', body: readFileSync(scenario, 'utf8') })
          : route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>runtimes</title>' }),
      )
      await page.goto('http://localhost/')
      const steps = await page.evaluate(async () => (await import('/scenario.mjs')).runScenario())
      return { version: browser.version(), steps }
    } finally {
      await browser.close()
    }
  },
}

/** test/helpers/browser.ts (which Chromium the browser tests drive), compiled beside the bundle. */
async function findBrowser(dir) {
  const outfile = join(dir, 'browser.mjs')
  await build({ entryPoints: [join(ROOT, 'test', 'helpers', 'browser.ts')], outfile, format: 'esm', platform: 'node', logLevel: 'error' })
  return (await import(outfile)).findBrowser()
}
