/**
 * What the SDK tells an observer (SPEC R8.1): one structured event per protocol step and one for
 * every unexpected failure, handed to the `onEvent` option of `createAuthorizationServer`,
 * `createPartyA`, `createPartyB`, `createReciprocalReceiver` and the HTTP adapters — the place
 * to log, count and trace. Events are redacted by construction: they carry ids, scopes, versions
 * and times, never a code, token, `state`, PKCE verifier or secret (SPEC R7.4, R8.4).
 *
 * @module
 */
import { ReciprocalError, type SerializedError } from './errors.js'
import type { Runtime } from './runtime.js'

/**
 * Which component emitted an event.
 *
 * @example
 * ```ts
 * const fromPartyA = (event: ReciprocalEvent): boolean => event.source === ('party-a' satisfies EventSource)
 * ```
 * @see docs/events.md
 * @group Events
 */
export type EventSource = 'authorization-server' | 'party-a' | 'party-b' | 'reciprocal-receiver' | 'http'

/**
 * Where an unexpected failure happened.
 *
 * @example
 * ```ts
 * const onEvent = (event: ReciprocalEvent): void => {
 *   if (event.type === 'unexpected-failure') console.error(event.where satisfies FailureSite)
 * }
 * ```
 * @see docs/events.md
 * @group Events
 */
export type FailureSite =
  | 'token-endpoint'
  | 'revocation-endpoint'
  | 'authorization-endpoint'
  | 'resource-server'
  | 'reciprocal-receiver'
  | 'http-adapter'
  | 'party-a'
  | 'party-b'

/**
 * An error as an event carries it. A {@link ReciprocalError} keeps its JSON form (whose message
 * never carries a secret); any other error keeps only its `name` and a Node-style `code`, plus the
 * message of the SDK's own coded errors (`ERR_INVALID_ARG_*`, `ERR_STORAGE_FULL`): an unknown
 * error's message or stack may quote what it failed on.
 *
 * @example
 * ```ts
 * const onEvent = (event: ReciprocalEvent): void => {
 *   if (event.type === 'unexpected-failure') console.error((event.error satisfies ObservedError).name)
 * }
 * ```
 * @see SPEC R8.4 (no secret in an event)
 * @group Events
 */
export type ObservedError = SerializedError | { readonly name: string; readonly code?: string; readonly message?: string }

/**
 * Every event, discriminated on `type`. See `docs/events.md` for when each one happens. Party
 * events name the link (`linkId`, and `peerId`, the peer's key in the party's `peers`); the
 * authorization server's and the receiver's name the client and the user (`clientId`, `subject`).
 *
 * @example
 * ```ts
 * const onEvent = (event: ReciprocalEvent): void => {
 *   if (event.type === 'unexpected-failure') console.error(event.where, event.error)
 *   else console.info(event.type, event)
 * }
 * ```
 * @see docs/events.md
 * @group Events
 */
export type ReciprocalEvent = {
  /** When, in seconds since the epoch, from the component's injected runtime. */
  readonly at: number
  readonly source: EventSource
} & (
  | { readonly type: 'link-started'; readonly linkId: string; readonly peerId: string }
  | { readonly type: 'callback-accepted'; readonly status: string; readonly linkId: string; readonly peerId: string }
  | { readonly type: 'code-delivered'; readonly scope: string; readonly version: number; readonly linkId: string; readonly peerId: string }
  | { readonly type: 'link-refreshed'; readonly linkId: string; readonly peerId: string }
  | { readonly type: 'unlinked'; readonly linkId: string; readonly peerId: string }
  | { readonly type: 'link-granted'; readonly scope?: string; readonly linkId: string; readonly peerId: string }
  | { readonly type: 'code-received'; readonly clientId: string; readonly subject: string }
  | { readonly type: 'code-minted'; readonly scope: string; readonly version?: number; readonly clientId: string; readonly subject: string }
  | { readonly type: 'code-redeemed'; readonly scope: string; readonly grantId: string; readonly clientId: string; readonly subject: string }
  | { readonly type: 'replay-detected'; readonly credential: 'code' | 'refresh-token'; readonly grantId: string }
  | { readonly type: 'code-misused'; readonly clientId: string; readonly presentedBy: string; readonly subject: string; readonly grantId: string }
  | { readonly type: 'grant-cut'; readonly version: number; readonly clientId: string; readonly subject: string }
  | { readonly type: 'link-revoked'; readonly clientId: string; readonly subject: string }
  | { readonly type: 'link-grants-not-found'; readonly clientId: string; readonly subject: string }
  | { readonly type: 'token-refreshed'; readonly scope: string; readonly grantId: string; readonly clientId: string; readonly subject: string }
  | { readonly type: 'unexpected-failure'; readonly where: FailureSite; readonly error: ObservedError }
)

