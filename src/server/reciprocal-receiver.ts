/**
 * Party B's reciprocal grant receiver (draft §2.2.2 step E, SPEC R3.3–R3.4, R7.3, R7.10, R7.11):
 * the handler B mounts at its token endpoint for
 * `grant_type=urn:ietf:params:oauth:grant-type:reciprocal`.
 *
 * @module
 */
import * as v from 'valibot'
import { DEFAULT_BODY_LIMIT_BYTES, GRANT_TYPE_RECIPROCAL, MAX_CODE_TTL_SECONDS } from '../protocol/constants.js'
import { parseFormRequest, type FormParams } from '../protocol/form.js'
import type { HttpResult, RawHttpRequest } from '../protocol/http.js'
import { jsonResult } from '../protocol/http.js'
import {
  applyErrorProfile,
  insufficientScope,
  invalidClient,
  invalidGrant,
  invalidToken,
  renderOAuthError,
  unsupportedGrantType,
  type ErrorProfile,
  type OAuthErrorResponse,
} from '../protocol/oauth-error.js'
import { ReciprocalGrantRequestSchema, formToObject } from '../protocol/schemas.js'
import { isScopeSubset, parseScope } from '../protocol/scope.js'
import { memoizedSha256, sha256 } from '../lib/hash.js'
import { authenticateClientRequest } from './client-auth.js'
import { parameterError } from './wire.js'
import type { ClientRegistry } from './clients.js'
import type { Storage } from '../core/storage.js'
import { MemoryStorage } from '../storage/memory.js'
import { systemRuntime, type Runtime } from '../core/runtime.js'
import { endpoint } from '../http/endpoint.js'
import { guarded } from '../http/guarded.js'
import { eventEmitter, type EventObserver } from '../core/events.js'
import { invalidValue } from '../core/misuse.js'
import type { AccessTokenVerifier } from '../core/access-token.js'

/**
 * A reciprocal code that passed every check, handed to the application (normally the party-B
 * driver, which redeems it at A).
 *
 * @example
 * ```ts
 * const onCode = async (received: ReceivedReciprocalCode): Promise<ReceiveOutcome> => {
 *   await redeemLater(received.peerClientId, received.userId, received.code)
 *   return { ok: true }
 * }
 * ```
 * @see SPEC R3.3, R7.9
 * @group Party B
 */
export interface ReceivedReciprocalCode {
  /** Party A's client id at B, authenticated. */
  readonly peerClientId: string
  /** The user at B the code is about: the verified access token's subject (SPEC R7.9). */
  readonly userId: string
  /** The code itself, to redeem at A's registered token endpoint only (SPEC R7.8). */
  readonly code: string
  /** When it arrived, seconds. */
  readonly receivedAt: number
}

/**
 * The application's answer to a received code: accepted (B answers 200 `{}`), or an OAuth error
 * to answer with (e.g. the immediate redemption at A failed).
 *
 * @example
 * ```ts
 * const refused: ReceiveOutcome = { ok: false, error: { error: 'server_error', status: 500 } }
 * const accepted: ReceiveOutcome = { ok: true }
 * ```
 * @see SPEC R3.4, R4.3
 * @group Party B
 */
export type ReceiveOutcome = { readonly ok: true } | { readonly ok: false; readonly error: OAuthErrorResponse }

/**
 * Options of {@link createReciprocalReceiver}.
 *
 * @example
 * ```ts
 * const receiverOptions: ReciprocalReceiverOptions = {
 *   clients,
 *   audiences,
 *   verifyAccessToken: (token) => musicAs.verifyAccessToken(token),
 *   onCode: async (received) => (await redeemLater(received.peerClientId, received.userId, received.code), { ok: true }),
 * }
 * const receiver = createReciprocalReceiver(receiverOptions)
 * ```
 * @see SPEC R3.3, R3.4, R7.10
 * @group Party B
 */
export interface ReciprocalReceiverOptions {
  /** The clients registered at B: party A among them, with how it authenticates. */
  readonly clients: ClientRegistry
  /** B's issuer identifier and token endpoint URL: the audiences of a `private_key_jwt` assertion. */
  readonly audiences: readonly string[]
  /** B's check of the `access_token` parameter (SPEC R3.3). */
  readonly verifyAccessToken: AccessTokenVerifier
  /** A scope the access token must carry for reciprocal OAuth (SPEC R7.3); none by default. */
  readonly requiredScope?: string
  /** The error profile (SPEC R3.4); `'draft'` by default. */
  readonly errorProfile?: ErrorProfile
  /** Where received codes are remembered, hashed (SPEC R7.10). */
  readonly storage?: Storage
  readonly runtime?: Runtime
  /** Request body limit, bytes (SPEC R7.5). */
  readonly bodyLimitBytes?: number
  /** Called once per accepted code. */
  readonly onCode: (received: ReceivedReciprocalCode) => Promise<ReceiveOutcome>
  /** Observer of each accepted code and every unexpected failure (see `docs/events.md`). Default: none. */
  readonly onEvent?: EventObserver
}

/**
 * The receiver's two doors, plus the door a token endpoint dispatches to once it has parsed the
 * form and seen the reciprocal `grant_type`.
 *
 * @example
 * ```ts
 * const receiver: ReciprocalReceiver = partyB.receiver
 * const answer = await receiver.fetch(request) // or receiver.handle(raw)
 * ```
 * @see SPEC R3.3, R3.4, R7.10
 * @group Party B
 */
