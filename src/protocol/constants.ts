/**
 * Names the draft registers and the SDK's protocol defaults.
 *
 * @module
 */

/**
 * The reciprocal grant type URN (draft §2.2.2, SPEC R3.2, R6.1).
 *
 * @example
 * ```ts
 * // B on another authorization server dispatches this grant type to party B's receiver:
 * if (params.get('grant_type') === GRANT_TYPE_RECIPROCAL) return partyB.receiver.handleParsed(raw, params)
 * metadata.grant_types_supported?.includes(GRANT_TYPE_RECIPROCAL) // true: the peer takes reciprocal grants
 * ```
 * @group Protocol
 */
export const GRANT_TYPE_RECIPROCAL = 'urn:ietf:params:oauth:grant-type:reciprocal'

/**
 * The `reciprocal` member of a token response or parameter of an authorization response
 * (SPEC R1.2).
 *
 * @example
 * ```ts
 * tokenResponse[RECIPROCAL_PARAMETER] // 'assistant.announce': B asks for the reverse grant
 * new URL(callbackUrl).searchParams.get(RECIPROCAL_PARAMETER) // the same, on an authorization response
 * ```
 * @group Protocol
 */
export const RECIPROCAL_PARAMETER = 'reciprocal'

/**
 * Default lifetime of an authorization code, seconds (SPEC R3.1).
 *
 * @example
 * ```ts
 * resolveServerOptions({ issuer, tokenEndpoint, clients }).codeTtlSeconds // 60, DEFAULT_CODE_TTL_SECONDS
 * ```
 * @group Protocol
 */
export const DEFAULT_CODE_TTL_SECONDS = 60
/**
 * Longest lifetime an authorization code may be given, seconds (SPEC R3.1).
 *
 * @example
 * ```ts
 * resolveServerOptions({ issuer, tokenEndpoint, clients, codeTtlSeconds: MAX_CODE_TTL_SECONDS }) // accepted
 * resolveServerOptions({ issuer, tokenEndpoint, clients, codeTtlSeconds: MAX_CODE_TTL_SECONDS + 1 }) // throws TypeError
 * ```
 * @group Protocol
 */
export const MAX_CODE_TTL_SECONDS = 600
/**
 * Random bytes in a code or opaque token: 256 bits, twice RFC 9700's floor (SPEC R3.1).
 *
 * @example
 * ```ts
 * const code = secretFromBytes(runtime.randomBytes(SECRET_BYTES)) // 43 base64url characters
 * ```
 * @group Protocol
 */
export const SECRET_BYTES = 32
/**
 * Default request body limit of every endpoint, bytes (SPEC R7.5).
 *
 * @example
 * ```ts
 * parseForm(body, DEFAULT_BODY_LIMIT_BYTES) // same as parseForm(body): over 16 KiB is invalid_request
 * createAuthorizationServer({ ...options, bodyLimitBytes: 4 * DEFAULT_BODY_LIMIT_BYTES })
 * ```
 * @group Protocol
 */
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024
/**
 * Default timeout of every outbound request, milliseconds (SPEC R7.7).
 *
 * @example
 * ```ts
 * const transport: PeerTransport = { fetch: myFetch, timeoutMs: 3 * DEFAULT_TIMEOUT_MS } // a slow peer: 30 s
 * ```
 * @group Protocol
 */
export const DEFAULT_TIMEOUT_MS = 10_000
