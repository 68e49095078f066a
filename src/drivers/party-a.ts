/**
 * Party A's driver: the thin shell that runs party A's machine with the injected fetch,
 * storage, clock and random source. It persists every new state before acting on it, so a link
 * can be resumed from storage after a crash.
 *
 * @module
 */
import { ErrorCode, ReciprocalError } from '../errors.js'
import { createAuthorizationRequest, exchangeCode, handleCallback } from '../client/authorization.js'
import type { PeerConfig } from '../client/peer.js'
import { deliverReciprocalCode } from '../client/reciprocal-grant.js'
import { revokeTokenSet } from '../client/revoke.js'
import { base64url } from '../crypto/encoding.js'
import { sha256 } from '../crypto/hash.js'
import {
  startPartyA,
  stepPartyA,
  type PartyACommand,
  type PartyAContext,
  type PartyAEvent,
  type PartyAState,
} from '../machines/party-a.js'
import type { TokenSet } from '../client/token-set.js'
import { parseScope } from '../protocol/scope.js'
import type { AuthorizationServer } from '../server/authorization-server.js'
import { MemoryStorage } from '../storage/memory.js'
import type { JsonValue, Storage } from '../storage/storage.js'
import { systemRuntime, type Runtime } from '../runtime.js'
import { SingleFlight } from './keyed-lock.js'
import { LinkGuard } from './link-guard.js'
import { liveAccessToken, refreshIfExpiring } from './refresh-if-expiring.js'
import { leaseSeconds } from './lease-seconds.js'
import { toSerializedError } from './run-error.js'

/** How long a started link waits for its callback, seconds. */
const CALLBACK_TTL_SECONDS = 600

/**
 * Options of {@link createPartyA}.
 *
 * @group Party A
 */
export interface PartyAOptions {
  /** Party B as an authorization server, and A's registration there (SPEC R1.1). */
  readonly peer: PeerConfig
  /** A's redirect URI registered at B. */
  readonly redirectUri: string
  /** The scope A asks of B. */
  readonly scope: string
  /** The reverse grant (SPEC R1.3): B's client id at A, what A offers B, and the pre-agreed scope. */
  readonly reciprocal: {
    /** B's client id at A's authorization server. */
    readonly peerClientId: string
    /** The widest scope A offers B. */
    readonly offer: string
    /** The scope agreed beforehand, used when B sends no `reciprocal`. */
    readonly configured?: string
  }
  /** A's own authorization-server kit: it mints the reciprocal code and runs the token endpoint B redeems at. */
  readonly authorizationServer: Pick<AuthorizationServer, 'mintCode' | 'revokeLink'>
  readonly storage?: Storage
  readonly runtime?: Runtime
}

/**
 * Party A's operations, one call per user action or protocol step.
 *
 * @group Party A
 */
export interface PartyA {
  /** Step A: the authorization URL to send the user to, and the new link's id. */
  startLink(userId: string): Promise<{ linkId: string; url: URL }>
  /**
   * Steps B–D: validates the callback, exchanges the code, and resolves the reciprocal scope.
   * `userId` is the user of the session the callback arrived in: it must be the user who started
   * the link, or nothing is exchanged — otherwise an attacker could start a link and have a
   * victim complete it, tying the victim's account at B to the attacker's at A (SPEC R7.9).
   */
  handleCallback(callbackUrl: string | URL, userId: string): Promise<PartyAState>
  /** The user's reciprocal consent (SPEC R2): a scope (all or part of what is offered), or `'refuse'`. Then step E. */
  consent(linkId: string, decision: { readonly scope: string } | 'refuse'): Promise<PartyAState>
  /** Retries a failed delivery — or one a crash interrupted — with a fresh code. */
  retryDelivery(linkId: string): Promise<PartyAState>
  /** The update flow (SPEC R5.1): grant B a new scope; the old grant is revoked once B redeems the new one. */
  updateReciprocalScope(linkId: string, scope: string): Promise<PartyAState>
  /** Unlinking (SPEC R5.2): revokes A's tokens at B and every grant A gave B for this user. */
  unlink(linkId: string): Promise<PartyAState>
  /** The link's current state, or `undefined`. */
  getLink(linkId: string): Promise<PartyAState | undefined>
  /** A live access token for calling B, refreshed ahead of expiry (single-flight, SPEC R8.2). */
  accessToken(linkId: string): Promise<string>
}

