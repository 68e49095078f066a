/**
 * `reciprocal-oauth/client`: each client-side protocol step on its own, in oauth4webapi's style —
 * a request builder and a response processor, or one call that does both — for applications that
 * drive the flow themselves instead of through `createPartyA` / `createPartyB`.
 *
 * @module reciprocal-oauth/client
 */
export {
  discoverPeer,
  supportsReciprocalGrant,
  type DiscoverPeerOptions,
  type PeerConfig,
  type PeerTransport,
  type TransportFetch,
} from './client/peer.js'
export { createAuthorizationRequest, exchangeCode, validateCallback, type AuthorizationRequestInput, type ValidatedCallback } from './client/authorization.js'
export { type PendingAuthorization } from './core/pending-authorization.js'
export {
  deliverReciprocalCode,
  processReciprocalGrantResponse,
  reciprocalGrantRequest,
  type ReciprocalGrantInput,
} from './client/reciprocal-grant.js'
export { type RetryOptions } from './client/retry.js'
export { redeemReciprocalCode, type RedeemOptions } from './client/redeem.js'
export { refreshTokenSet } from './client/refresh.js'
export { revokeToken, revokeTokenSet, type TokenTypeHint } from './client/revoke.js'
export { tokenSetFromResponse, type TokenSetDefaults } from './client/token-set.js'
export { normalizeTokenType, tokenSetExpiresWithin, tokenTypeOf, type TokenSet } from './core/token-set.js'
export { introspectionVerifier, jwtAccessTokenVerifier, type JwtAccessTokenVerifierOptions } from './client/verifiers.js'
export type { AccessTokenVerifier, VerifiedAccessToken } from './core/access-token.js'
