// Which real storage servers our own tests run against. Each backend is named by one environment
// variable holding its URL; `.ci/run` starts the servers and sets them. On a developer machine
// without a server, its tests are skipped with a notice naming the backend and the variable —
// except under CI=true, where a missing backend fails the run instead of passing it silently.

/** The real backends, each with the variable that points the tests at it. */
export const BACKENDS = {
  postgres: { name: 'PostgreSQL', variable: 'RECIPROCAL_TEST_POSTGRES_URL', example: 'postgres://user:password@127.0.0.1:5432/db', start: '.ci/postgres.sh start "$(mktemp -d)"' },
  redis: { name: 'Redis', variable: 'RECIPROCAL_TEST_REDIS_URL', example: 'redis://127.0.0.1:6379', start: 'eval "$(.ci/redis.sh start)"' },
} as const

export type BackendId = keyof typeof BACKENDS

/** A backend to test against, or why its tests are skipped. */
export type RealBackend = { readonly url: string; readonly skipped?: undefined } | { readonly url?: undefined; readonly skipped: string }

/** Whether `env` says this run is CI: `CI` set to anything but empty, `0` or `false`. */
export function isCi(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const ci = env['CI']
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false'
}

/**
 * The URL of a real `backend` from its environment variable. When the variable is unset: under CI
 * this throws (the test file fails, naming the backend); elsewhere it prints a notice and returns
 * the reason, for `describe.skipIf(backend.skipped !== undefined)`.
 */
export function realBackend(id: BackendId, env: Readonly<Record<string, string | undefined>> = process.env, warn: (message: string) => void = console.warn): RealBackend {
  const { name, variable, example, start } = BACKENDS[id]
  const url = env[variable]
  if (url !== undefined && url !== '') return { url }
  const why = `${variable} is not set (e.g. ${variable}=${example}; \`${start}\` starts a throw-away server and gives its URL)`
  if (isCi(env)) throw new Error(`CI=true: the ${name} tests must run against a real ${name}, but ${why}`)
  const skipped = `${name} skipped: ${why}`
  warn(`[storage backends] ${skipped}`)
  return { skipped }
}