/**
 * The type of an event's `type` field.
 *
 * @example
 * ```ts
 * const counts = new Map<ReciprocalEventType, number>()
 * const onEvent = (event: ReciprocalEvent): void => void counts.set(event.type, (counts.get(event.type) ?? 0) + 1)
 * ```
 * @see docs/events.md
 * @group Events
 */
export type ReciprocalEventType = ReciprocalEvent['type']

/**
 * The `onEvent` option: called synchronously after each step. It must not throw; if it throws
 * (or returns a rejected promise), the failure is dropped — the protocol never depends on its
 * observer, and reporting the observer's failure to itself could loop.
 *
 * @example
 * ```ts
 * const onEvent: EventObserver = (event) => console.info(event.type)
 * const server = createAuthorizationServer({ ...options, onEvent })
 * ```
 * @see docs/events.md
 * @group Events
 */
export type EventObserver = (event: ReciprocalEvent) => void | Promise<void>

type Body<E> = E extends unknown ? Omit<E, 'at' | 'source'> : never
/** An event without `at` and `source`, which the emitter fills in. @internal */
export type EventBody = Body<ReciprocalEvent>

/** Emits one event; never throws. @internal */
export type Emit = (event: EventBody) => void

/** No observer: nothing to do. @internal */
export const noEvents: Emit = () => undefined

/** An {@link Emit} for `source` that stamps events with the runtime's time. @internal */
export function eventEmitter(onEvent: EventObserver | undefined, runtime: Pick<Runtime, 'now'>, source: EventSource): Emit {
  if (onEvent === undefined) return noEvents
  return (body) => {
    try {
      const returned = onEvent({ ...body, at: runtime.now(), source } as ReciprocalEvent)
      if (returned instanceof Promise) {
        returned.catch(() => {
          // expected: an observer's failure is not the protocol's (see EventObserver).
        })
      }
    } catch {
      // expected: an observer's failure is not the protocol's (see EventObserver).
    }
  }
}

const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/
const SAFE_CODE = /^[A-Z][A-Z0-9_]{0,63}$/
const SDK_CODES = new Set(['ERR_INVALID_ARG_VALUE', 'ERR_INVALID_ARG_TYPE', 'ERR_STORAGE_FULL'])

/** The redacted form of anything thrown (see {@link ObservedError}). @internal */
export function observedError(error: unknown): ObservedError {
  if (error instanceof ReciprocalError) return error.toJSON()
  if (typeof error !== 'object' || error === null) return { name: typeof error }
  const name = 'name' in error && typeof error.name === 'string' && SAFE_NAME.test(error.name) ? error.name : 'Error'
  const code = 'code' in error && typeof error.code === 'string' && SAFE_CODE.test(error.code) ? error.code : undefined
  if (code === undefined) return { name }
  const message = SDK_CODES.has(code) && 'message' in error && typeof error.message === 'string' ? error.message : undefined
  return message === undefined ? { name, code } : { name, code, message }
}

/** The `unexpected-failure` event for `error` at `where`. @internal */
export function unexpectedFailure(where: FailureSite, error: unknown): EventBody {
  return { type: 'unexpected-failure', where, error: observedError(error) }
}
