/**
 * Reciprocal OAuth (draft-ietf-oauth-reciprocal-04) for TypeScript: party A and party B of the
 * protocol, built on oauth4webapi, jose and valibot, with every bit of I/O injected.
 *
 * The root entry holds what most applications need:
 * - Party A: {@link createPartyA} (the flow and the consent) with {@link createAuthorizationServer}
 *   (the reciprocal code and the token endpoint B redeems it at).
 * - Party B: {@link createPartyB} (the reciprocal grant receiver and the redemption), and
 *   {@link createAuthorizationServer} when B needs an authorization server for the initial flow.
 * - The error class and its codes, the storage and runtime ports, {@link MemoryStorage}, and
 *   oauth4webapi's client-authentication strategies.
 *
 * The rest is behind subpaths: `reciprocal-oauth/client` (each protocol step on its own),
 * `reciprocal-oauth/server` (the authorization-server kit, the receiver, the resource-server
 * check and the HTTP doors), `reciprocal-oauth/machines` (the pure state machines and rules),
 * `reciprocal-oauth/node` (the Node `http` adapter).
 *
 * @module reciprocal-oauth
 */

// The two parties.
export { createPartyA, type PartyA, type PartyAOptions } from './drivers/party-a.js'
export type { PartyAPeer } from './drivers/party-a-peers.js'
export type { PartyAState } from './machines/party-a-state.js'
export { createPartyB, type PartyB, type PartyBOptions, type RedemptionMode } from './drivers/party-b.js'
export type { PartyBState } from './machines/party-b.js'
export type { PeerConfig } from './client/peer.js'
export type { TokenSet } from './core/token-set.js'

// The authorization server each party runs, and the clients it knows.
export { createAuthorizationServer, type AuthorizationServer } from './server/authorization-server.js'
export type { AuthorizationServerOptions } from './server/options.js'
export { staticClients, type RegisteredClient } from './server/clients.js'
export type { AccessTokenVerifier, VerifiedAccessToken } from './core/access-token.js'

/**
 * oauth4webapi's client authentications, re-exported so one import is enough: how a party
 * authenticates at its peer's token endpoint — `client_secret_basic` and `client_secret_post`
 * (RFC 6749 §2.3.1), `private_key_jwt` (RFC 7523 §2.2), `none` (a public client).
 *
 * @example
 * ```ts
 * const music: PeerConfig = { as: musicMetadata, client: { client_id: 'assistant' }, clientAuth: ClientSecretBasic(secret) }
 * ```
 */
export { ClientSecretBasic, ClientSecretPost, None, PrivateKeyJwt } from 'oauth4webapi'

// Errors.
export {
  ErrorCode,
  ReciprocalError,
  type PeerErrorInfo,
  type ReciprocalErrorOptions,
  type SerializedError,
  type Step,
} from './core/errors.js'
export type { EventObserver, ReciprocalEvent } from './core/events.js'
export { MisuseCode } from './core/misuse.js'

// Ports: storage and runtime.
export type { JsonValue, Storage } from './core/storage.js'
export { MemoryStorage, StorageFullError, type MemoryStorageOptions, type MemoryStorageStats } from './storage/memory.js'
export { systemRuntime, type Runtime } from './core/runtime.js'
