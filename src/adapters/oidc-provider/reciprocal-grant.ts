/**
 * Party B on node-oidc-provider: the reciprocal grant registered at oidc-provider's own token
 * endpoint, A's access token checked in oidc-provider's own store, and `reciprocal` added to its
 * token responses (draft §2.1, §2.2.2).
 *
 * @module
 */
import { createPartyB, type PartyB, type PartyBOptions } from '../../drivers/party-b.js'
import type { VerifiedAccessToken } from '../../core/access-token.js'
import { systemRuntime } from '../../core/runtime.js'
import { eventEmitter, unexpectedFailure } from '../../core/events.js'
import { invalidValue } from '../../core/misuse.js'
import { sha256 } from '../../lib/hash.js'
import { GRANT_TYPE_RECIPROCAL } from '../../protocol/constants.js'
import type { HttpResult } from '../../protocol/http.js'
import { withReciprocalScope } from '../../protocol/reciprocal-response.js'
import type { ClientRegistry } from '../../server/clients.js'
import type { ReciprocalScopeHook } from '../../server/options.js'
import { MemoryStorage } from '../../storage/memory.js'
import { grantRecords, type AcceptedGrant } from './grant-records.js'
import type { OidcProviderContext, OidcProviderLike } from './provider-like.js'

/** The parameters of the reciprocal POST besides oidc-provider's own (SPEC R3.2). */
const GRANT_PARAMETERS = ['code', 'access_token'] as const

/** How long B remembers a grant without an expiry of its own: 400 days (oidc-provider rotates a refresh token for a year). */
const DEFAULT_GRANT_RECORD_MAX_SECONDS = 400 * 24 * 3600

/**
 * Options of {@link addReciprocalGrant}: party B's options, less what oidc-provider provides
 * (its clients, their authentication, its token check and revocation).
 *
 * @example
 * ```ts
 * const options: OidcProviderReciprocalOptions = {
 *   storage,
 *   reciprocalScope: 'assistant.read',
 *   peers: { assistant: { as: { issuer: 'https://assistant.example', token_endpoint: 'https://assistant.example/oauth/token' }, client: { client_id: 'music' }, clientAuth: ClientSecretBasic(clientSecret) } },
 * }
 * ```
 * @see SPEC R1.2 (B asks for the reciprocal scope in its token response)
 * @group oidc-provider
 */
export interface OidcProviderReciprocalOptions
  extends Omit<PartyBOptions, 'authorizationServer' | 'clients' | 'audiences' | 'verifyAccessToken' | 'revokeLink'> {
  /**
   * The scope B asks for at A in its `authorization_code` token responses to the clients in
   * `peers` (SPEC R1.2): a scope string, or a function that decides per client and user
   * (`undefined` asks for nothing, and A falls back to its configured offer, SPEC R1.3).
   * Default: nothing asked.
   */
  readonly reciprocalScope?: string | ReciprocalScopeHook
  /**
   * How long B remembers an oidc-provider grant that has no expiry (`ttl.Grant` gave none), so
   * that unlinking revokes it, seconds; a grant with an `exp` is remembered until then.
   * Default 400 days.
   */
  readonly grantRecordMaxSeconds?: number
}

/**
 * Party B's operations on oidc-provider: those of `createPartyB`, whose receiver the helper
 * mounted at oidc-provider's token endpoint itself.
 *
 * @example
 * ```ts
 * const partyB: OidcProviderPartyB = addReciprocalGrant(provider, { storage, peers: {} })
 * await partyB.resume()
 * ```
 * @see SPEC R4.3 (deferred redemption is resumed), SPEC R5.2 (unlink)
 * @group oidc-provider
 */
export type OidcProviderPartyB = Omit<PartyB, 'receiver'>

