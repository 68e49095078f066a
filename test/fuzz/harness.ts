// The fuzz suite's frame (issue 9 item 7, SPEC R7.4, R7.5, R8.4): a seeded fast-check run per
// endpoint, and the checks every case ends with — a well-formed OAuth answer, no secret anywhere,
// no unexpected failure, no unhandled rejection. The storage that says what a case changed is
// `fuzz-storage.ts`.
import fc from 'fast-check'
import type { ReciprocalEvent } from 'reciprocal-oauth'
import type { HttpResult } from 'reciprocal-oauth/server'
import { afterAll, beforeAll } from 'vitest'
import { reachableStrings } from '../helpers/reachable-strings.js'

/** The seed every fuzz property starts from: `FUZZ_SEED`, else a constant (reproducible CI runs). */
export const FUZZ_SEED = integerFromEnv('FUZZ_SEED', 20_260_009)
/** Cases per endpoint: `FUZZ_RUNS`, else 10,000. */
export const FUZZ_RUNS = integerFromEnv('FUZZ_RUNS', 10_000)
/** fast-check's replay path of a failure (printed with it): replays that one case and its shrinking. */
const FUZZ_PATH = process.env['FUZZ_PATH']

function integerFromEnv(name: string, fallback: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`)
  return value
}

/** A test timeout that scales with FUZZ_RUNS (a safety net, not a budget: nothing asserts a time). */
export const FUZZ_TIMEOUT_MS = 120_000 + FUZZ_RUNS * 40

/**
 * Runs `property` on `FUZZ_RUNS` cases drawn from `arbitrary`, seeded. A failure is rethrown with the
 * command that replays it: fast-check's own report (seed, path, the shrunk counterexample) follows.
 */
export async function fuzz<T>(file: string, arbitrary: fc.Arbitrary<T>, property: (value: T) => Promise<void>, runs = FUZZ_RUNS): Promise<void> {
  try {
    await fc.assert(fc.asyncProperty(arbitrary, property), {
      seed: FUZZ_SEED,
      numRuns: runs,
      ...(FUZZ_PATH === undefined ? {} : { path: FUZZ_PATH }),
    })
  } catch (error) {
    const report = error instanceof Error ? error.message : String(error)
    const path = /path: "([^"]*)"/.exec(report)?.[1]
    const replay = `FUZZ_SEED=${FUZZ_SEED}${path === undefined ? '' : ` FUZZ_PATH=${path}`} npx vitest run ${file}`
    throw new Error(`Fuzz case failed (seed ${FUZZ_SEED}). Replay it with:\n  ${replay}\n\n${report}`, { cause: error })
  }
}

/** Shortens every long string of `value` for a counterexample: a 16 KiB body is not read in a terminal. */
export function shortened(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 300 ? `${value.slice(0, 200)}…(${value.length} characters)…${value.slice(-60)}` : value
  if (value instanceof Uint8Array) return value.byteLength > 200 ? `<${value.byteLength} bytes: ${[...value.subarray(0, 80)].join(',')}…>` : `<bytes ${[...value].join(',')}>`
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), shortened(v)]))
  if (Array.isArray(value)) return value.map(shortened)
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shortened(v)]))
  return value
}

/** Gives `value` a compact form in fast-check's counterexamples (see {@link shortened}). */
export function printable<T extends object>(value: T): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => JSON.stringify(shortened(value)), enumerable: false })
  return value
}

/** Fails the file's tests on any unhandled rejection; `settle()` waits for one to surface. */
export function unhandledRejections(): { settle(): Promise<void> } {
  const seen: unknown[] = []
  const listener = (reason: unknown): void => {
    seen.push(reason)
  }
  beforeAll(() => {
    process.on('unhandledRejection', listener)
  })
  afterAll(() => {
    process.off('unhandledRejection', listener)
  })
  return {
    async settle() {
      // Node reports an unhandled rejection once the microtask queue has drained.
      await new Promise((resolve) => setImmediate(resolve))
      if (seen.length > 0) throw new Error(`unhandled rejection: ${String(seen.splice(0)[0])}`)
    },
  }
}

/** An answer from either door, as plain data: lower-case header names. */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** The answer to a HEAD request over HTTP: it has no body to check (RFC 9110 §9.3.2). */
  readonly head?: boolean
}

export function answerOfResult(result: HttpResult): Answer {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(result.headers)) headers[name.toLowerCase()] = value
  return { status: result.status, headers, body: result.body }
}

export async function answerOfResponse(response: Response): Promise<Answer> {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  return { status: response.status, headers, body: await response.text() }
}

/**
 * A peer's `fetch` that sends each request to `endpoint` in process, and pushes the tokens each
 * answer issues onto `issued`: those must then show up nowhere else.
 */
export function inProcessFetch(endpoint: { fetch(request: Request): Promise<Response> }, issued: string[]): typeof fetch {
  return async (url, init) => {
    const response = await endpoint.fetch(new Request(url, init))
    const body = (await response.clone().json()) as Record<string, unknown>
    for (const name of ['access_token', 'refresh_token']) if (typeof body[name] === 'string') issued.push(body[name])
    return response
  }
}

/** A failed property: fast-check reports the message with the case. */
export function fail(message: string): never {
  throw new Error(message)
}

export function check(condition: boolean, message: () => string): asserts condition {
  if (!condition) fail(message())
}

/** The error codes of RFC 6749 §5.2 (token endpoint) the SDK sends. */
export const TOKEN_ERRORS = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'] as const

/** RFC 6749 §5.2 `error_description`: %x20-21 / %x23-5B / %x5D-7E. */
const DESCRIPTION = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/
/** No header value may carry a line break or NUL (response splitting). */
const HEADER_VALUE = /^[^\r\n\0]*$/

/** `Cache-Control: no-store` (RFC 6749 §5.1, §5.2; RFC 6750 §4) and header values that cannot split a response. */
export function expectNoStore(answer: Answer): void {
  check(answer.headers['cache-control'] === 'no-store', () => `Cache-Control is ${answer.headers['cache-control']}, not no-store`)
  for (const [name, value] of Object.entries(answer.headers)) check(HEADER_VALUE.test(value), () => `header ${name} carries a line break or NUL`)
}

/**
 * An RFC 6749 §5.2 error answer: JSON `{ error, error_description? }` and nothing else, `error`
 * from `errors`, a description of the allowed characters, a status from `statuses`, `no-store`.
 * Resolves the parsed body.
 */
export function expectOAuthError(answer: Answer, statuses: readonly number[], errors: readonly string[]): { error: string; error_description?: string } {
  check(statuses.includes(answer.status), () => `status ${answer.status}, expected one of ${statuses.join(', ')}: ${answer.body}`)
  expectNoStore(answer)
  check(/^application\/json/.test(answer.headers['content-type'] ?? ''), () => `content type ${answer.headers['content-type']}`)
  if (answer.status === 405) check(answer.headers['allow'] === 'POST', () => `a 405 without Allow: POST`)
  if (answer.head === true) return { error: '' }
  let body: unknown
  try {
    body = JSON.parse(answer.body)
  } catch {
    fail(`the error body is not JSON: ${answer.body.slice(0, 200)}`)
  }
  check(typeof body === 'object' && body !== null && !Array.isArray(body), () => 'the error body is not a JSON object')
  const { error, error_description: description, ...rest } = body as Record<string, unknown>
  check(typeof error === 'string' && errors.includes(error), () => `error ${String(error)} is not one of ${errors.join(', ')}`)
  check(description === undefined || (typeof description === 'string' && DESCRIPTION.test(description)), () => `error_description has characters RFC 6749 §5.2 forbids`)
  check(Object.keys(rest).length === 0, () => `the error body has other members: ${Object.keys(rest).join(', ')}`)
  return { error, ...(description === undefined ? {} : { error_description: description as string }) }
}

/** Throws when any string reachable from `value` contains one of `secrets`. */
export function expectNoSecret(where: string, value: unknown, secrets: readonly string[]): void {
  for (const text of reachableStrings(value)) {
    for (const secret of secrets) {
      if (secret !== '' && text.includes(secret)) fail(`${where} carries a secret the test sent or stored (${secret.length} characters)`)
    }
  }
}

/** No `unexpected-failure` event: an unexpected failure is a 5xx, never the answer to a client's mistake. */
export function expectNoUnexpectedFailure(events: readonly ReciprocalEvent[]): void {
  const failure = events.find((event) => event.type === 'unexpected-failure')
  if (failure !== undefined) fail(`unexpected failure: ${JSON.stringify(failure)}`)
}

/** Counts of what a fuzz run covered, printed at the end of each file (the figures of docs/reliability.md). */
export class Tally {
  readonly #counts = new Map<string, number>()
  constructor(readonly endpoint: string) {}
  count(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1)
  }
  get(key: string): number {
    return this.#counts.get(key) ?? 0
  }
  /**
   * Fails when a kind of case was never reached: the generators must keep reaching every kind, or
   * the properties prove little. Skipped when replaying one case (`FUZZ_PATH`) or in a short run.
   */
  expectReached(keys: readonly string[]): void {
    if (FUZZ_PATH !== undefined || FUZZ_RUNS < 1000) return
    const missing = keys.filter((key) => this.get(key) === 0)
    check(missing.length === 0, () => `never reached: ${missing.join(', ')}; ${this.report()}`)
  }

  report(): string {
    const entries = [...this.#counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key}=${n}`)
    return `[fuzz] ${this.endpoint} (seed ${FUZZ_SEED}): ${entries.join(' ')}`
  }
}
