/**
 * Names the draft registers and the SDK's protocol defaults.
 *
 * @module
 */

/**
 * The reciprocal grant type URN (draft §2.2.2, SPEC R3.2, R6.1).
 *
 * @group Protocol
 */
export const GRANT_TYPE_RECIPROCAL = 'urn:ietf:params:oauth:grant-type:reciprocal'

/**
 * The `reciprocal` member of a token response or parameter of an authorization response
 * (SPEC R1.2).
 *
 * @group Protocol
 */
export const RECIPROCAL_PARAMETER = 'reciprocal'

/** Default lifetime of an authorization code, seconds (SPEC R3.1). @group Protocol */
export const DEFAULT_CODE_TTL_SECONDS = 60
/** Longest lifetime an authorization code may be given, seconds (SPEC R3.1). @group Protocol */
export const MAX_CODE_TTL_SECONDS = 600
/** Random bytes in a code or opaque token: 256 bits, twice RFC 9700's floor (SPEC R3.1). @group Protocol */
export const SECRET_BYTES = 32
/** Default request body limit of every endpoint, bytes (SPEC R7.5). @group Protocol */
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024
/** Default timeout of every outbound request, milliseconds (SPEC R7.7). @group Protocol */
export const DEFAULT_TIMEOUT_MS = 10_000