export interface ReciprocalReceiver {
  /** Lower door: a request read into memory → a plain result. */
  handle(raw: RawHttpRequest): Promise<HttpResult>
  /** For a token endpoint that already parsed the form strictly. */
  handleParsed(raw: RawHttpRequest, params: FormParams): Promise<HttpResult>
  /** `(Request) => Promise<Response>` door. */
  fetch(request: Request): Promise<Response>
  /** The body size limit, bytes (SPEC R7.5): what an adapter reading the request stops at. */
  readonly bodyLimitBytes: number
}

/**
 * Builds B's reciprocal grant receiver. It parses strictly, authenticates A, verifies that the
 * `access_token` is live and was issued by B to that same client, checks the required scope,
 * refuses a code it has already received, then hands the code to `onCode`. Success is `200 {}`.
 *
 * @example
 * ```ts
 * const receiver = createReciprocalReceiver({
 *   clients, audiences: [issuer, `${issuer}/token`],
 *   verifyAccessToken: (t) => musicAs.verifyAccessToken(t),
 *   errorProfile: 'google',
 *   // Redeem the code at A's token endpoint now or later; `ok: false` answers A with the error.
 *   onCode: async ({ peerClientId, userId, code }) => (await redeemLater(peerClientId, userId, code), { ok: true }),
 * })
 * // Mount it: app.post('/token', (c) => receiver.fetch(c.req.raw))
 * ```
 * @see draft-ietf-oauth-reciprocal-04 §2.2.2
 * @group Party B
 */
export function createReciprocalReceiver(options: ReciprocalReceiverOptions): ReciprocalReceiver {
  const runtime = options.runtime ?? systemRuntime
  const storage = options.storage ?? new MemoryStorage({ now: () => runtime.now() })
  const profile = options.errorProfile ?? 'draft'
  const parsedRequired = options.requiredScope === undefined ? [] : parseScope(options.requiredScope)
  if (parsedRequired === undefined) throw invalidValue('requiredScope is not a valid scope')
  const required: readonly string[] = parsedRequired
  const emit = eventEmitter(options.onEvent, runtime, 'reciprocal-receiver')
  // This receiver's own: A's registered secret is hashed once, not on every POST.
  const registeredSecretDigest = memoizedSha256()

  const answer = (error: OAuthErrorResponse): HttpResult => renderOAuthError(applyErrorProfile(error, profile))

  async function receive(raw: RawHttpRequest, params: FormParams): Promise<HttpResult> {
    if (params.get('grant_type') !== GRANT_TYPE_RECIPROCAL) {
      return answer(unsupportedGrantType('This endpoint accepts only the reciprocal grant type'))
    }
    // The schema requires client_id in the body, as the draft does even when Basic carries it.
    const parsed = v.safeParse(ReciprocalGrantRequestSchema, formToObject(params))
    if (!parsed.success) return answer(parameterError(parsed.issues))

    const now = runtime.now()
    const client = await authenticateClientRequest(raw.headers, params, { clients: options.clients, audiences: options.audiences, storage, now, registeredSecretDigest })
    if (!client.ok) return answer(client.error)
    // SPEC R7.11: extraction already refuses a Basic id that differs; this covers every method.
    if (client.value.clientId !== parsed.output.client_id) return answer(invalidClient('client_id does not match the authenticated client'))

    const token = await options.verifyAccessToken(parsed.output.access_token)
    // SPEC R3.3, R7.3: live, issued by B, to this very client.
    if (token === undefined || token.clientId !== client.value.clientId || (token.expiresAt !== undefined && token.expiresAt <= now)) {
      return answer(invalidToken('The access token is not valid for this client'))
    }
    if (!isScopeSubset(required, parseScope(token.scope) ?? [])) {
      return answer(insufficientScope(options.requiredScope ?? '', 'The access token lacks the scope required for reciprocal OAuth'))
    }

    // SPEC R7.10: a code is received once; a duplicate never triggers a second redemption.
    const marker = `reciprocal-received:${client.value.clientId}:${sha256(parsed.output.code)}`
    if (!(await storage.add(marker, now, MAX_CODE_TTL_SECONDS))) {
      return answer(invalidGrant('This code was already received'))
    }
    const outcome = await options.onCode({
      peerClientId: client.value.clientId,
      userId: token.subject,
      code: parsed.output.code,
      receivedAt: now,
    })
    if (outcome.ok) emit({ type: 'code-received', clientId: client.value.clientId, subject: token.subject })
    return outcome.ok ? jsonResult(200, {}) : answer(outcome.error)
  }

  const doors = { where: 'reciprocal-receiver', emit, bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES } as const
  const { handle, fetch } = endpoint(async (raw) => {
    const params = parseFormRequest(raw, options.bodyLimitBytes)
    return params.ok ? receive(raw, params.value) : answer(params.error)
  }, doors)
  const handleParsed = (raw: RawHttpRequest, params: FormParams): Promise<HttpResult> => guarded((r: RawHttpRequest) => receive(r, params), emit, doors.where)(raw)
  return { handle, handleParsed, fetch, bodyLimitBytes: doors.bodyLimitBytes }
}
