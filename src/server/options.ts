/**
 * Options of the authorization-server kit and their resolution into one immutable context that
 * every server function takes. No module state: two servers in one process share nothing.
 *
 * @module
 */
// jose's `CryptoKey` is the global one where the program has it (the DOM lib, workers types) and
// a structural stand-in where it does not (Node's types declare no global `CryptoKey`), so that
// our declarations type-check in a Node-only project.
import type { CryptoKey } from 'jose'
import type { FormParams } from '../protocol/form.js'
import type { HttpResult, RawHttpRequest } from '../protocol/http.js'
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_CODE_TTL_SECONDS, MAX_CODE_TTL_SECONDS } from '../protocol/constants.js'
import { MemoryStorage } from '../storage/memory.js'
import type { Storage } from '../core/storage.js'
import { systemRuntime, type Runtime } from '../core/runtime.js'
import type { ClientAuthContext } from './client-auth.js'
import type { ClientRegistry } from './clients.js'
import { invalidType, invalidValue } from '../core/misuse.js'
import { eventEmitter, type Emit, type EventObserver } from '../core/events.js'
import { memoizedSha256 } from '../lib/hash.js'
import type { LostGrant } from '../rules/records.js'

/**
 * Default access token lifetime, seconds.
 *
 * @example
 * ```ts
 * createAuthorizationServer({ ...options, accessTokenTtlSeconds: DEFAULT_ACCESS_TOKEN_TTL_SECONDS / 4 }) // 15-minute tokens
 * ```
 * @see SPEC R4.2 (the response's `expires_in`), RFC 6749 §5.1
 * @group Authorization server
 */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600
/**
 * Default refresh token lifetime (sliding: each rotation starts it again), seconds.
 *
 * @example
 * ```ts
 * createAuthorizationServer({ ...options, refreshTokenTtlSeconds: 3 * DEFAULT_REFRESH_TOKEN_TTL_SECONDS }) // 90 days
 * ```
 * @see SPEC R8.2, RFC 6749 §6
 * @group Authorization server
 */
export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600
/**
 * Default grace period of a rotated refresh token, seconds: how long after a rotation the
 * previous refresh token is honoured again, while the one issued in its place was never used
 * (`refreshTokenReuseGraceSeconds`). A minute: long enough for a client that lost the answer to
 * its refresh — its request timed out (the SDK's own outbound timeout is 10 s, and a refresh is
 * never re-sent blindly), the answer was malformed, or storing the new tokens failed — to refresh
 * again; short, because for that long a stolen previous token is worth as much as its unused
 * successor.
 *
 * @example
 * ```ts
 * createAuthorizationServer({ ...options, refreshTokenReuseGraceSeconds: 2 * DEFAULT_REFRESH_TOKEN_REUSE_GRACE_SECONDS })
 * ```
 * @see RFC 6749 §6, RFC 9700 §4.14.2
 * @group Authorization server
 */
export const DEFAULT_REFRESH_TOKEN_REUSE_GRACE_SECONDS = 60

/**
 * JWT access tokens per RFC 9068, signed with jose. `publicKey` verifies them at the resource
 * server; `audience` is the `aud` claim (the client id when omitted).
 *
 * @example
 * ```ts
 * const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair
 * const jwt: JwtAccessTokenFormat = { format: 'jwt', privateKey: keyPair.privateKey, publicKey: keyPair.publicKey, alg: 'ES256' }
 * const server = createAuthorizationServer({ ...options, accessTokenFormat: jwt })
 * ```
 * @see SPEC R4.2, RFC 9068 §2
 * @group Authorization server
 */
export interface JwtAccessTokenFormat {
  readonly format: 'jwt'
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
  /** JWS algorithm, e.g. `'ES256'`. */
  readonly alg: string
  readonly kid?: string
  /** The resource server the tokens are for; defaults to the client id. */
  readonly audience?: string
}

