/**
 * valibot schemas for every message that arrives from the wire (validate at the edge, trust
 * inside). Forms are parsed strictly by `form.ts` into a map first; these schemas then check
 * each parameter. JSON responses from peers use `looseObject` so that extension members — such
 * as `reciprocal` — survive.
 *
 * @module
 */
import * as v from 'valibot'
import { isValidScope } from './scope.js'
import { GRANT_TYPE_RECIPROCAL } from './constants.js'

/**
 * Builds one schema in a call marked free of side effects, so that a bundler drops each schema
 * its importer does not use, with the valibot code only that schema needs (esbuild does not
 * carry valibot's own annotations across modules: it would keep a bare `v.object(…)` here).
 */
/* @__NO_SIDE_EFFECTS__ */
function schema<T>(build: () => T): T {
  return build()
}

/** A non-empty string of at most 4 KiB: every code, token or identifier on the wire. */
const Opaque = schema(() => v.pipe(v.string(), v.minLength(1), v.maxLength(4096)))

/**
 * An RFC 6749 §3.3 scope string.
 *
 * @example
 * ```ts
 * v.safeParse(ScopeSchema, 'music.read music.play').success // true
 * v.safeParse(ScopeSchema, 'music.read  music.play').success // false: a double space
 * ```
 * @group Schemas
 */
export const ScopeSchema = schema(() => v.pipe(v.string(), v.maxLength(4096), v.check(isValidScope, 'not a valid scope')))

/**
 * The reciprocal grant request party A POSTs to B's token endpoint (SPEC R3.2), after client
 * credentials were taken out.
 *
 * @example
 * ```ts
 * const value = { grant_type: GRANT_TYPE_RECIPROCAL, code: '…', client_id: 'assistant', access_token: '…' }
 * v.safeParse(ReciprocalGrantRequestSchema, value).success // true
 * v.safeParse(ReciprocalGrantRequestSchema, { ...value, access_token: '' }).success // false
 * ```
 * @group Schemas
 */
export const ReciprocalGrantRequestSchema = schema(() => v.object({
  grant_type: v.literal(GRANT_TYPE_RECIPROCAL),
  code: Opaque,
  client_id: Opaque,
  access_token: Opaque,
}))
/** @group Schemas */
export type ReciprocalGrantRequest = v.InferOutput<typeof ReciprocalGrantRequestSchema>

/**
 * An `authorization_code` token request (RFC 6749 §4.1.3, RFC 7636 §4.5), as B sends it to A in
 * the reciprocal leg (no `redirect_uri`, no `code_verifier`) or a client sends it in the initial
 * flow.
 *
 * @example
 * ```ts
 * v.safeParse(AuthorizationCodeRequestSchema, { grant_type: 'authorization_code', code: '…' }).success // true
 * v.safeParse(AuthorizationCodeRequestSchema, { grant_type: 'authorization_code', code: '…', code_verifier: 'short' }).success // false
 * ```
 * @group Schemas
 */
export const AuthorizationCodeRequestSchema = schema(() => v.object({
  grant_type: v.literal('authorization_code'),
  code: Opaque,
  redirect_uri: v.optional(Opaque),
  code_verifier: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9._~-]{43,128}$/, 'not a valid code_verifier'))),
}))
/** @group Schemas */
export type AuthorizationCodeRequest = v.InferOutput<typeof AuthorizationCodeRequestSchema>

/**
 * A `refresh_token` request (RFC 6749 §6).
 *
 * @example
 * ```ts
 * v.safeParse(RefreshTokenRequestSchema, { grant_type: 'refresh_token', refresh_token: '…', scope: 'music.read' }).success // true
 * v.safeParse(RefreshTokenRequestSchema, { grant_type: 'refresh_token' }).success // false: no refresh_token
 * ```
 * @group Schemas
 */
export const RefreshTokenRequestSchema = schema(() => v.object({
  grant_type: v.literal('refresh_token'),
  refresh_token: Opaque,
  scope: v.optional(ScopeSchema),
}))
/** @group Schemas */
export type RefreshTokenRequest = v.InferOutput<typeof RefreshTokenRequestSchema>

/**
 * An RFC 7009 revocation request.
 *
 * @example
 * ```ts
 * v.safeParse(RevocationRequestSchema, { token: '…', token_type_hint: 'refresh_token' }).success // true
 * v.safeParse(RevocationRequestSchema, { token_type_hint: 'refresh_token' }).success // false: no token
 * ```
 * @group Schemas
 */