/**
 * Builds party A's driver.
 *
 * @example
 * ```ts
 * const partyA = createPartyA({
 *   peer: { as: musicMetadata, client: { client_id: 'assistant' }, clientAuth: ClientSecretBasic(secret) },
 *   redirectUri: 'https://assistant.example/callback',
 *   scope: 'music.play',
 *   reciprocal: { peerClientId: 'music', offer: 'assistant.announce' },
 *   authorizationServer: assistantAs,
 * })
 * const { url } = await partyA.startLink('alice')          // redirect the user there
 * const state = await partyA.handleCallback(request.url, session.userId) // awaiting-consent
 * await partyA.consent(state.linkId, { scope: 'assistant.announce' }) // reciprocal-granted
 * ```
 * @group Party A
 */
export function createPartyA(options: PartyAOptions): PartyA {
  const runtime = options.runtime ?? systemRuntime
  const storage = options.storage ?? new MemoryStorage({ now: () => runtime.now() })
  if (parseScope(options.scope) === undefined) throw new TypeError('scope is not a valid scope')
  if (parseScope(options.reciprocal.offer) === undefined) throw new TypeError('reciprocal.offer is not a valid scope')
  const guard = new LinkGuard(storage, runtime, leaseSeconds(options.peer.timeoutMs))
  const refreshes = new SingleFlight()
  const linkKey = (linkId: string): string => `party-a:link:${linkId}`
  const context = (): PartyAContext => ({
    now: runtime.now(),
    offer: options.reciprocal.offer,
    configured: options.reciprocal.configured,
  })

  const load = async (linkId: string): Promise<PartyAState> => {
    const state = await storage.get<PartyAState & JsonValue>(linkKey(linkId))
    if (state === undefined) {
      throw new ReciprocalError('No such link', { code: ErrorCode.InvalidState, step: 'configuration', hint: 'Start a link first.' })
    }
    return state
  }
  const save = (state: PartyAState): Promise<void> =>
    storage.set(linkKey(state.linkId), state as PartyAState & JsonValue, state.status === 'awaiting-callback' ? CALLBACK_TTL_SECONDS : undefined)

  /** Steps the machine, persists, then runs the commands, feeding their results back in. */
  async function advance(state: PartyAState, event: PartyAEvent): Promise<PartyAState> {
    const transition = stepPartyA(state, event, context())
    if (transition.state !== state) await save(transition.state)
    let current = transition.state
    for (const command of transition.commands) {
      for (const result of await execute(current, command)) current = await advance(current, result)
    }
    return current
  }

  async function execute(state: PartyAState, command: PartyACommand): Promise<PartyAEvent[]> {
    switch (command.type) {
      case 'deliver-code': {
        const events: PartyAEvent[] = []
        try {
          const refreshed = await refreshIfExpiring(options.peer, peerTokensOf(state), runtime.now())
          if (refreshed !== undefined) events.push({ type: 'tokens-refreshed', tokens: refreshed })
          const accessToken = refreshed?.accessToken ?? peerTokensOf(state).accessToken
          const minted = await options.authorizationServer.mintCode({
            clientId: options.reciprocal.peerClientId,
            subject: command.subject,
            scope: command.scope,
            supersede: true,
          })
          await deliverReciprocalCode(options.peer, { code: minted.code, accessToken })
          events.push({ type: 'delivered', version: minted.version ?? 1 })
        } catch (err) {
          events.push({ type: 'delivery-failed', error: toSerializedError(err, 'deliver-code') })
        }
        return events
      }
      case 'revoke-peer-tokens':
        // Best effort, as before revokeTokenSet reported failures; issue 6 item 11 records what remains.
        await revokeTokenSet(options.peer, command.tokens).catch(() => false)
        return []
      case 'revoke-local-grant':
        await options.authorizationServer.revokeLink(options.reciprocal.peerClientId, command.subject)
        return []
    }
  }

  const onLink = <T>(linkId: string, task: () => Promise<T>): Promise<T> => guard.run(`party-a:${linkId}`, task)

  return {
    async startLink(userId) {
      const linkId = base64url(runtime.randomBytes(16))
      const { url, pending } = await createAuthorizationRequest(options.peer, { redirectUri: options.redirectUri, scope: options.scope })
      await save(startPartyA({ linkId, userId, pending, now: runtime.now() }))
      await storage.set(`party-a:state:${await sha256(pending.state)}`, linkId, CALLBACK_TTL_SECONDS)
      return { linkId, url }
    },

    async handleCallback(callbackUrl, userId) {
      const url = new URL(callbackUrl)
      const stateParam = url.searchParams.get('state')
      const linkId = stateParam === null ? undefined : await storage.take<string>(`party-a:state:${await sha256(stateParam)}`)
      if (linkId === undefined) {
        throw new ReciprocalError('The callback does not belong to a pending link', {
          code: ErrorCode.CallbackInvalid,
          step: 'callback',
          hint: 'The link expired, was already completed, or the state parameter was tampered with; start again.',
        })
      }
      return onLink(linkId, async () => {
        const state = await load(linkId)
        if (state.status !== 'awaiting-callback') throw new ReciprocalError('This link already completed its callback', {
          code: ErrorCode.CallbackInvalid,
          step: 'callback',
          hint: 'Each authorization response is used once; start a new link.',
        })
        if (state.userId !== userId) {
          // SPEC R7.9: never exchange a code for another user's link; the link is spent.
          const error = new ReciprocalError('The callback arrived in the session of another user than the one who started the link', {
            code: ErrorCode.CallbackInvalid,
            step: 'callback',
            hint: 'The link was started by someone else (a possible CSRF attempt); the user should start linking again.',
          })
          await advance(state, { type: 'exchange-failed', error: error.toJSON() })
          throw error
        }
        try {
          const params = handleCallback(options.peer, state.pending, url)
          const exchanged = await exchangeCode(options.peer, state.pending, params, { now: runtime.now() })
          return await advance(state, {
            type: 'tokens-received',
            tokens: exchanged.tokens,
            reciprocalFromToken: exchanged.reciprocal,
            reciprocalFromCallback: params.reciprocal,
          })
        } catch (err) {
          return advance(state, { type: 'exchange-failed', error: toSerializedError(err, 'token-exchange') })
        }
      })
    },

    consent: (linkId, decision) =>
      onLink(linkId, async () =>
        advance(
          await load(linkId),
          decision === 'refuse' ? { type: 'consent-refused' } : { type: 'consent-granted', scope: scopeTokens(decision.scope) },
        ),
      ),
    retryDelivery: (linkId) => onLink(linkId, async () => advance(await load(linkId), { type: 'retry' })),
    updateReciprocalScope: (linkId, scope) =>
      onLink(linkId, async () => advance(await load(linkId), { type: 'update-scope', scope: scopeTokens(scope) })),
    unlink: (linkId) => onLink(linkId, async () => advance(await load(linkId), { type: 'unlink' })),
    getLink: (linkId) => storage.get<PartyAState & JsonValue>(linkKey(linkId)),
    // Single-flight outside, link lock inside: concurrent callers share one refresh, and a refresh
    // never interleaves with another step of the same link (a rotated refresh token is never lost).
    accessToken: (linkId) =>
      refreshes.run(linkId, () =>
        onLink(linkId, async () => {
          const state = await load(linkId)
          return liveAccessToken(options.peer, peerTokensOf(state), runtime.now(), (event) => advance(state, event))
        }),
      ),
  }
}

function peerTokensOf(state: PartyAState): TokenSet {
  if ('peerTokens' in state) return state.peerTokens
  throw new ReciprocalError(`The link has no tokens in state ${state.status}`, {
    code: ErrorCode.InvalidState,
    step: 'configuration',
    hint: 'Finish the initial flow first.',
  })
}

function scopeTokens(scope: string): string[] {
  if (scope.trim() === '') return []
  const tokens = parseScope(scope)
  if (tokens === undefined) {
    throw new ReciprocalError('The scope is not a valid scope string', { code: ErrorCode.ConsentInvalid, step: 'consent', hint: 'Use space-separated scope tokens.' })
  }
  return tokens
}
