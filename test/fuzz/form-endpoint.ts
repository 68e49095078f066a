// Runs one form case through both doors of an endpoint — the lower door `handle(raw)` and the Web
// door `fetch(Request)` — each from the same stored baseline, and checks what every answer owes
// (SPEC R7.4, R7.5, R8.4; RFC 6749 §5.2): the right kind of answer for what the case is, a
// well-formed OAuth error, no change in storage unless the request may write, no secret anywhere,
// no unexpected failure, no unhandled rejection.
import type { ReciprocalEvent } from 'reciprocal-oauth'
import type { HttpResult, RawHttpRequest } from 'reciprocal-oauth/server'
import { type Answer, type Tally, answerOfResponse, answerOfResult, check, expectNoSecret, expectNoStore, expectNoUnexpectedFailure, expectOAuthError, fail } from './harness.js'
import { type FuzzStorage } from './fuzz-storage.js'
import type { FormCase, Param } from './form-cases.js'
import { utf8 } from './hostile.js'

export interface FormTarget {
  readonly url: string
  readonly limitBytes: number
  /** The endpoint, or the one a case is for (an endpoint with several configurations). */
  readonly endpoint: Doors | ((c: FormCase) => Doors)
  /** Every storage the endpoint can write. */
  readonly storages: readonly FuzzStorage[]
  /** Where the endpoint's `onEvent` puts its events; emptied before each run. */
  readonly events: ReciprocalEvent[]
  /** The fixture's secrets: client secrets, codes, tokens, verifiers — and what storage holds. */
  readonly secrets: readonly string[]
  /** Statuses and error codes an error answer may have. */
  readonly statuses: readonly number[] | ((c: FormCase) => readonly number[])
  readonly errors: readonly string[]
  readonly chaosMaySucceed?: boolean
  /** Whether a valid request writes (a token endpoint does; a no-op revocation does not). */
  readonly validWrites?: boolean
  /** A write that a refused or malformed request may still make, with the reason it is legitimate. */
  readonly tolerated?: (c: FormCase, change: string) => boolean
  /** Checks a success answer, and returns the new secrets it carries (issued tokens). */
  readonly onSuccess?: (answer: Answer, c: FormCase) => readonly string[]
  /** Called before each run (to clear what `afterRun` checks). */
  readonly beforeRun?: () => void
  /** Checks made after each run (the receiver's `onCode` calls, say). */
  readonly afterRun?: (answer: Answer, expected: Expectation, c: FormCase) => void
}

/** An endpoint's two doors (DESIGN §1). */
export interface Doors {
  handle(raw: RawHttpRequest): Promise<HttpResult>
  fetch(request: Request): Promise<Response>
}

/** A way in: the lower door, the Web door, or the Node adapter on a real server. */
export type DoorName = 'lower' | 'web' | 'node'

/** Sends a case through one door; `undefined` when no request of that door can carry it. */
export type DoorRunner = (target: FormTarget, c: FormCase) => Promise<Answer | undefined>

const endpointOf = (target: FormTarget, c: FormCase): Doors => (typeof target.endpoint === 'function' ? target.endpoint(c) : target.endpoint)

/** Both doors of every SDK endpoint (DESIGN §1). */
export const ENDPOINT_DOORS: ReadonlyArray<readonly [DoorName, DoorRunner]> = [
  ['lower', async (target, c) => answerOfResult(await endpointOf(target, c).handle(rawRequestOf(c, target.url)))],
  [
    'web',
    async (target, c) => {
      const request = webRequestOf(c, target.url)
      return request === undefined ? undefined : answerOfResponse(await endpointOf(target, c).fetch(request))
    },
  ],
]

/** Runs `c` through each door from the stored baseline; a door that cannot carry the case (a method `fetch` forbids) is tallied as such. */
export async function runFormCase(target: FormTarget, c: FormCase, tally: Tally, settle: () => Promise<void>, doors = ENDPOINT_DOORS): Promise<void> {
  tally.count('cases')
  for (const [door, run] of doors) {
    for (const storage of target.storages) await storage.reset()
    target.events.length = 0
    target.beforeRun?.()
    const answer = await run(target, c)
    if (answer === undefined) {
      tally.count(`${door}-door-cannot-carry`)
      continue
    }
    const expected = expectationOf(c, door, target.limitBytes, target)
    verify(target, c, door, answer, expected)
    tally.count(`${door}-door`)
    tally.count(`${door}:${expected.kind}:${answer.status}`)
  }
  await settle()
}