/**
 * Makes an oidc-provider `Provider` party B of Reciprocal OAuth, and returns B's operations
 * (`getLink`, `accessToken`, `unlink`, `resume`). It:
 *
 * - registers `urn:ietf:params:oauth:grant-type:reciprocal` with `provider.registerGrantType`,
 *   so A's reciprocal POST lands at oidc-provider's token endpoint, which authenticates A by its
 *   own rules; the grant then checks A's `access_token` in oidc-provider's store (live, issued to
 *   that client, its grant still standing, not sender-constrained), refuses a code it has
 *   received before, and redeems the code at A's registered token endpoint (SPEC R3.3, R7.8–R7.10);
 * - adds `reciprocal` to oidc-provider's `authorization_code` token responses for the clients in
 *   `peers` (SPEC R1.2), as `reciprocalScope` says;
 * - on `unlink`, revokes every oidc-provider grant whose access token delivered a code B accepted
 *   for that client and user, with their tokens (SPEC R5.2); when it knows of none, it revokes
 *   nothing and emits `link-grants-not-found` to `onEvent`.
 *
 * Register each party A at oidc-provider with the reciprocal grant type among its `grant_types`,
 * and list it in `peers` by its client id. Opaque access tokens only: oidc-provider does not store
 * its JWT access tokens. Call it once per provider, before the provider serves requests.
 *
 * @example
 * ```ts
 * import { GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
 * // A's client at oidc-provider lists `grant_types: ['authorization_code', 'refresh_token', GRANT_TYPE_RECIPROCAL]`.
 * const music = addReciprocalGrant(provider, {
 *   peers: { assistant: { as: assistantMetadata, client: { client_id: 'music' }, clientAuth: ClientSecretBasic(secret) } },
 *   reciprocalScope: 'assistant.announce', // asked for in the token response
 *   requiredScope: 'music.read', // A's access token must carry it
 * })
 * const tokenAtA = await music.accessToken('assistant', 'alice') // call A on alice's behalf
 * ```
 * @throws TypeError when `reciprocalScope` is not a valid scope string, `grantRecordMaxSeconds`
 * not a positive finite number, or when the grant is already registered at this provider (code
 * `ERR_INVALID_ARG_VALUE`).
 * @see draft-ietf-oauth-reciprocal-04 §2.1, §2.2.2
 * @group oidc-provider
 */
