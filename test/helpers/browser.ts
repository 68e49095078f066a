// Which Chromium the browser tests drive, so that `npm ci && npm test` runs them on a machine
// that has nothing but Node and npm (issue 11):
//
// 1. `CHROME_PATH`, when set: any Chromium or Chrome (a system one, or Chrome on macOS).
// 2. On Linux x64, the Chromium inside the `@sparticuz/chromium` dev dependency: npm installs it
//    with the package (no download at install time) and it unpacks itself to the temp folder on
//    first use. It needs only libc, libexpat and libgcc, which every Linux has.
// 3. Otherwise a system browser at a well-known path.
//
// With none of them the browser tests are skipped with a notice saying how to get one — except
// under CI=true, where a missing browser fails the run instead of passing it silently.
import { existsSync } from 'node:fs'

/** Flags for a headless run on a closed network: no background traffic, no first-run UI. */
const HEADLESS_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/** Flags the npm-shipped build needs to render without a GPU (it draws through SwiftShader). */
const SOFTWARE_RENDERING_ARGS = ['--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-zygote']

const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
]

export interface Browser {
  readonly executablePath: string
  readonly args: readonly string[]
  /** Where it came from, for the test log. */
  readonly source: string
}

/** How to get a browser, for the notice when there is none. */
export const HOW_TO_GET_A_BROWSER =
  'run `npm ci` on Linux x64 (it installs @sparticuz/chromium), or set CHROME_PATH to a Chromium or Chrome executable'

/**
 * The browser to drive, or the reason there is none. Throws under `CI=true` when there is none,
 * and when `CHROME_PATH` names a file that does not exist (a typo must not skip the tests).
 */
export async function findBrowser(): Promise<Browser | { readonly missing: string }> {
  const configured = process.env['CHROME_PATH']
  if (configured !== undefined && configured !== '') {
    if (!existsSync(configured)) throw new Error(`CHROME_PATH=${configured} does not exist`)
    return { executablePath: configured, args: HEADLESS_ARGS, source: 'CHROME_PATH' }
  }
  const bundled = await bundledChromium()
  if (bundled !== undefined) return bundled
  const system = SYSTEM_BROWSERS.find((path) => existsSync(path))
  if (system !== undefined) return { executablePath: system, args: HEADLESS_ARGS, source: system }
  const missing = `no browser found: ${HOW_TO_GET_A_BROWSER}`
  if (process.env['CI']) throw new Error(`The browser tests must run in CI, but ${missing}`)
  return { missing }
}

async function bundledChromium(): Promise<Browser | undefined> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined
  let chromium: { executablePath(): Promise<string> }
  try {
    chromium = (await import('@sparticuz/chromium')).default
  } catch (error) {
    // Not installed (e.g. `npm ci --omit=dev`): fall back to a system browser. Anything else is a bug.
    if ((error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND') return undefined
    throw error
  }
  const executablePath = await chromium.executablePath()
  return { executablePath, args: [...HEADLESS_ARGS, ...SOFTWARE_RENDERING_ARGS], source: '@sparticuz/chromium' }
}
