/**
 * Extracting the client's credentials from a token-endpoint request (RFC 6749 §2.3, RFC 7523
 * §2.2). Pure: it says who the client claims to be and how; checking the claim is the client
 * registry's job (`src/server/client-auth.ts`).
 *
 * @module
 */
import { authorizationCredentials, headerValue, type HeaderBag } from './http.js'
import { invalidClient, invalidRequest, type OAuthErrorResponse } from './oauth-error.js'
import type { FormParams, Parsed } from './form.js'

/**
 * RFC 7523 §2.2 client assertion type.
 *
 * @example
 * ```ts
 * const params = new Map([['client_assertion_type', JWT_BEARER_ASSERTION_TYPE], ['client_assertion', '…']])
 * extractClientCredentials({}, params) // { ok: true, value: { method: 'private_key_jwt', clientId: undefined, assertion: '…' } }
 * ```
 * @group Protocol
 */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/**
 * The client authentication methods the SDK's endpoints accept (RFC 8414 names).
 *
 * @example
 * ```ts
 * const method: ClientAuthMethod = 'client_secret_basic'
 * const registry = staticClients([{ clientId: 'music', tokenEndpointAuthMethod: method, clientSecret: secret, scope: 'assistant.announce' }])
 * ```
 * @see RFC 6749 §2.3.1, RFC 7523 §2.2, RFC 8414 §2
 * @group Protocol
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none'

/**
 * Credentials as presented, not yet verified.
 *
 * @example
 * ```ts
 * const extracted = extractClientCredentials(raw.headers, params)
 * const presented: PresentedClientCredentials | undefined = extracted.ok ? extracted.value : undefined
 * ```
 * @see RFC 6749 §2.3.1, RFC 7523 §2.2, SPEC R7.11
 * @group Protocol
 */
export type PresentedClientCredentials =
  | { readonly method: 'client_secret_basic' | 'client_secret_post'; readonly clientId: string; readonly secret: string }
  | { readonly method: 'private_key_jwt'; readonly clientId: string | undefined; readonly assertion: string }
  | { readonly method: 'none'; readonly clientId: string }

/**
 * Parameters that carry client credentials and are not grant parameters.
 *
 * @example
 * ```ts
 * // Strip the credentials before checking the grant parameters:
 * v.safeParse(RefreshTokenRequestSchema, formToObject(params, CLIENT_AUTH_PARAMETERS))
 * ```
 * @group Protocol
 */
export const CLIENT_AUTH_PARAMETERS: readonly string[] = [
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
]

/**
 * Reads the credentials the client presented: HTTP Basic (id and secret each
 * form-urlencoded, RFC 6749 §2.3.1), `client_secret` in the body, a `private_key_jwt` assertion,
 * or a bare `client_id` (public client). Refuses two methods at once and a body `client_id`
 * that differs from the authenticated one (SPEC R7.11).
 *
 * @example
 * ```ts
 * const creds = extractClientCredentials({ authorization: 'Basic YTpi' }, new Map())
 * // { ok: true, value: { method: 'client_secret_basic', clientId: 'a', secret: 'b' } }
 * ```
 * @see RFC 6749 §2.3.1, RFC 7523 §2.2
 * @group Protocol
 */
export function extractClientCredentials(headers: HeaderBag, params: FormParams): Parsed<PresentedClientCredentials> {
  const authorization = headerValue(headers, 'authorization')
  const bodyClientId = params.get('client_id')
  const bodySecret = params.get('client_secret')
  const assertion = params.get('client_assertion')
  const assertionType = params.get('client_assertion_type')

  const basic = authorization === undefined ? undefined : parseBasic(authorization)
  if (authorization !== undefined && basic === undefined) {
    // An Authorization header that is not Basic (e.g. Bearer) cannot authenticate a client.
    return fail(invalidClient('Unsupported client authentication scheme', true))
  }
  if (basic === null) return fail(invalidClient('Malformed HTTP Basic credentials', true))

  const methods = [basic !== undefined, bodySecret !== undefined, assertion !== undefined].filter(Boolean).length
  if (methods > 1) return fail(invalidRequest('More than one client authentication method was used'))

  if (basic !== undefined) {
    if (bodyClientId !== undefined && bodyClientId !== basic.clientId) {
      return fail(invalidClient('client_id does not match the authenticated client', true))
    }
    return { ok: true, value: { method: 'client_secret_basic', clientId: basic.clientId, secret: basic.secret } }
  }
  if (bodySecret !== undefined) {
    if (bodyClientId === undefined) return fail(invalidClient('client_secret requires client_id'))
    return { ok: true, value: { method: 'client_secret_post', clientId: bodyClientId, secret: bodySecret } }
  }
  if (assertion !== undefined) {
    if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
      return fail(invalidRequest('Unsupported client_assertion_type'))
    }
    return { ok: true, value: { method: 'private_key_jwt', clientId: bodyClientId, assertion } }
  }
  if (bodyClientId !== undefined) return { ok: true, value: { method: 'none', clientId: bodyClientId } }
  return fail(invalidClient('Client authentication is required'))
}

function fail(error: OAuthErrorResponse): Parsed<never> {
  return { ok: false, error }
}

/** RFC 7617 / RFC 4648 §4: the base64 alphabet, padding only at the end. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * `undefined`: not a Basic header; `null`: a malformed one.
 */
function parseBasic(header: string): { clientId: string; secret: string } | undefined | null {
  const token = authorizationCredentials(header, 'Basic')
  if (token === undefined) return undefined
  // Checked before atob, which would skip spaces inside its input.
  if (token === null || !BASE64.test(token)) return null
  let decoded: string
  try {
    decoded = utf8FromBinary(atob(token))
  } catch {
    // expected: Basic credentials that are not base64 of UTF-8 are malformed (invalid_client).
    return null
  }
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  try {
    // RFC 6749 §2.3.1: id and secret are application/x-www-form-urlencoded before Basic encoding.
    const clientId = formDecode(decoded.slice(0, colon))
    const secret = formDecode(decoded.slice(colon + 1))
    if (clientId === '') return null
    return { clientId, secret }
  } catch {
    // expected: a bad percent-escape in the id or secret is malformed credentials (invalid_client).
    return null
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const NON_ASCII = /[^\x00-\x7f]/

/** `atob`'s output (one character per byte) read as UTF-8; throws on bytes that are not UTF-8. */
function utf8FromBinary(binary: string): string {
  // ASCII bytes are their own UTF-8: the usual client id and secret need no decoder.
  if (!NON_ASCII.test(binary)) return binary
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return utf8.decode(bytes)
}

function formDecode(value: string): string {
  if (!value.includes('+') && !value.includes('%')) return value
  return decodeURIComponent(value.replace(/\+/g, ' '))
}
