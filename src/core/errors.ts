/**
 * The SDK's typed error (SPEC R8.1): every failure has a stable `code` to switch on, the
 * protocol `step` it happened in, and a `hint` saying what to do. Messages never carry a
 * secret, token or code (SPEC R7.4, R8.4).
 *
 * @module
 */

/**
 * Stable error codes. Switch on these, never on messages.
 *
 * @example
 * ```ts
 * if (err instanceof ReciprocalError && err.code === ErrorCode.NeedsReconsent) await startLink()
 * ErrorCode.Timeout // 'ERR_TIMEOUT'
 * ```
 * @see SPEC R8.1
 * @group Errors
 */
export const ErrorCode = {
  /**
   * A configuration value is missing or inconsistent, or a local failure (storage) stopped a
   * command. When: an unusable peer endpoint, metadata that is not https, a rejected argument.
   * Do: fix the configuration named in `hint`; when `retryable`, check the storage and retry.
   */
  Configuration: 'ERR_CONFIGURATION',
  /**
   * An operation the link's current state cannot take. When: a callback for an unknown or
   * finished flow, consent on a link that is not awaiting it, an unknown link id. Do: read the
   * link's state and start a new link if it has ended.
   */
  InvalidState: 'ERR_INVALID_STATE',
  /**
   * The authorization response failed validation. When: a wrong or missing `state`, an `iss`
   * that is not the peer's (RFC 9207), no `code`. Do: treat it as an attack or a stale tab;
   * start the authorization again.
   */
  CallbackInvalid: 'ERR_CALLBACK_INVALID',
  /**
   * The user or the peer's authorization server refused the initial authorization. When: the
   * callback carries `error` (e.g. `access_denied`). Do: tell the user; start again if they want.
   */
  AuthorizationDenied: 'ERR_AUTHORIZATION_DENIED',
  /**
   * The token request of the initial flow was refused. When: the code expired or was used, or
   * the redirect URI / PKCE verifier does not match. Do: start the authorization again.
   */
  TokenExchangeFailed: 'ERR_TOKEN_EXCHANGE_FAILED',
  /**
   * Nothing is left to offer after intersecting the requested and the offered reciprocal scope
   * (SPEC R1.3). When: `consent()` on such a one-way link. Do: widen the peer's
   * `reciprocal.offer`, or grant a scope with `updateReciprocalScope`.
   */
  NothingToOffer: 'ERR_NOTHING_TO_OFFER',
  /**
   * The peer asked for no reciprocal scope and none is configured for it — as with an
   * authorization server not built for Reciprocal OAuth (SPEC R1.3). When: `consent()` on such a
   * one-way link. Do: configure `reciprocal.configured`, or grant with `updateReciprocalScope`.
   */
  NothingRequested: 'ERR_NOTHING_REQUESTED',
  /**
   * The user already refused the reciprocal consent for this link. When: `consent()` again on
   * the refused link. Do: grant after all with `updateReciprocalScope`.
   */
  ConsentRefused: 'ERR_CONSENT_REFUSED',
  /**
   * The consent decision is not acceptable (SPEC R7.6). When: it grants more than was offered,
   * or the scope is not scope tokens. Do: grant only scopes listed in `hint`.
   */
  ConsentInvalid: 'ERR_CONSENT_INVALID',
  /**
   * The peer answered 400: it considers our request invalid. When: delivering a code to a peer
   * that does not support the reciprocal grant, or a revocation it refuses. Do: check the peer's
   * configuration; retrying the same request will not help.
   */
  PeerRejected: 'ERR_PEER_REJECTED',
  /**
   * The peer answered 401: our client authentication or the access token was refused. Do: check
   * the client id and credentials for this peer; for a token, refresh it and try again.
   */
  PeerUnauthorized: 'ERR_PEER_UNAUTHORIZED',
  /**
   * The peer answered 403: the access token lacks the scope the peer requires for reciprocal
   * OAuth (SPEC R3.4). Do: request that scope in the initial flow.
   */
  PeerForbidden: 'ERR_PEER_FORBIDDEN',
  /** The peer answered 5xx, 408, 429 or another unexpected status. Do: retry later with backoff (`retryable`). */
  PeerUnavailable: 'ERR_PEER_UNAVAILABLE',
  /**
   * The peer's answer was not the JSON the protocol requires (or a redirect, never followed).
   * When: a wrong endpoint URL, a proxy's HTML page. Do: check the endpoint speaks OAuth.
   */
  InvalidResponse: 'ERR_INVALID_RESPONSE',
  /** The request never got an answer (DNS, connection refused, reset). Do: check the URL and connectivity; retry. */
  Network: 'ERR_NETWORK',
  /** The request timed out (SPEC R7.7). Do: retry later, or raise the peer's `timeoutMs`. */
  Timeout: 'ERR_TIMEOUT',
  /**
   * The peer refused to redeem the reciprocal code (`invalid_grant` and friends, SPEC R4.2).
   * When: the code expired, was used, or was minted for another client. Do: wait for a new
   * code from the peer; the same code will never be redeemed.
   */
  RedemptionFailed: 'ERR_REDEMPTION_FAILED',
  /**
   * A refresh token is dead (expired or revoked), or there is none: the link needs the user's
   * consent again (SPEC R8.2). Do: start a new link for the user.
   */
  NeedsReconsent: 'ERR_NEEDS_RECONSENT',
  /**
   * Another worker holds the link's lease for an operation of its own. Do: retry shortly
   * (`retryable`); a stopped worker's lease lapses on its own.
   */
  LinkBusy: 'ERR_LINK_BUSY',
  /**
   * The storage failed a read or a write of the party's own records (it threw or rejected: a
   * lost connection, its own timeout).
   * When: the store is down, unreachable, full or overloaded. What was stored before stays; the
   * operation stopped where the store failed. Do: check the storage, then retry the operation
   * or `resume` (`retryable`). `cause` keeps only the store error's name and `code`: its message
   * may quote the key or the value it failed on.
   */
  StorageFailed: 'ERR_STORAGE_FAILED',
} as const

