/**
 * Reciprocal OAuth (draft-ietf-oauth-reciprocal-04) for TypeScript: party A and party B of the
 * protocol, built on oauth4webapi, jose and valibot, with every bit of I/O injected.
 *
 * - Party A: {@link createPartyA} (the flow and the consent) with {@link createAuthorizationServer}
 *   (the reciprocal code and the token endpoint B redeems it at).
 * - Party B: {@link createPartyB} (the reciprocal grant receiver and the redemption), and
 *   {@link createAuthorizationServer} when B needs an authorization server for the initial flow.
 * - The pure layers underneath — scope algebra, strict form parsing, OAuth errors, the two state
 *   machines — are exported for frameworks and for tests.
 *
 * @module reciprocal-oauth
 */

// Party drivers: what most applications use.
export { createPartyA, type PartyA, type PartyAOptions } from './drivers/party-a.js'
export type { PartyAPeer } from './drivers/party-a-peers.js'
export { createPartyB, type PartyB, type PartyBOptions, type RedemptionMode } from './drivers/party-b.js'

// The authorization-server kit (party A in the reciprocal leg; party B in the initial flow).
export { createAuthorizationServer, type AuthorizationServer, type Endpoint } from './server/authorization-server.js'
export {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  type AuthorizationServerOptions,
  type ExtensionGrantHandler,
  type JwtAccessTokenFormat,
  type ReciprocalScopeHook,
} from './server/options.js'
export { staticClients, type ClientRegistry, type RegisteredClient } from './server/clients.js'
export type { MintCodeInput, MintedCode } from './server/mint-code.js'
export type {
  AuthorizationApproval,
  AuthorizationValidation,
  PendingAuthorization as PendingAuthorizationRequest,
} from './server/authorization-endpoint.js'
export type { AccessTokenInfo } from './server/verify-access-token.js'
export type { BearerCheck } from './server/resource-server.js'
export type { AuthorizationServerMetadata } from './server/metadata.js'

// Party B's receiver, for a B that runs another authorization server.
export {
  createReciprocalReceiver,
  type AccessTokenVerifier,
  type ReceiveOutcome,
  type ReceivedReciprocalCode,
  type ReciprocalReceiver,
  type ReciprocalReceiverOptions,
  type VerifiedAccessToken,
} from './endpoints/reciprocal-receiver.js'
export { readRawRequest, toResponse, webHandler } from './endpoints/web.js'

// Client-side protocol steps (oauth4webapi underneath), each usable on its own.
// oauth4webapi's client-authentication strategies, re-exported so one import is enough.
export { ClientSecretBasic, ClientSecretPost, None, PrivateKeyJwt } from 'oauth4webapi'
export {
  discoverPeer,
  requestOptions,
  supportsReciprocalGrant,
  type DiscoverPeerOptions,
  type PeerConfig,
  type PeerRequestOptions,
  type PeerTransport,
  type TransportFetch,
} from './client/peer.js'
export {
  createAuthorizationRequest,
  exchangeCode,
  handleCallback,
  type AuthorizationRequestInput,
  type PendingAuthorization,
  type ValidatedCallback,
} from './client/authorization.js'
export {
  deliverReciprocalCode,
  processReciprocalGrantResponse,
  reciprocalGrantRequest,
  type ReciprocalGrantInput,
} from './client/reciprocal-grant.js'
export { redeemReciprocalCode, type RedeemOptions } from './client/redeem.js'
export { refreshTokenSet } from './client/refresh.js'
export { revokeToken, revokeTokenSet, type TokenTypeHint } from './client/revoke.js'
export { tokenSetExpiresWithin, tokenSetFromResponse, type TokenSet, type TokenSetDefaults } from './client/token-set.js'
export { introspectionVerifier, jwtAccessTokenVerifier, type JwtAccessTokenVerifierOptions } from './client/verifiers.js'

// State machines (pure).
export {
  startPartyA,
  stepPartyA,
  type Grant,
  type PartyACommand,
  type PartyAContext,
  type PartyAEvent,
  type PartyALinkBase,
  type PartyALinked,
  type OneWayReason,
  type PartyAState,
  type UndeliveredCode,
} from './machines/party-a.js'
export {
  stepPartyB,
  type PartyBCommand,
  type PartyBEvent,
  type PartyBLinkBase,
  type PartyBState,
  type PendingCode,
  type RevocationTarget,
} from './machines/party-b.js'
export type { Command, Unlinked } from './machines/outbox.js'
export type { StepContext } from './machines/types.js'

// Protocol layer (pure).
export {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_CODE_TTL_SECONDS,
  DEFAULT_TIMEOUT_MS,
  GRANT_TYPE_RECIPROCAL,
  MAX_CODE_TTL_SECONDS,
  RECIPROCAL_PARAMETER,
  SECRET_BYTES,
} from './protocol/constants.js'
export { formatScope, intersectScopes, isScopeSubset, isValidScope, normalizeTokens, parseScope } from './protocol/scope.js'
export {
  resolveReciprocalScope,
  type ReciprocalScopeInput,
  type ReciprocalScopeResolution,
  type ReciprocalScopeSource,
} from './protocol/reciprocal-scope.js'
export { withReciprocalParameter, withReciprocalScope } from './protocol/reciprocal-response.js'
export { parseForm, parseFormRequest, type FormParams, type Parsed } from './protocol/form.js'
export {
  CLIENT_AUTH_PARAMETERS,
  JWT_BEARER_ASSERTION_TYPE,
  extractClientCredentials,
  type ClientAuthMethod,
  type PresentedClientCredentials,
} from './protocol/client-credentials.js'
export { authenticateClient, type ClientAuthContext } from './server/client-auth.js'
export { timingSafeEqual } from './protocol/constant-time.js'
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
export { headerValue, jsonResult, type HeaderBag, type HttpResult, type RawHttpRequest } from './protocol/http.js'
export * as schemas from './protocol/schemas.js'

// Errors, runtime, storage.
export {
  ErrorCode,
  ReciprocalError,
  type PeerErrorInfo,
  type ReciprocalErrorOptions,
  type SerializedError,
  type Step,
} from './errors.js'
export { systemRuntime, type Runtime } from './runtime.js'
export type { JsonValue, Storage } from './storage/storage.js'
export { MemoryStorage, StorageFullError, type MemoryStorageOptions, type MemoryStorageStats } from './storage/memory.js'
export { sha256 } from './crypto/hash.js'
export { base64url, secretFromBytes } from './crypto/encoding.js'