export function addReciprocalGrant(provider: OidcProviderLike, options: OidcProviderReciprocalOptions): OidcProviderPartyB {
  // oidc-provider keeps one handler per grant type: a second party B would take the first one's codes.
  if (withGrant.has(provider)) throw invalidValue('addReciprocalGrant was already called for this provider')
  const { reciprocalScope, grantRecordMaxSeconds = DEFAULT_GRANT_RECORD_MAX_SECONDS, ...partyBOptions } = options
  if (!(Number.isFinite(grantRecordMaxSeconds) && grantRecordMaxSeconds > 0)) throw invalidValue('grantRecordMaxSeconds must be a positive number of seconds')
  const runtime = options.runtime ?? systemRuntime
  const askFor = scopeHook(reciprocalScope)
  // The grant records live in B's storage; without one, in memory (B keeps its own default).
  const storage = options.storage ?? new MemoryStorage({ now: () => runtime.now() })
  const emit = eventEmitter(options.onEvent, runtime, 'party-b')
  const grants = grantRecords(provider, storage, runtime, emit, grantRecordMaxSeconds)
  /**
   * The grant of each access token being presented, by the token's hash: verified while the
   * receiver checks the POST, remembered only if the receiver then accepts its code (it may
   * still refuse it: another client's token, a scope short of `requiredScope`, a duplicate code).
   */
  const presented = new Map<string, { requests: number; grant?: AcceptedGrant }>()

  async function verifyAccessToken(value: string): Promise<VerifiedAccessToken | undefined> {
    const token = await provider.AccessToken.find(value)
    // A token bound to a key (DPoP, mTLS) needs its proof, which a reciprocal POST does not carry.
    if (token === undefined || token.isExpired || token.isSenderConstrained() || token.clientId === undefined) return undefined
    // oidc-provider honours a token only while its grant stands (as its introspection does).
    const grant = await provider.Grant.find(token.grantId)
    if (grant === undefined || grant.isExpired || grant.clientId !== token.clientId || grant.accountId !== token.accountId) return undefined
    const entry = presented.get(sha256(value))
    if (entry !== undefined) {
      const expiresAt = grant.exp ?? runtime.now() + grantRecordMaxSeconds
      entry.grant = { clientId: token.clientId, subject: token.accountId, grantId: token.grantId, expiresAt }
    }
    return { clientId: token.clientId, subject: token.accountId, scope: token.scope ?? '', expiresAt: token.exp, grantId: token.grantId }
  }

  /** The receiver's answer to one POST; a grant whose token delivered an accepted code is remembered. */
  async function receive(params: Map<string, string>): Promise<HttpResult> {
    const tokenHash = sha256(params.get('access_token') ?? '')
    const entry = presented.get(tokenHash) ?? { requests: 0 }
    presented.set(tokenHash, entry)
    entry.requests++
    try {
      const result = await partyB.receiver.handleParsed({ method: 'POST', headers: {} }, params)
      // The code is accepted and the link set up: a failure to remember its grant does not undo
      // that for A (a retry would be a duplicate code); the observer hears of it.
      if (result.status === 200 && entry.grant !== undefined) await grants.remember(entry.grant).catch((error: unknown) => emit(unexpectedFailure('party-b', error)))
      return result
    } finally {
      if (--entry.requests === 0) presented.delete(tokenHash)
    }
  }

  const partyB = createPartyB({
    ...partyBOptions,
    clients: authenticatedUpstream,
    audiences: [provider.issuer],
    verifyAccessToken,
    revokeLink: grants.revoke,
  })

  withGrant.add(provider)
  provider.registerGrantType(
    GRANT_TYPE_RECIPROCAL,
    async (ctx) => {
      // oidc-provider authenticated the client and checked that the grant type is allowed to it;
      // the receiver gets that client's id and no credentials (see `authenticatedUpstream`).
      const params = new Map<string, string>([['grant_type', GRANT_TYPE_RECIPROCAL], ['client_id', ctx.oidc?.client?.clientId ?? '']])
      for (const name of GRANT_PARAMETERS) {
        const value = ctx.oidc?.params?.[name]
        if (typeof value === 'string') params.set(name, value)
      }
      const result = await receive(params)
      ctx.status = result.status
      ctx.set(result.headers)
      ctx.body = result.body
    },
    GRANT_PARAMETERS,
  )

  if (askFor !== undefined) {
    provider.use(async (ctx, next) => {
      await next()
      const scope = reciprocalRequest(ctx, askFor, options.peers)
      if (scope !== undefined) ctx.body = withReciprocalScope(ctx.body as object, scope)
    })
  }

  const { receiver: _mounted, ...operations } = partyB
  return operations
}

/** The providers the grant is registered at. */
const withGrant = new WeakSet<OidcProviderLike>()

/**
 * The receiver's client registry. Every client is known and authenticates with `none` because
 * oidc-provider authenticated it already, by its own registration, before it dispatched the
 * grant; the receiver is reachable only through that dispatch (the helper does not return it).
 */
const authenticatedUpstream: ClientRegistry = {
  findClient: (clientId) => ({ clientId, tokenEndpointAuthMethod: 'none', scope: '' }),
}

function scopeHook(scope: OidcProviderReciprocalOptions['reciprocalScope']): ReciprocalScopeHook | undefined {
  if (typeof scope === 'string') {
    withReciprocalScope({}, scope) // throws the TypeError now, not at the first token response
    return () => scope
  }
  if (scope !== undefined && typeof scope !== 'function') throw invalidValue('reciprocalScope must be a scope string or a function')
  return scope
}

/** The scope to ask for in this response: a successful `authorization_code` token response to a peer. */
function reciprocalRequest(ctx: OidcProviderContext, askFor: ReciprocalScopeHook, peers: PartyBOptions['peers']): string | undefined {
  const { oidc, body } = ctx
  if (oidc?.route !== 'token' || ctx.status !== 200 || oidc.params?.['grant_type'] !== 'authorization_code') return undefined
  const clientId = oidc.client?.clientId
  const subject = oidc.entities?.Account?.accountId
  if (clientId === undefined || subject === undefined || !Object.hasOwn(peers, clientId)) return undefined
  if (typeof body !== 'object' || body === null || !('access_token' in body)) return undefined
  const scope = 'scope' in body && typeof body.scope === 'string' ? body.scope : ''
  return askFor({ clientId, subject, scope })
}