/** @group Errors */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/**
 * The protocol step an error happened in (draft steps A–G and the operations around them).
 *
 * @example
 * ```ts
 * const failedAt: Step = 'token-exchange'
 * if (err instanceof ReciprocalError && err.step === failedAt) console.error(err.hint)
 * ```
 * @see SPEC R8.1 (each failure names the step that failed)
 * @group Errors
 */
export type Step =
  | 'configuration'
  | 'authorize'
  | 'callback'
  | 'token-exchange'
  | 'consent'
  | 'mint-code'
  | 'deliver-code'
  | 'receive-code'
  | 'redeem-code'
  | 'refresh'
  | 'revoke'
  | 'resource'

/**
 * What an OAuth peer said, when the failure came from an OAuth error response. Only the
 * registered `error` code and the HTTP status are kept: `error_description` is the peer's free
 * text and may echo what we sent, so it is never copied (SPEC R8.4).
 *
 * @example
 * ```ts
 * if (err instanceof ReciprocalError && err.peer !== undefined) console.error(err.peer.status, err.peer.error)
 * ```
 * @group Errors
 */
export interface PeerErrorInfo {
  /** HTTP status of the peer's answer. */
  readonly status: number
  /** The OAuth `error` code, when the peer sent one. */
  readonly error?: string
}

/**
 * Options of {@link ReciprocalError}.
 *
 * @example
 * ```ts
 * const errorOptions: ReciprocalErrorOptions = { code: ErrorCode.Timeout, step: 'refresh', hint: 'Try again later.', retryable: true }
 * throw new ReciprocalError('Refreshing the tokens timed out', errorOptions)
 * ```
 * @see SPEC R8.1
 * @group Errors
 */
export interface ReciprocalErrorOptions {
  readonly code: ErrorCode
  readonly step: Step
  readonly hint: string
  readonly retryable?: boolean
  readonly peer?: PeerErrorInfo
  /** A redacted cause. Never pass an object that holds a secret, token or code. */
  readonly cause?: unknown
}

/**
 * The one error class of the SDK's client-side flows. It is a plain value that survives
 * `JSON.stringify` through {@link ReciprocalError.toJSON}, so machine states can keep it.
 *
 * @example
 * ```ts
 * try {
 *   await partyB.accessToken('assistant', 'alice')
 * } catch (err) {
 *   if (err instanceof ReciprocalError && err.retryable) scheduleRetry()
 * }
 * ```
 * @see SPEC R8.1, R8.4
 * @group Errors
 */
export class ReciprocalError extends Error {
  /** The class's name in any build, minified or not (stack traces, `util.inspect`). */
  static override readonly name = 'ReciprocalError'
  /** Stable machine-readable code. */
  readonly code: ErrorCode
  /** Protocol step the failure happened in. */
  readonly step: Step
  /** What to do about it, for a person. */
  readonly hint: string
  /** Whether the same operation may succeed if tried again later. */
  readonly retryable: boolean
  /** The peer's OAuth error, if the failure is the peer's answer. */
  readonly peer: PeerErrorInfo | undefined

  constructor(message: string, options: ReciprocalErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ReciprocalError'
    this.code = options.code
    this.step = options.step
    this.hint = options.hint
    this.retryable = options.retryable ?? false
    this.peer = options.peer
  }

  /** A JSON form without the stack and cause, safe to persist and to show. */
  toJSON(): SerializedError {
    return {
      name: 'ReciprocalError',
      code: this.code,
      step: this.step,
      message: this.message,
      hint: this.hint,
      retryable: this.retryable,
      ...(this.peer ? { peer: this.peer } : {}),
    }
  }

  /** Rebuilds an error from {@link ReciprocalError.toJSON}'s output (e.g. from a stored state). */
  static fromJSON(value: SerializedError): ReciprocalError {
    return new ReciprocalError(value.message, {
      code: value.code,
      step: value.step,
      hint: value.hint,
      retryable: value.retryable,
      ...(value.peer ? { peer: value.peer } : {}),
    })
  }
}

/**
 * A {@link ReciprocalError} as plain JSON, the form machine states store.
 *
 * @example
 * ```ts
 * const stored: SerializedError = new ReciprocalError('Timed out', { code: ErrorCode.Timeout, step: 'refresh', hint: 'Retry.' }).toJSON()
 * ```
 * @see SPEC R8.1, R8.4
 * @group Errors
 */
export interface SerializedError {
  readonly name: 'ReciprocalError'
  readonly code: ErrorCode
  readonly step: Step
  readonly message: string
  readonly hint: string
  readonly retryable: boolean
  readonly peer?: PeerErrorInfo
}