/**
 * Decides whether a grant's token response (and authorization redirect) asks for the reverse
 * grant (SPEC R1.2). Return a scope string to ask for, or `undefined` for nothing.
 *
 * @example
 * ```ts
 * const reciprocalScope: ReciprocalScopeHook = ({ clientId }) => (clientId === 'assistant' ? 'music.play' : undefined)
 * const server = createAuthorizationServer({ ...options, reciprocalScope })
 * ```
 * @group Authorization server
 */
export type ReciprocalScopeHook = (info: {
  readonly clientId: string
  readonly subject: string
  readonly scope: string
}) => string | undefined

/**
 * A handler for an extension grant type, given the request and its strictly parsed form. Party B
 * registers its reciprocal grant receiver here under `GRANT_TYPE_RECIPROCAL`.
 *
 * @example
 * ```ts
 * const handler: ExtensionGrantHandler = (raw, params) => partyB.receiver.handleParsed(raw, params)
 * musicAs.registerExtensionGrant(GRANT_TYPE_RECIPROCAL, handler)
 * ```
 * @see SPEC R6.1, RFC 6749 §4.5
 * @group Authorization server
 */
export type ExtensionGrantHandler = (raw: RawHttpRequest, params: FormParams) => Promise<HttpResult>

/**
 * Told, and awaited, when the token endpoint refuses a superseding code minted with a
 * `reference` whose grant the client will never hold: the code was redeemed already and is
 * presented again (RFC 6749 §4.1.2: the grant is revoked right after the handlers ran), or its
 * own client presents it expired. Party A registers one (`createPartyA`) so that its link stops
 * claiming that grant and offers a new code (SPEC R4.3). A handler that throws makes the token
 * endpoint answer 500 and leaves a replay's grant in place — its minter may still claim it —
 * until the client's retry of the code, a replay again, finds every handler working.
 *
 * @example
 * ```ts
 * const handler: LostGrantHandler = async ({ reference, version, reason }) => console.log(`link ${reference}: grant ${version} ${reason}`)
 * ```
 * @group Authorization server
 */
export type LostGrantHandler = (lost: LostGrant) => Promise<void>

/**
 * Options of `createAuthorizationServer`.
 *
 * @example
 * ```ts
 * const options: AuthorizationServerOptions = {
 *   issuer: 'https://assistant.example',
 *   tokenEndpoint: 'https://assistant.example/token',
 *   clients: staticClients([{ clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: 's3cret', scope: 'assistant.announce' }]),
 * }
 * ```
 * @see SPEC R3.1, R4.2, R6.1
 * @group Authorization server
 */
export interface AuthorizationServerOptions {
  /** Our issuer identifier (RFC 8414 §2): `iss` of JWTs and authorization responses. */
  readonly issuer: string
  /** Our token endpoint URL; also an accepted audience of client assertions. */
  readonly tokenEndpoint: string
  /** Our authorization endpoint URL, for metadata. */
  readonly authorizationEndpoint?: string
  /** Our RFC 7009 revocation endpoint URL, for metadata and client assertion audiences. */
  readonly revocationEndpoint?: string
  readonly clients: ClientRegistry
  /** Defaults to a {@link MemoryStorage} on the runtime's clock (one process only). */
  readonly storage?: Storage
  readonly runtime?: Runtime
  /** Authorization code lifetime, at most `MAX_CODE_TTL_SECONDS` (SPEC R3.1). Default 60. */
  readonly codeTtlSeconds?: number
  /** Default 3600. */
  readonly accessTokenTtlSeconds?: number
  /** Issue refresh tokens. Default `true`. */
  readonly refreshTokens?: boolean
  /** Default 30 days. */
  readonly refreshTokenTtlSeconds?: number
  /**
   * How long after a rotation the previous refresh token is honoured again, for a client that
   * lost the answer (RFC 6749 §6 lets the old token outlive its rotation; RFC 9700 §4.14.2
   * still applies): only by its client, only while the refresh token issued in its place was
   * never used, and each such retry rotates again, revoking that unused successor. Once the
   * successor was used, after the grace, or from another client, the previous token is a
   * replay and revokes the grant. `0` turns it off. Default 60
   * ({@link DEFAULT_REFRESH_TOKEN_REUSE_GRACE_SECONDS}).
   */
  readonly refreshTokenReuseGraceSeconds?: number
  /** `'opaque'` (default) or RFC 9068 JWTs. */
  readonly accessTokenFormat?: 'opaque' | JwtAccessTokenFormat
  /** Request body limit, bytes (SPEC R7.5). */
  readonly bodyLimitBytes?: number
  /** `realm` of the resource server's `WWW-Authenticate: Bearer` challenges. Default `'oauth'`. */
  readonly realm?: string
  readonly reciprocalScope?: ReciprocalScopeHook
  /** Grant types dispatched to another handler (e.g. party B's reciprocal grant receiver). */
  readonly extensionGrants?: Readonly<Record<string, ExtensionGrantHandler>>
  /** Observer of every protocol step and unexpected failure (see `docs/events.md`). Default: none. */
  readonly onEvent?: EventObserver
}

