/**
 * The authorization endpoint as three steps around the application's login and consent UI
 * (RFC 6749 §4.1.1–§4.1.2, SPEC R1.1–R1.2, R7.1): `validate` the request, then `approve` or
 * `deny` it. The pending request is plain JSON, so the application can keep it in a session.
 *
 * @module
 */
import * as v from 'valibot'
import { failureResponse, invalidRequest, invalidScope, type OAuthErrorResponse } from '../protocol/oauth-error.js'
import { unexpectedFailure } from '../core/events.js'
import { withReciprocalParameter } from '../protocol/reciprocal-response.js'
import { AuthorizationRequestSchema } from '../protocol/schemas.js'
import { formatScope, intersectScopes, isScopeSubset, parseScope } from '../protocol/scope.js'
import type { RegisteredClient } from './clients.js'
import type { ServerContext } from './options.js'
import { mintCode } from './mint-code.js'
import { askReciprocalScope } from './reciprocal-hook.js'
import { parameterError } from './wire.js'
import { invalidValue } from '../core/misuse.js'

/**
 * A validated authorization request waiting for the user's decision.
 *
 * @example
 * ```ts
 * const validation = await musicAs.authorization.validate(request.url)
 * const waiting: ValidAuthorizationRequest | undefined = validation.ok ? validation.request : undefined
 * ```
 * @see RFC 6749 §4.1.1, RFC 7636 §4.3, SPEC R1.1
 * @group Authorization server
 */
export interface ValidAuthorizationRequest {
  readonly clientId: string
  /** Exactly one of the client's registered redirect URIs. */
  readonly redirectUri: string
  /** The requested scope within the client's registered scope (what consent may grant). */
  readonly scope: string
  readonly state?: string
  /** RFC 7636 S256 challenge. */
  readonly codeChallenge: string
}

/**
 * The outcome of validating an authorization request. On failure, `redirectTo` is the error
 * redirect to send (302) — absent when the client or its redirect URI could not be trusted, in
 * which case the application shows the error to the user instead (RFC 6749 §4.1.2.1).
 *
 * @example
 * ```ts
 * const validation: AuthorizationValidation = await musicAs.authorization.validate(request.url)
 * if (!validation.ok && validation.redirectTo !== undefined) redirect(validation.redirectTo)
 * ```
 * @group Authorization server
 */
export type AuthorizationValidation =
  | { readonly ok: true; readonly request: ValidAuthorizationRequest }
  | { readonly ok: false; readonly error: OAuthErrorResponse; readonly redirectTo?: string }

/**
 * The user's decision.
 *
 * @example
 * ```ts
 * const approval: AuthorizationApproval = { subject: user.id, scope: 'music.play' }
 * const location = await musicAs.authorization.approve(session.pending, approval) // redirect the user there
 * ```
 * @see SPEC R2.1, RFC 6749 §3.3, §4.1.2
 * @group Authorization server
 */
export interface AuthorizationApproval {
  /** The user, at this server. */
  readonly subject: string
  /** What the user granted: within the request's scope; the request's scope by default. */
  readonly scope?: string
}

/**
 * Validates an authorization request URL. The client and the exact redirect URI are checked first
 * and their failures never redirect (an open redirector otherwise); later failures — repeated
 * parameters, `response_type`, missing or non-S256 PKCE (SPEC R7.1), a scope outside the client's
 * — redirect with `error`, `state` and `iss` (RFC 9207).
 *
 * @example
 * ```ts
 * const check = await validateAuthorizationRequest(context, request.url)
 * if (!check.ok) return check.redirectTo ? redirect(check.redirectTo) : errorPage(check.error)
 * session.pending = check.request // then show the consent screen
 * ```
 * @see RFC 6749 §4.1.1, §4.1.2.1, §3.1.2.3, RFC 7636 §4.4, RFC 9207
 * @group Authorization server
 */
