// The free names of the JSDoc `@example`s in `src/`, for `examples-typecheck.test.ts`: every
// example imports whatever this module exports that the example does not declare itself (after
// the package's public names and the names of the example's own module). An example may use
// these names as if the application around it had defined them; anything else it must declare.
// Keep each declaration to the type the examples mean, so a wrong call still fails.
import type { JSONWebKeySet } from 'jose'
import type * as oauth from 'oauth4webapi'
import type { ValidatedCallback } from '../../src/client/authorization.js'
import type { PendingAuthorization } from '../../src/core/pending-authorization.js'
import type { PeerConfig } from '../../src/client/peer.js'
import type { TokenSet } from '../../src/core/token-set.js'
import type { PartyA } from '../../src/drivers/party-a.js'
import type { PartyB } from '../../src/drivers/party-b.js'
import type { AuthorizationServer } from '../../src/server/authorization-server.js'
import type { PartyAContext, PartyAState } from '../../src/machines/party-a-state.js'
import type { OAuthErrorResponse } from '../../src/protocol/oauth-error.js'
import type { FormParams } from '../../src/protocol/form.js'
import type { HttpResult, RawHttpRequest } from '../../src/protocol/http.js'
import type { ClientRegistry, RegisteredClient } from '../../src/server/clients.js'
import type { ValidAuthorizationRequest } from '../../src/server/authorization-endpoint.js'
import type { AuthorizationServerOptions, ServerContext } from '../../src/server/options.js'
import type { NewRefreshToken } from '../../src/server/issue-tokens.js'
import type { PartyBState } from '../../src/machines/party-b.js'
import type { CodeRecord, GrantRecord, LinkGrantEntry, LinkVersionRecord, TokenRecord } from '../../src/server/records.js'
import type { Runtime } from '../../src/core/runtime.js'
import type { MemoryStorage } from '../../src/storage/memory.js'
import type { JsonValue } from '../../src/core/storage.js'
import type Provider from 'oidc-provider'

// Libraries the examples use by their usual names.
export * as v from 'valibot'
export * as oauth from 'oauth4webapi'
export { createLocalJWKSet } from 'jose'

// Internal helpers that examples of neighbouring internal modules call.
export { RefreshTokenRequestSchema, formToObject } from '../../src/protocol/schemas.js'
export { keys } from '../../src/server/records.js'
export { sha256 } from '../../src/lib/hash.js'
export { closeLinkGrantSlot, writeGrant } from '../../src/server/grants.js'
export { rotateGrant } from '../../src/server/rotate-grant.js'
export { resolveServerOptions } from '../../src/server/options.js'
export { authenticateClientRequest } from '../../src/server/client-auth.js'
export { handleTokenRequest } from '../../src/server/token-endpoint.js'

// The application around an example: its configuration, its services, its request.
export declare const storage: MemoryStorage
export declare const runtime: Runtime
export declare const clock: { now(): number }
export declare const now: number
export declare const issuer: string
export declare const tokenEndpoint: string
export declare const tokenUrl: string
export declare const audiences: string[]
export declare const clients: ClientRegistry
export declare const secret: string
export declare const clientSecret: string
export declare const musicClientSecret: string
export declare const myFetch: typeof fetch
export declare const publicJwks: JSONWebKeySet
export declare const app: {
  fetch(request: Request): Promise<Response>
  post(path: string, handler: (c: { req: { raw: Request } }) => Response | Promise<Response>): void
}
export declare const Deno: { serve(handler: (request: Request) => Promise<Response>): void }
export declare const session: { userId: string; pending: ValidAuthorizationRequest }
export declare const user: { id: string }
export declare const request: Request
export declare const raw: RawHttpRequest
export declare const params: FormParams
export declare const body: string
export declare const options: AuthorizationServerOptions
export declare const redirectUri: string
export declare const err: unknown

// Party A and party B, their peers, and what they hold.
export declare const partyA: PartyA
export declare const partyB: PartyB
/** An oidc-provider `Provider`, as the application built it. */
export declare const provider: Provider
export declare const assistantAs: AuthorizationServer
export declare const musicAs: AuthorizationServer
export declare const server: AuthorizationServer
export declare const peer: PeerConfig
export declare const peerA: PeerConfig
export declare const peerB: PeerConfig
export declare const musicMetadata: oauth.AuthorizationServer
export declare const assistantMetadata: oauth.AuthorizationServer
export declare const metadata: oauth.AuthorizationServer
export declare const as: oauth.AuthorizationServer
export declare const client: oauth.Client
export declare const auth: oauth.ClientAuth
export declare const linkId: string
export declare const link: { readonly tokens: TokenSet }
export declare const tokens: TokenSet
export declare const tokenResponse: oauth.TokenEndpointResponse
export declare const pending: PendingAuthorization
export declare const callback: ValidatedCallback
export declare const callbackUrl: string
export declare const current: PartyAState
export declare const state: PartyBState
export declare const ctx: PartyAContext
export declare const code: string
export declare const accessToken: string
export declare const token: string
export declare const rt: string
export declare const response: Response

// An authorization server's internals, for the examples of its internal modules.
export declare const context: ServerContext
export declare const clientId: string
export declare const subject: string
export declare const scope: string
export declare const grantId: string
export declare const grant: GrantRecord
export declare const indexSlot: number
export declare const tokenRecord: TokenRecord
export declare const authenticatedClient: RegisteredClient
export declare const refreshToken: NewRefreshToken
export declare const takenAt: number
export declare const entry: LinkGrantEntry
export declare const slot: number
export declare const codeRecord: CodeRecord
export declare const record: LinkVersionRecord
export declare const previous: LinkVersionRecord
export declare const version: number
export declare const key: string
export declare const value: JsonValue
export declare const presentedSecretHash: string
export declare const storedSecretHash: string

// What the application does next.
export declare function save(linkId: string, pending: PendingAuthorization): Promise<void>
export declare function scheduleRetry(): void
export declare function redeemLater(peerClientId: string, userId: string, code: string): Promise<void>
export declare function alertOperator(maxEntries: number): void
export declare function startLink(): Promise<void>
export declare function announce(subject: string): void
export declare function redirect(url: URL | string): Response
export declare function errorPage(error: OAuthErrorResponse): Response
export declare function refuse(): HttpResult
export declare function unauthorized(): HttpResult

// Internal helpers that the examples of neighbouring internal modules use (exported from no entry).
export { requestOptions } from '../../src/client/peer.js'
export { SECRET_BYTES } from '../../src/protocol/constants.js'
export { secretFromBytes } from '../../src/lib/encoding.js'