/**
 * {@link AuthorizationServerOptions} with every default applied and checked: what each server
 * function takes as its first argument.
 *
 * @group Authorization server
 */
export interface ServerContext {
  readonly issuer: string
  readonly tokenEndpoint: string
  readonly authorizationEndpoint: string | undefined
  readonly revocationEndpoint: string | undefined
  readonly clients: ClientRegistry
  readonly storage: Storage
  readonly runtime: Runtime
  readonly codeTtlSeconds: number
  readonly accessTokenTtlSeconds: number
  readonly refreshTokens: boolean
  readonly refreshTokenTtlSeconds: number
  /** 0: off. */
  readonly refreshTokenReuseGraceSeconds: number
  readonly accessTokenFormat: 'opaque' | JwtAccessTokenFormat
  readonly bodyLimitBytes: number
  readonly realm: string
  readonly reciprocalScope: ReciprocalScopeHook | undefined
  /** The extension grants: those of the options, and those registered since (`registerExtensionGrant`). */
  readonly extensionGrants: Map<string, ExtensionGrantHandler>
  /** The lost-grant handlers registered with `registerLostGrantHandler`, in order. */
  readonly lostGrantHandlers: LostGrantHandler[]
  /** Tells the observer about a step or a failure; never throws. */
  readonly emit: Emit
  /** The SHA-256 of a registered client secret, remembered by this instance (`client-auth.ts`). */
  readonly registeredSecretDigest: (secret: string) => string
}

const BUILT_IN_GRANTS = ['authorization_code', 'refresh_token']

/**
 * Refuses, as misuse, an extension grant type that would shadow a grant the token endpoint
 * handles itself.
 *
 * @example
 * ```ts
 * extensionGrantType('urn:ietf:params:oauth:grant-type:reciprocal') // returned as is; 'refresh_token' throws
 * ```
 * @internal
 */
export function extensionGrantType(grantType: string): string {
  if (typeof grantType !== 'string' || grantType === '') throw invalidType('an extension grant type must be a non-empty string')
  if (BUILT_IN_GRANTS.includes(grantType)) throw invalidValue(`extensionGrants cannot replace ${grantType}`)
  return grantType
}

function positiveInteger(name: string, value: number, orZero = false): number {
  if (typeof value !== 'number') throw invalidType(`${name} must be a number`)
  if (!Number.isSafeInteger(value) || value < (orZero ? 0 : 1)) throw invalidValue(`${name} must be a ${orZero ? 'non-negative' : 'positive'} integer`)
  return value
}

function absoluteUrl(name: string, value: string): string {
  if (typeof value !== 'string') throw invalidType(`${name} must be a string`)
  if (!URL.canParse(value)) throw invalidValue(`${name} must be an absolute URL`)
  return value
}

