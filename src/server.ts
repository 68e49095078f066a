/**
 * `reciprocal-oauth/server`: the authorization-server kit (token, revocation and authorization
 * endpoints, code minting, the resource-server check), party B's reciprocal grant receiver for a B
 * that runs another authorization server, the OAuth error responses, and the two HTTP doors
 * (`(Request) → Response` and the parsed-input door) every handler has.
 *
 * @module reciprocal-oauth/server
 */
export { createAuthorizationServer, type AuthorizationServer } from './server/authorization-server.js'
export type { Endpoint } from './http/endpoint.js'
export {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_REFRESH_TOKEN_REUSE_GRACE_SECONDS,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  type AuthorizationServerOptions,
  type LostGrantHandler,
  type ExtensionGrantHandler,
  type JwtAccessTokenFormat,
  type ReciprocalScopeHook,
} from './server/options.js'
export { staticClients, type ClientRegistry, type RegisteredClient } from './server/clients.js'
export type { MintCodeInput, MintedCode } from './server/mint-code.js'
export type { LostGrant } from './rules/records.js'
export type {
  AuthorizationApproval,
  AuthorizationValidation,
  ValidAuthorizationRequest,
} from './server/authorization-endpoint.js'
export type { AuthenticateRequestOptions, BearerCheck, ProofCheck } from './server/resource-server.js'
export type { AuthorizationServerMetadata } from './server/metadata.js'
export { authenticateClient, type ClientAuthContext } from './server/client-auth.js'

// Party B's receiver, for a B that runs another authorization server.
export { createReciprocalReceiver, type ReceiveOutcome, type ReceivedReciprocalCode, type ReciprocalReceiver, type ReciprocalReceiverOptions } from './server/reciprocal-receiver.js'
export { type AccessTokenVerifier, type VerifiedAccessToken } from './core/access-token.js'
export { withReciprocalParameter, withReciprocalScope } from './protocol/reciprocal-response.js'

// The wire: constants, forms, client credentials, OAuth error responses.
export {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_CODE_TTL_SECONDS,
  DEFAULT_TIMEOUT_MS,
  GRANT_TYPE_RECIPROCAL,
  MAX_CODE_TTL_SECONDS,
  RECIPROCAL_PARAMETER,
} from './protocol/constants.js'
export { parseForm, parseFormRequest, type FormParams, type Parsed } from './protocol/form.js'
export { extractClientCredentials, type ClientAuthMethod, type PresentedClientCredentials } from './protocol/client-credentials.js'
export {
  applyErrorProfile,
  insufficientScope,
  invalidClient,
  invalidGrant,
  invalidRequest,
  invalidScope,
  invalidToken,
  methodNotAllowed,
  renderOAuthError,
  serverError,
  unauthorizedClient,
  unsupportedGrantType,
  type ErrorProfile,
  type OAuthErrorResponse,
} from './protocol/oauth-error.js'

// The HTTP doors.
export { jsonResult, type HeaderBag, type HttpResult, type RawHttpRequest } from './protocol/http.js'
export { readRawRequest, toResponse, webHandler, type WebHandlerOptions } from './http/web.js'

// The vocabulary of the `onEvent` observer's events (docs/events.md).
export type { EventSource, FailureSite, ObservedError, ReciprocalEventType } from './core/events.js'
