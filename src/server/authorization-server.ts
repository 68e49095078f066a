/**
 * The authorization-server kit in one object: each member is a function of its own file, bound
 * to one resolved context. Party A uses it in the reciprocal leg (mint the code, token endpoint,
 * refresh, revocation, resource check); party B for the initial flow (authorization endpoint,
 * the same token endpoint with its reciprocal receiver as an extension grant).
 *
 * @module
 */
import type { HttpResult, RawHttpRequest } from '../protocol/http.js'
import { webDoor } from '../endpoints/web.js'
import type { FailureSite } from '../events.js'
import { resolveServerOptions, type AuthorizationServerOptions, type ServerContext } from './options.js'
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
import { verifyAccessToken, type AccessTokenInfo } from './verify-access-token.js'
import { authenticateRequest, type AuthenticateRequestOptions, type BearerCheck } from './resource-server.js'
import { revokeGrant } from './grants.js'
import { revokeLink } from './links.js'
import { authorizationServerMetadata, type AuthorizationServerMetadata } from './metadata.js'
import { guarded } from './wire.js'

/**
 * An HTTP endpoint with its two doors (DESIGN §1).
 *
 * @group Authorization server
 */
export interface Endpoint {
  /** Lower door: a request read into memory → a plain result. Never throws. */
  handle(raw: RawHttpRequest): Promise<HttpResult>
  /** `(Request) => Promise<Response>` door, with the body size limit. Never throws. */
  fetch(request: Request): Promise<Response>
}

/**
 * What {@link createAuthorizationServer} returns.
 *
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
  verifyAccessToken(token: string): Promise<AccessTokenInfo | undefined>
  /** RFC 6750 bearer authentication of a resource request; `options.proofCheck` adds a sender-constrained scheme (RFC 9449). */
  authenticateRequest(raw: RawHttpRequest, requiredScope?: string, options?: AuthenticateRequestOptions): Promise<BearerCheck>
  /** The RFC 7009 revocation endpoint. */
  readonly revocationEndpoint: Endpoint
  /** Revokes a grant and all its tokens. */
  revokeGrant(grantId: string): Promise<void>
  /** Unlinks: revokes every grant and pending code of (client, subject) (SPEC R5.2). */
  revokeLink(clientId: string, subject: string): Promise<void>
  /** RFC 8414 metadata. */
  metadata(): AuthorizationServerMetadata
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
 * @group Authorization server
 */
export function createAuthorizationServer(options: AuthorizationServerOptions): AuthorizationServer {
  const context: ServerContext = resolveServerOptions(options)
  return {
    mintCode: (input) => mintCode(context, input),
    tokenEndpoint: endpoint(context, 'token-endpoint', (raw) => handleTokenRequest(context, raw)),
    authorization: {
      validate: (url) => validateAuthorizationRequest(context, url),
      approve: (request, approval) => approveAuthorization(context, request, approval),
      deny: (request) => denyAuthorization(context, request),
    },
    verifyAccessToken: (token) => verifyAccessToken(context, token),
    authenticateRequest: (raw, requiredScope, options) => authenticateRequest(context, raw, requiredScope, options),
    revocationEndpoint: endpoint(context, 'revocation-endpoint', (raw) => handleRevocationRequest(context, raw)),
    revokeGrant: (grantId) => revokeGrant(context, grantId),
    revokeLink: (clientId, subject) => revokeLink(context, clientId, subject),
    metadata: () => authorizationServerMetadata(context),
  }
}

function endpoint(context: ServerContext, where: FailureSite, handle: (raw: RawHttpRequest) => Promise<HttpResult>): Endpoint {
  const safe = guarded(handle, context.emit, where)
  return { handle: safe, fetch: webDoor(safe, context.bodyLimitBytes, context.emit) }
}
