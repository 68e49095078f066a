/**
 * Party A delivers the reciprocal code to B (SPEC R3.2, draft step E): a POST of the reciprocal
 * grant type to B's token endpoint with A's client authentication, and the processing of B's
 * answer (SPEC R3.4). Same split as oauth4webapi: a request function returning the `Response`,
 * a `process…` function turning it into a result or a typed error.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import * as v from 'valibot'
import { ErrorCode, ReciprocalError } from '../core/errors.js'
import { GRANT_TYPE_RECIPROCAL } from '../protocol/constants.js'
import { ErrorResponseSchema, ReciprocalGrantResponseSchema } from '../protocol/schemas.js'
import { errorFromStatus, toReciprocalError } from './errors.js'
import { requestOptions, type PeerConfig } from './peer.js'

/**
 * What A sends B in the reciprocal grant request (SPEC R3.2).
 *
 * @example
 * ```ts
 * const input: ReciprocalGrantInput = { code, accessToken }
 * await deliverReciprocalCode(peerB, input)
 * ```
 * @group Client
 */
export interface ReciprocalGrantInput {
  /** The code A minted for B (SPEC R3.1). */
  readonly code: string
  /** The access token B issued to A in the initial flow: it tells B which user this is about. */
  readonly accessToken: string
}

/**
 * POSTs the reciprocal code to B's token endpoint (`peerB.as.token_endpoint`) with oauth4webapi:
 * `grant_type=urn:ietf:params:oauth:grant-type:reciprocal`, `code`, `client_id`, `access_token`,
 * authenticated with `peerB.clientAuth`. `client_id` is always in the body, as the draft requires,
 * even with `client_secret_basic` (which otherwise leaves it out). Redirects are not followed.
 *
 * @returns B's raw answer, for {@link processReciprocalGrantResponse}. Rejects on network failure
 *   or timeout with the transport's error (use {@link deliverReciprocalCode} for mapped errors).
 * @example
 * ```ts
 * const response = await reciprocalGrantRequest(peerB, { code, accessToken })
 * await processReciprocalGrantResponse(response)
 * ```
 * @group Client
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-reciprocal-04#section-2.2.2
 */
export function reciprocalGrantRequest(
  peerB: PeerConfig,
  input: ReciprocalGrantInput,
  options: { readonly signal?: AbortSignal } = {},
): Promise<Response> {
  return oauth.genericTokenEndpointRequest(
    peerB.as,
    peerB.client,
    peerB.clientAuth,
    GRANT_TYPE_RECIPROCAL,
    { code: input.code, client_id: peerB.client.client_id, access_token: input.accessToken },
    requestOptions(peerB, options.signal),
  )
}

/** The OAuth `error` of an error answer: from a JSON body, else from `WWW-Authenticate`. */
function errorCodeOf(body: string, response: Response): string | undefined {
  try {
    const parsed = v.safeParse(ErrorResponseSchema, JSON.parse(body))
    if (parsed.success) return parsed.output.error
  } catch {
    // expected: an error answer that is not JSON; fall through to the header.
  }
  return /\berror="?([A-Za-z_]+)"?/.exec(response.headers.get('www-authenticate') ?? '')?.[1]
}

function invalidSuccess(what: string): ReciprocalError {
  return new ReciprocalError(`Delivering the reciprocal code failed: ${what}`, {
    code: ErrorCode.InvalidResponse,
    step: 'deliver-code',
    hint: 'The peer answered 200 without the JSON object the protocol expects (SPEC R3.4). It may or may not have accepted the code: check with the peer before sending a new one.',
    peer: { status: 200 },
  })
}

/**
 * Processes B's answer to the reciprocal grant request (SPEC R3.4). Success is **200** with a JSON
 * object body (`{}` in the Google profile) or an empty body (the draft only says "200").
 * Everything else rejects with a {@link reciprocal-oauth!ReciprocalError} at step `deliver-code`: 400 →
 * `PeerRejected`, 401 → `PeerUnauthorized`, 403 → `PeerForbidden`, 5xx → `PeerUnavailable`
 * (retryable), a malformed 200 → `InvalidResponse`. Only the status and the OAuth `error` code
 * are kept; B's `error_description` is never copied (SPEC R8.4).
 *
 * `processGenericTokenEndpointResponse` is not usable here: it requires an `access_token`.
 *
 * @example
 * ```ts
 * await processReciprocalGrantResponse(await reciprocalGrantRequest(peerB, { code, accessToken }))
 * ```
 * @group Client
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-reciprocal-04#section-2.2.2
 */
export async function processReciprocalGrantResponse(response: Response): Promise<void> {
  let body: string
  try {
    body = await response.text()
  } catch (error) {
    throw toReciprocalError(error, 'deliver-code')
  }
  if (response.status !== 200) throw errorFromStatus(response.status, errorCodeOf(body, response), 'deliver-code')
  if (body.trim() === '') return

  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    // expected: a success answer that is not JSON is the peer's error, thrown as InvalidResponse.
    throw invalidSuccess('the success answer is not JSON')
  }
  // valibot's object schemas take any non-null object, arrays included: refuse arrays explicitly.
  if (Array.isArray(json) || !v.safeParse(ReciprocalGrantResponseSchema, json).success) {
    throw invalidSuccess('the success answer is not a JSON object')
  }
}

/**
 * Sends the reciprocal code to B and processes the answer: {@link reciprocalGrantRequest} then
 * {@link processReciprocalGrantResponse}, with network failures and timeouts mapped to retryable
 * `Network` / `Timeout` errors (SPEC R7.7, R8.1).
 *
 * @throws {@link reciprocal-oauth!ReciprocalError} with step `deliver-code`.
 * @example
 * ```ts
 * try {
 *   await deliverReciprocalCode(peerB, { code, accessToken })
 * } catch (err) {
 *   if (err instanceof ReciprocalError && err.retryable) scheduleRetry()
 * }
 * ```
 * @group Client
 */
export async function deliverReciprocalCode(
  peerB: PeerConfig,
  input: ReciprocalGrantInput,
  options: { readonly signal?: AbortSignal } = {},
): Promise<void> {
  let response: Response
  try {
    response = await reciprocalGrantRequest(peerB, input, options)
  } catch (error) {
    throw toReciprocalError(error, 'deliver-code')
  }
  await processReciprocalGrantResponse(response)
}
