/**
 * The authorization-server kit in one object: each member is a function of its own file, bound
 * to one resolved context. Party A uses it in the reciprocal leg (mint the code, token endpoint,
 * refresh, revocation, resource check); party B for the initial flow (authorization endpoint,
 * the same token endpoint with its reciprocal receiver as an extension grant).
 *
 * @module
 */
import type { RawHttpRequest } from '../protocol/http.js'
import type { FailureSite } from '../core/events.js'
import { extensionGrantType, resolveServerOptions, type AuthorizationServerOptions, type LostGrantHandler, type ExtensionGrantHandler, type ServerContext } from './options.js'
import type { ClientRegistry } from './clients.js'
import { invalidType, invalidValue } from '../core/misuse.js'
import { mintCode, type MintCodeInput, type MintedCode } from './mint-code.js'
import { handleTokenRequest } from './token-endpoint.js'
import { handleRevocationRequest } from './revocation-endpoint.js'
import {
  approveAuthorization,
  denyAuthorization,
  validateAuthorizationRequest,
  type AuthorizationApproval,
  type AuthorizationValidation,
  type ValidAuthorizationRequest,
} from './authorization-endpoint.js'
import { verifyAccessToken } from './verify-access-token.js'
import type { VerifiedAccessToken } from '../core/access-token.js'
import { authenticateRequest, type AuthenticateRequestOptions, type BearerCheck } from './resource-server.js'
import { revokeGrant } from './grants.js'
import { revokeLink } from './links.js'
import { authorizationServerMetadata, type AuthorizationServerMetadata } from './metadata.js'
import { endpoint, type Endpoint } from '../http/endpoint.js'

/**
 * What {@link createAuthorizationServer} returns.
 *
 * @example
 * ```ts
 * const assistantServer: AuthorizationServer = createAuthorizationServer(options)
 * const minted = await assistantServer.mintCode({ clientId: 'music', subject: 'alice', scope: 'assistant.announce' })
 * const metadataDocument = assistantServer.metadata()
 * ```
 * @see SPEC R3.1, R4.2, R4.4, R6.1, RFC 6749 §3.2
 * @group Authorization server
 */
export interface AuthorizationServer {
  /** Mints an authorization code (SPEC R3.1); `supersede: true` for reciprocal and update codes. */
  mintCode(input: MintCodeInput): Promise<MintedCode>
  /** The token endpoint: `authorization_code`, `refresh_token`, and the extension grants. */
  readonly tokenEndpoint: Endpoint
  /** Authorization endpoint steps around the application's consent UI. */
  readonly authorization: {
    validate(url: URL | string): Promise<AuthorizationValidation>
    approve(request: ValidAuthorizationRequest, approval: AuthorizationApproval): Promise<string>
    /** The error redirect for a refusal; rejects with `TypeError` when `request` was tampered with. */
    deny(request: ValidAuthorizationRequest): Promise<string>
  }
  /** The resource server's token check (SPEC R4.4). */
  verifyAccessToken(token: string): Promise<(VerifiedAccessToken & { readonly expiresAt: number; readonly grantId: string }) | undefined>
  /**
   * RFC 6750 bearer authentication of a resource request: a Web `Request` as it is, or a request
   * already read (only its method, headers and URL are used). `options.proofCheck` adds a
   * sender-constrained scheme (RFC 9449).
   */
  authenticateRequest(request: Pick<RawHttpRequest, 'method' | 'headers' | 'url'>, requiredScope?: string, options?: AuthenticateRequestOptions): Promise<BearerCheck>
  /** The RFC 7009 revocation endpoint. */
  readonly revocationEndpoint: Endpoint
  /** Revokes a grant and all its tokens. */
  revokeGrant(grantId: string): Promise<void>
  /** Unlinks: revokes every grant and pending code of (client, subject) (SPEC R5.2). */
  revokeLink(clientId: string, subject: string): Promise<void>
  /** RFC 8414 metadata. */
  metadata(): AuthorizationServerMetadata
  /** The clients this server knows (the `clients` option). */
  readonly clients: ClientRegistry
  /**
   * Dispatches `grantType` at the token endpoint to `handler`, as the `extensionGrants` option
   * does, for a handler built after this server (party B's receiver: `createPartyB` registers
   * it). Throws a `TypeError` with `code` `ERR_INVALID_ARG_VALUE` for a grant type already
   * handled, built in or registered.
   */
  registerExtensionGrant(grantType: string, handler: ExtensionGrantHandler): void
  /**
   * Adds a handler told when a superseding code minted with a `reference` is refused for good —
   * presented again after its redemption (RFC 6749 §4.1.2), or expired — see
   * {@link LostGrantHandler}. `createPartyA` registers its own; every handler registered is
   * called, in order.
   */
  registerLostGrantHandler(handler: LostGrantHandler): void
}

/**
 * Builds an authorization server from options. No hidden state: everything lives in the
 * injected storage, so several instances over one storage behave as one server.
 *
 * @example
 * ```ts
 * const as = createAuthorizationServer({
 *   issuer: 'https://assistant.example',
 *   tokenEndpoint: 'https://assistant.example/token',
 *   clients: staticClients([{ clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret, scope: 'assistant.announce' }]),
 *   storage,
 * })
 * const { code } = await as.mintCode({ clientId: 'music', subject: 'user-1', scope: 'assistant.announce', supersede: true })
 * app.post('/token', (c) => as.tokenEndpoint.fetch(c.req.raw))
 * ```
 * @see RFC 6749, RFC 7009, RFC 8414
 * @see SPEC R3.1, R4.2, R4.4, R6.1
 * @group Authorization server
 */
export function createAuthorizationServer(options: AuthorizationServerOptions): AuthorizationServer {
  const context: ServerContext = resolveServerOptions(options)
  const doors = (where: FailureSite) => ({ where, emit: context.emit, bodyLimitBytes: context.bodyLimitBytes })
  return {
    mintCode: (input) => mintCode(context, input),
    tokenEndpoint: endpoint((raw) => handleTokenRequest(context, raw), doors('token-endpoint')),
    authorization: {
      validate: (url) => validateAuthorizationRequest(context, url),
      approve: (request, approval) => approveAuthorization(context, request, approval),
      deny: (request) => denyAuthorization(context, request),
    },
    verifyAccessToken: (token) => verifyAccessToken(context, token),
    authenticateRequest: (request, requiredScope, options) => authenticateRequest(context, request, requiredScope, options),
    revocationEndpoint: endpoint((raw) => handleRevocationRequest(context, raw), doors('revocation-endpoint')),
    revokeGrant: (grantId) => revokeGrant(context, grantId),
    revokeLink: (clientId, subject) => revokeLink(context, clientId, subject),
    metadata: () => authorizationServerMetadata(context),
    clients: context.clients,
    registerExtensionGrant: (grantType, handler) => {
      if (typeof handler !== 'function') throw invalidType('an extension grant handler must be a function')
      if (context.extensionGrants.has(grantType)) throw invalidValue(`the grant type ${grantType} is already registered`)
      context.extensionGrants.set(extensionGrantType(grantType), handler)
    },
    registerLostGrantHandler: (handler) => {
      if (typeof handler !== 'function') throw invalidType('a lost-grant handler must be a function')
      context.lostGrantHandlers.push(handler)
    },
  }
}