export async function validateAuthorizationRequest(context: ServerContext, url: URL | string): Promise<AuthorizationValidation> {
  if (!URL.canParse(url)) return { ok: false, error: invalidRequest('The request URL is malformed') }
  // RFC 6749 §3.1: a parameter sent without a value is treated as omitted.
  // One pass over the parameters: a scan of all of them per name would be quadratic (issue 6).
  const values = new Map<string, string>()
  const repeated = new Set<string>()
  for (const [name, value] of new URL(url).searchParams) {
    if (value === '') continue
    if (values.has(name)) repeated.add(name)
    values.set(name, value)
  }
  const single = (name: string): string | undefined => (repeated.has(name) ? undefined : values.get(name))

  const clientId = single('client_id')
  if (clientId === undefined) return { ok: false, error: invalidRequest('Missing or repeated client_id') }
  let client: RegisteredClient | undefined
  try {
    client = await context.clients.findClient(clientId)
  } catch (error) {
    context.emit(unexpectedFailure('authorization-endpoint', error))
    return { ok: false, error: failureResponse(error) }
  }
  if (client === undefined) return { ok: false, error: invalidRequest('Unknown client') }
  const redirectUri = single('redirect_uri')
  // RFC 6749 §3.1.2.3 / RFC 9700 §4.1.3: exact string comparison, nothing looser.
  if (redirectUri === undefined || !(client.redirectUris ?? []).includes(redirectUri) || !URL.canParse(redirectUri)) {
    return { ok: false, error: invalidRequest('Missing, repeated or unregistered redirect_uri') }
  }

  // From here on the redirect URI is trusted: errors go back to the client.
  const state = single('state')
  const fail = (error: OAuthErrorResponse): AuthorizationValidation => ({
    ok: false,
    error,
    redirectTo: errorRedirect(context, redirectUri, error, state),
  })
  // RFC 6749 §3.1: request parameters must not be included more than once.
  if (repeated.size > 0) return fail(invalidRequest('A parameter is repeated'))
  if (single('response_type') !== 'code') {
    return fail({ error: 'unsupported_response_type', status: 400, description: 'response_type must be code' })
  }
  const parsed = v.safeParse(AuthorizationRequestSchema, Object.fromEntries(values))
  if (!parsed.success) {
    const invalidScopeSyntax = parsed.issues.some((issue) => v.getDotPath(issue) === 'scope')
    return fail(invalidScopeSyntax ? invalidScope('The scope is malformed') : parameterError(parsed.issues))
  }
  const registered = parseScope(client.scope) ?? []
  const requested = parsed.output.scope === undefined ? registered : (parseScope(parsed.output.scope) ?? [])
  // RFC 6749 §3.3: the server may narrow the request; it refuses when nothing is left.
  const scope = intersectScopes(requested, registered)
  if (scope.length === 0) return fail(invalidScope('The requested scope is not available to this client'))

  return {
    ok: true,
    request: {
      clientId,
      redirectUri,
      scope: formatScope(scope),
      ...(state === undefined ? {} : { state }),
      codeChallenge: parsed.output.code_challenge,
    },
  }
}

/**
 * Records the user's approval: mints a code bound to the client, the user, the granted scope,
 * the redirect URI and the PKCE challenge, and returns the redirect URL carrying `code`,
 * `state`, `iss` (RFC 9207) and `reciprocal` when the `reciprocalScope` hook asks for the
 * reverse grant (SPEC R1.2). Throws `TypeError` when `scope` exceeds the request's.
 *
 * @example
 * ```ts
 * const location = await approveAuthorization(context, session.pending, { subject: user.id })
 * return Response.redirect(location, 302)
 * ```
 * @see RFC 6749 §4.1.2, RFC 9207 §2
 * @group Authorization server
 */
export async function approveAuthorization(
  context: ServerContext,
  request: ValidAuthorizationRequest,
  approval: AuthorizationApproval,
): Promise<string> {
  const granted = parseScope(approval.scope ?? request.scope)
  if (granted === undefined || !isScopeSubset(granted, parseScope(request.scope) ?? [])) {
    throw invalidValue('approve: the granted scope must be within the requested scope')
  }
  const scope = formatScope(granted)
  const reciprocal = askReciprocalScope(context, { clientId: request.clientId, subject: approval.subject, scope })
  const { code } = await mintCode(context, {
    clientId: request.clientId,
    subject: approval.subject,
    scope,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
  })
  const url = new URL(request.redirectUri)
  url.searchParams.set('code', code)
  if (request.state !== undefined) url.searchParams.set('state', request.state)
  url.searchParams.set('iss', context.issuer)
  return reciprocal === undefined ? url.href : withReciprocalParameter(url, reciprocal)
}

/**
 * Records the user's refusal: the redirect URL with `error=access_denied`, `state` and `iss`.
 * The pending request is checked again first — the client must exist and the redirect URI must be
 * one of its registered ones, exactly — because an application may keep it where the user agent
 * can alter it, and an unchecked URI would make this an open redirector (RFC 9700 §4.11). Throws
 * `TypeError` for such a tampered request, as `approve` does; show an error page instead.
 *
 * @example
 * ```ts
 * return Response.redirect(await denyAuthorization(context, session.pending), 302)
 * ```
 * @see RFC 6749 §4.1.2.1, §3.1.2.3
 * @group Authorization server
 */
export async function denyAuthorization(context: ServerContext, request: ValidAuthorizationRequest): Promise<string> {
  const client = await context.clients.findClient(request.clientId)
  if (client === undefined) throw invalidValue('deny: unknown client')
  // The same exact comparison as validateAuthorizationRequest (RFC 9700 §4.1.3).
  if (!(client.redirectUris ?? []).includes(request.redirectUri) || !URL.canParse(request.redirectUri)) {
    throw invalidValue('deny: redirectUri is not registered for the client')
  }
  const error: OAuthErrorResponse = { error: 'access_denied', status: 400, description: 'The user denied the request' }
  return errorRedirect(context, request.redirectUri, error, request.state)
}

function errorRedirect(context: ServerContext, redirectUri: string, error: OAuthErrorResponse, state: string | undefined): string {
  const url = new URL(redirectUri)
  url.searchParams.set('error', error.error)
  if (error.description !== undefined) url.searchParams.set('error_description', error.description)
  if (state !== undefined) url.searchParams.set('state', state)
  url.searchParams.set('iss', context.issuer)
  return url.href
}