export const RevocationRequestSchema = schema(() => v.object({
  token: Opaque,
  token_type_hint: v.optional(v.string()),
}))

/**
 * An authorization request (RFC 6749 §4.1.1 with RFC 7636 PKCE S256, required by SPEC R7.1).
 *
 * @example
 * ```ts
 * const request = { response_type: 'code', client_id: 'music', redirect_uri: 'https://music.example/cb', scope: 'assistant.announce',
 *   code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' } // RFC 7636 Appendix B
 * v.safeParse(AuthorizationRequestSchema, request).success // true
 * v.safeParse(AuthorizationRequestSchema, { ...request, code_challenge_method: 'plain' }).success // false
 * ```
 * @group Schemas
 */
export const AuthorizationRequestSchema = schema(() => v.object({
  response_type: v.literal('code'),
  client_id: Opaque,
  redirect_uri: Opaque,
  scope: v.optional(ScopeSchema),
  state: v.optional(v.pipe(v.string(), v.maxLength(2048))),
  code_challenge: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/, 'not an S256 code_challenge')),
  code_challenge_method: v.literal('S256'),
}))
/** @group Schemas */
export type AuthorizationRequest = v.InferOutput<typeof AuthorizationRequestSchema>

/**
 * A successful token response (RFC 6749 §5.1) with the optional `reciprocal` member (SPEC R1.2).
 * Loose: other members survive.
 *
 * @example
 * ```ts
 * const body = { access_token: '…', token_type: 'Bearer', expires_in: 3600, reciprocal: 'assistant.announce' }
 * v.safeParse(TokenResponseSchema, body).success // true
 * v.safeParse(TokenResponseSchema, { ...body, expires_in: -1 }).success // false
 * ```
 * @group Schemas
 */
export const TokenResponseSchema = schema(() => v.looseObject({
  access_token: Opaque,
  token_type: v.string(),
  expires_in: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  refresh_token: v.optional(Opaque),
  scope: v.optional(v.string()),
  reciprocal: v.optional(v.string()),
}))
/** @group Schemas */
export type TokenResponse = v.InferOutput<typeof TokenResponseSchema>

/**
 * An OAuth error response body (RFC 6749 §5.2). Loose.
 *
 * @example
 * ```ts
 * v.safeParse(ErrorResponseSchema, { error: 'invalid_grant', error_description: 'The code has expired' }).success // true
 * v.safeParse(ErrorResponseSchema, { error_description: 'Something failed' }).success // false: no error
 * ```
 * @group Schemas
 */
export const ErrorResponseSchema = schema(() => v.looseObject({
  error: v.string(),
  error_description: v.optional(v.string()),
}))

/**
 * B's success answer to the reciprocal grant POST (SPEC R3.4): a JSON object, `{}` in the Google
 * profile. Loose: members are allowed and ignored.
 *
 * @example
 * ```ts
 * v.safeParse(ReciprocalGrantResponseSchema, {}).success // true
 * v.safeParse(ReciprocalGrantResponseSchema, []).success // false: not a JSON object
 * ```
 * @group Schemas
 */
export const ReciprocalGrantResponseSchema = schema(() => v.pipe(
  v.unknown(),
  // valibot's object schemas accept arrays (as `{}`); a JSON array is not the object required.
  v.check((value) => !Array.isArray(value), 'not a JSON object'),
  v.looseObject({}),
))

/**
 * An RFC 7662 introspection response. Loose.
 *
 * @example
 * ```ts
 * v.safeParse(IntrospectionResponseSchema, { active: true, client_id: 'music', scope: 'assistant.announce', exp: 1_700_003_600 }).success // true
 * v.safeParse(IntrospectionResponseSchema, { active: 'yes' }).success // false: active must be a boolean
 * ```
 * @group Schemas
 */
export const IntrospectionResponseSchema = schema(() => v.looseObject({
  active: v.boolean(),
  client_id: v.optional(v.string()),
  sub: v.optional(v.string()),
  scope: v.optional(v.string()),
  exp: v.optional(v.number()),
}))

/**
 * Turns a strictly parsed form (each name once) into a plain object for a schema, keeping only
 * the names the schema knows about plus credentials stripped.
 *
 * @example
 * ```ts
 * v.safeParse(RefreshTokenRequestSchema, formToObject(params, ['client_id']))
 * ```
 * @group Schemas
 */
export function formToObject(params: ReadonlyMap<string, string>, omit: readonly string[] = []): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, value] of params) if (!omit.includes(name)) result[name] = value
  return result
}