function verify(target: FormTarget, c: FormCase, door: string, answer: Answer, expected: Expectation): void {
  const context = `[${door} door, ${c.template}, ${expected.kind}: ${c.notes.join('; ')}]`
  const secrets = [...target.secrets, ...c.secrets]
  let issued: readonly string[] = []
  if (answer.status >= 200 && answer.status < 300) {
    check(expected.success !== false, () => `${context} succeeded (${answer.status}) though it must be refused: ${answer.body.slice(0, 300)}`)
    expectNoStore(answer)
    check(/^application\/json/.test(answer.headers['content-type'] ?? ''), () => `${context} success without a JSON content type`)
    issued = target.onSuccess?.(answer, c) ?? []
  } else {
    check(expected.success !== true, () => `${context} refused with ${answer.status} though it is valid: ${answer.body.slice(0, 300)}`)
    check(answer.status < 500, () => `${context} answered ${answer.status} to a client's request: ${answer.body}`)
    const body = expectOAuthError(answer, typeof target.statuses === 'function' ? target.statuses(c) : target.statuses, target.errors)
    if (expected.wrongMethod) check(answer.status === 405, () => `${context} a method other than POST got ${answer.status}, not 405`)
    const authorization = c.headers.some(([name]) => name.toLowerCase() === 'authorization')
    if (authorization && body.error === 'invalid_client') {
      // RFC 6749 §5.2: a client that used the Authorization header gets 401 and a challenge.
      check(answer.status === 401 && /^Basic realm="/.test(answer.headers['www-authenticate'] ?? ''), () => `${context} invalid_client for an Authorization header without 401 and WWW-Authenticate: Basic`)
    }
  }
  if (!expected.mayWrite) {
    const changes = target.storages.flatMap((storage) => storage.changes).filter((change) => !(target.tolerated?.(c, change) ?? false))
    if (changes.length > 0) fail(`${context} changed storage (${answer.status} ${answer.body.slice(0, 200)}): ${changes.join(', ')}`)
  }
  expectNoUnexpectedFailure(target.events)
  // A success answer carries its own new tokens, and only those.
  expectNoSecret(`${context} answer`, [answer.body, answer.headers], secrets)
  expectNoSecret(`${context} events`, target.events, [...secrets, ...issued])
  target.afterRun?.(answer, expected, c)
}

/** What a case must get through one door. */
export interface Expectation {
  /** `true`: success (2xx); `false`: an OAuth error; `undefined`: either (noise that may be a no-op). */
  readonly success: boolean | undefined
  /** Whether the request may change storage. */
  readonly mayWrite: boolean
  /** The method is not POST (and the body not refused first): 405 with `Allow: POST`. */
  readonly wrongMethod: boolean
  /** The class named in the test output. */
  readonly kind: 'malformed' | 'refused' | 'refused-may-write' | 'noop' | 'valid'
}

/**
 * The outcome a near-valid case must have through `door`: malformed beats everything (nothing a
 * malformed request does may write), then a refusal that may write, then a refusal, then a no-op.
 * A body over the limit (or a declared `Content-Length` over it) is refused by the Web door and the
 * Node adapter before the handler sees the method; the lower door gets a request already read.
 */
export function expectationOf(
  c: FormCase,
  door: 'lower' | 'web' | 'node',
  limitBytes: number,
  options: { readonly validWrites?: boolean; readonly chaosMaySucceed?: boolean } = {},
): Expectation {
  const labels = new Set(c.labels.values())
  const declared = c.headers.filter(([n]) => n.toLowerCase() === 'content-length').map(([, v]) => v).join(', ')
  const size = typeof c.body === 'string' ? utf8(c.body).byteLength : c.body.byteLength
  const declaredTooLarge = /^\d+$/.test(declared.trim()) && Number(declared.trim()) > limitBytes
  const carriesBody = !['GET', 'HEAD'].includes(c.method.toUpperCase())
  // The node door sends no Content-Length of the case's: its requests carry their body's own.
  const tooLargeFirst = (door === 'web' && declaredTooLarge) || (door !== 'lower' && carriesBody && size > limitBytes)
  if (tooLargeFirst) labels.add('malformed')
  const wrongMethod = c.method.toUpperCase() !== 'POST' && !tooLargeFirst
  if (c.chaos && !wrongMethod && !tooLargeFirst && options.chaosMaySucceed === true) return { success: undefined, mayWrite: false, wrongMethod, kind: 'malformed' }
  if (c.chaos || wrongMethod || labels.has('malformed')) return { success: false, mayWrite: false, wrongMethod, kind: 'malformed' }
  if (labels.has('refused-may-write')) return { success: false, mayWrite: true, wrongMethod, kind: 'refused-may-write' }
  if (labels.has('refused')) return { success: false, mayWrite: false, wrongMethod, kind: 'refused' }
  if (labels.has('noop')) return { success: true, mayWrite: false, wrongMethod, kind: 'noop' }
  return { success: true, mayWrite: options.validWrites ?? true, wrongMethod, kind: 'valid' }
}

/** The lower door's request: headers as a `Headers` object or a Node-style record (repeats as arrays). */
export function rawRequestOf(c: FormCase, url: string): RawHttpRequest {
  return { method: c.method, headers: headerBag(c.headers, c.headerShape), body: c.body, url }
}

export function headerBag(lines: readonly Param[], shape: 'headers' | 'record'): RawHttpRequest['headers'] {
  if (shape === 'headers') {
    try {
      const headers = new Headers()
      for (const [n, v] of lines) headers.append(n, v)
      return headers
    } catch {
      // expected: a value no Headers object takes (a line break, a non-Latin-1 character); the record takes it.
    }
  }
  const grouped = new Map<string, { name: string; values: string[] }>()
  for (const [n, v] of lines) {
    const entry = grouped.get(n.toLowerCase())
    if (entry === undefined) grouped.set(n.toLowerCase(), { name: n, values: [v] })
    else entry.values.push(v)
  }
  const record: Record<string, string | string[]> = {}
  for (const [lower, { name, values }] of grouped) {
    if (values.length === 1) record[name] = values[0] ?? ''
    else record[lower] = values
  }
  return record
}

/** The Web door's request, or `undefined` when no `Request` can carry the case (a method or header `fetch` forbids). */
export function webRequestOf(c: FormCase, url: string): Request | undefined {
  try {
    const headers = new Headers()
    for (const [n, v] of c.headers) headers.append(n, v)
    const bodiless = ['GET', 'HEAD'].includes(c.method.toUpperCase())
    return new Request(url, { method: c.method, headers, ...(bodiless ? {} : { body: c.body as BodyInit }) })
  } catch {
    // expected: the case is one only the lower door can receive.
    return undefined
  }
}