/**
 * Applies defaults and checks the options. Throws `TypeError` on misuse (a code lifetime over
 * `MAX_CODE_TTL_SECONDS`, a relative URL, an extension grant that shadows a built-in one).
 *
 * @example
 * ```ts
 * const context = resolveServerOptions({ issuer, tokenEndpoint, clients })
 * context.codeTtlSeconds // 60
 * ```
 * @group Authorization server
 */
export function resolveServerOptions(options: AuthorizationServerOptions): ServerContext {
  const runtime = options.runtime ?? systemRuntime
  const codeTtlSeconds = positiveInteger('codeTtlSeconds', options.codeTtlSeconds ?? DEFAULT_CODE_TTL_SECONDS)
  if (codeTtlSeconds > MAX_CODE_TTL_SECONDS) {
    throw invalidValue(`codeTtlSeconds must be at most ${MAX_CODE_TTL_SECONDS} (SPEC R3.1)`)
  }
  // A map of this instance's own: registrations never reach another instance or the options.
  const extensionGrants = new Map(Object.entries(options.extensionGrants ?? {}))
  for (const grantType of extensionGrants.keys()) {
    extensionGrantType(grantType)
  }
  const format = options.accessTokenFormat ?? 'opaque'
  if (format !== 'opaque' && (typeof format !== 'object' || format === null || format.format !== 'jwt' || format.alg === '')) {
    throw invalidType('accessTokenFormat must be "opaque" or { format: "jwt", alg, privateKey, publicKey }')
  }
  return {
    issuer: absoluteUrl('issuer', options.issuer),
    tokenEndpoint: absoluteUrl('tokenEndpoint', options.tokenEndpoint),
    authorizationEndpoint:
      options.authorizationEndpoint === undefined ? undefined : absoluteUrl('authorizationEndpoint', options.authorizationEndpoint),
    revocationEndpoint:
      options.revocationEndpoint === undefined ? undefined : absoluteUrl('revocationEndpoint', options.revocationEndpoint),
    clients: options.clients,
    storage: options.storage ?? new MemoryStorage({ now: () => runtime.now() }),
    runtime,
    codeTtlSeconds,
    accessTokenTtlSeconds: positiveInteger('accessTokenTtlSeconds', options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS),
    refreshTokens: options.refreshTokens ?? true,
    refreshTokenTtlSeconds: positiveInteger(
      'refreshTokenTtlSeconds',
      options.refreshTokenTtlSeconds ?? DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
    ),
    refreshTokenReuseGraceSeconds: positiveInteger(
      'refreshTokenReuseGraceSeconds',
      options.refreshTokenReuseGraceSeconds ?? DEFAULT_REFRESH_TOKEN_REUSE_GRACE_SECONDS,
      true,
    ),
    accessTokenFormat: format,
    bodyLimitBytes: positiveInteger('bodyLimitBytes', options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES),
    realm: options.realm ?? 'oauth',
    reciprocalScope: options.reciprocalScope,
    extensionGrants,
    lostGrantHandlers: [],
    emit: eventEmitter(options.onEvent, runtime, 'authorization-server'),
    registeredSecretDigest: memoizedSha256(),
  }
}

/**
 * What client authentication at our endpoints needs: the registry, the audiences a client
 * assertion may name (issuer, token endpoint, revocation endpoint — RFC 7523 §3), the storage
 * that remembers assertion ids, and the time.
 *
 * @example
 * ```ts
 * const client = await authenticateClientRequest(raw.headers, params, clientAuthContext(context))
 * ```
 * @group Authorization server
 */
export function clientAuthContext(context: ServerContext): ClientAuthContext {
  const audiences = [context.issuer, context.tokenEndpoint]
  if (context.revocationEndpoint !== undefined) audiences.push(context.revocationEndpoint)
  return { clients: context.clients, audiences, storage: context.storage, now: context.runtime.now(), registeredSecretDigest: context.registeredSecretDigest }
}
