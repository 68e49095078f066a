/**
 * Party A's driver: the thin shell that runs party A's machine with the injected fetch,
 * storage, clock and random source. It stores every new state — with its outbox, the effects
 * still to run — before it runs them (`run-outbox.ts`), so a link can be resumed from storage
 * after a crash.
 *
 * @module
 */
import { ErrorCode, ReciprocalError } from '../core/errors.js'
import { createAuthorizationRequest, exchangeCode, validateCallback } from '../client/authorization.js'
import { base64url } from '../lib/encoding.js'
import { sha256 } from '../lib/hash.js'
import { startPartyA, stepPartyA } from '../machines/party-a.js'
import { type PartyACommand, type PartyAContext, type PartyAEvent, type PartyAState } from '../machines/party-a-state.js'
import { parseScope } from '../protocol/scope.js'
import type { AuthorizationServer } from '../server/authorization-server.js'
import type { LostGrant } from '../rules/records.js'
import { MemoryStorage } from '../storage/memory.js'
import type { Storage } from '../core/storage.js'
import { systemRuntime, type Runtime } from '../core/runtime.js'
import { SingleFlight } from './keyed-lock.js'
import { LinkGuard } from './link-guard.js'
import { leaseSeconds } from './lease-seconds.js'
import type { LinkRecord } from './link-records.js'
import { peerTokensOf, runCommand } from './party-a-commands.js'
import { runOutbox } from './run-outbox.js'
import { CALLBACK_TTL_SECONDS, ENDED_LINK_RETENTION_SECONDS, hasWorkLeft, partyALinks } from './party-a-links.js'
import { definePeers, type PartyAPeer } from './party-a-peers.js'
import { toSerializedError } from './run-error.js'
import { invalidValue } from '../core/misuse.js'
import { eventEmitter, unexpectedFailure, type EventObserver } from '../core/events.js'
import { observePartyA } from './link-events.js'
import { partyAPeersOnRuntime } from './retry-on-runtime.js'
import { typedStorage } from './typed-storage.js'

type StoredLink = LinkRecord<PartyAState>

/**
 * Options of {@link createPartyA}.
 *
 * @example
 * ```ts
 * const partyAOptions: PartyAOptions = {
 *   peers: { music: { peer: peerB, redirectUri, scope: 'music.play', reciprocal: { peerClientId: 'music', offer: 'assistant.announce' } } },
 *   authorizationServer: assistantAs,
 *   storage,
 * }
 * const assistant = createPartyA(partyAOptions)
 * ```
 * @see SPEC R0, R1.3 (the offer to each peer)
 * @group Party A
 */
export interface PartyAOptions {
  /**
   * The services A links its users to, keyed by a peer id of your choice (1–64 letters, digits,
   * `_` or `-`). One party A serves them all over one storage: each link is bound to its peer,
   * and a callback completes only a link of the peer that answered (RFC 9700 §4.4).
   */
  readonly peers: Readonly<Record<string, PartyAPeer>>
  /**
   * A's own authorization-server kit: it mints the reciprocal code and runs the token endpoint B
   * redeems at. Party A registers a lost-grant handler with it (`registerLostGrantHandler`,
   * when it has one): when B redeems a code a second time — it lost the first answer in a crash
   * — A's server revokes the grant, and the link stops claiming it and offers B a fresh code
   * (SPEC R4.3); the same when B presents a code too late. Every party A over the same storage
   * can answer for every link.
   */
  readonly authorizationServer: Pick<AuthorizationServer, 'mintCode' | 'revokeLink'> & Partial<Pick<AuthorizationServer, 'registerLostGrantHandler'>>
  /**
   * How long the record of an ended link stays readable (`getLink`) after its last change,
   * seconds: a `failed` or `unlinked` link, or one whose refresh token died with no grant of B's
   * behind it. Default 7 days. An unlink whose revocations are not
   * done is kept as long, renewed by each attempt to finish it (`unlink`, {@link PartyA.resume}):
   * a peer that refuses forever, or is no longer in `peers`, cannot keep it alive. Other records
   * expire on their own: a link waiting for its callback after 10 minutes, the `state` index
   * with it, a lease after one operation's time. Live links — holding working tokens, or backing a
   * grant of B's at A — stay until they change.
   */
  readonly endedLinkRetentionSeconds?: number
  readonly storage?: Storage
  readonly runtime?: Runtime
  /** Observer of every step of every link and every unexpected failure (see `docs/events.md`). Default: none. */
  readonly onEvent?: EventObserver
}

/**
 * Party A's operations, one call per user action or protocol step.
 *
 * @example
 * ```ts
 * const linked = await partyA.handleCallback(request.url, session.userId)
 * if (linked.status === 'awaiting-consent') await partyA.consent(linked.linkId, { scope: linked.requested.join(' ') })
 * const musicToken = await partyA.accessToken(linked.linkId) // B's access token, refreshed when due
 * ```
 * @see SPEC R1.1, R2.1, R3.2, R5.1, R5.2, R8.2
 * @group Party A
 */
export interface PartyA {
  /**
   * Step A: the authorization URL to send the user to, and the new link's id. The link id names
   * its peer (`<peerId>.<random>`): every other method finds the peer from it, so keep the id
   * as one opaque string.
   *
   * A user has one reciprocal grant per peer at A's authorization server, whatever the number
   * of links: a newer link of the same user and peer that delivers a code supersedes the grant
   * an older one delivered (the older link's state still names it), and unlinking any link that
   * delivered a code revokes that one grant. Keep one live link per user and peer, and unlink
   * the old one before starting another; unlinking a link that never delivered a code leaves
   * the grant alone.
   */
  startLink(peerId: string, userId: string): Promise<{ linkId: string; url: URL }>
  /**
   * Steps B–D: validates the callback, exchanges the code, and resolves the reciprocal scope.
   * `callbackUrl` is the URL the user arrived at, absolute or as Node's `req.url` gives it
   * (`/callback?code=…`, read against the peer's redirect URI). The callback completes only a
   * link of the peer that answered: a peer registered at the redirect URI the callback arrived
   * at and, where several are, the one whose issuer is the callback's RFC 9207 `iss` (RFC 9700
   * §4.4). `userId` is the user of the session the callback arrived in: it must be the user who
   * started the link, or nothing is exchanged — otherwise an attacker could start a link and
   * have a victim complete it, tying the victim's account at B to the attacker's at A (SPEC
   * R7.9).
   */
  handleCallback(callbackUrl: string | URL, userId: string): Promise<PartyAState>
  /** The user's reciprocal consent (SPEC R2): a scope (all or part of what is offered), or `'refuse'`. Then step E. */
  consent(linkId: string, decision: { readonly scope: string } | 'refuse'): Promise<PartyAState>
  /**
   * The update flow (SPEC R5.1): grant B a new scope with a new code. An update that only adds
   * scopes revokes the old grant once B redeems the new code; one that drops any revokes it when
   * the code is minted, so a removal holds even if B never redeems.
   */
  updateReciprocalScope(linkId: string, scope: string): Promise<PartyAState>
  /**
   * Unlinking (SPEC R5.2): revokes every grant A gave B for this user (at once, no network), then
   * A's tokens at B (RFC 7009). What fails — B cannot be reached, or A's own storage refuses the
   * revocation — stays in the `unlinked` state's `outbox`, with the `error`; calling `unlink`
   * again, any other operation on the link, or {@link PartyA.resume} finishes it.
   */
  unlink(linkId: string): Promise<PartyAState>
  /**
   * Finishes what a failure or a crash interrupted, across every link: whatever a link's outbox
   * still holds — an unlink's revocations (SPEC R5.2), a delivery a crash interrupted (sent
   * again with a fresh code), a refresh. Call it at start-up and then periodically — every few
   * minutes; unfinished work stays in its reach for `endedLinkRetentionSeconds`, renewed by each
   * attempt. A link another worker is busy with, or whose peer this instance is not configured
   * for, is left for the next call. Resolves how many links it brought to rest; a link that cannot be finished (its record
   * altered in storage, a storage error) rejects the call, after every other link was tried.
   */
  resume(): Promise<number>
  /**
   * The same for one link, and resolves its state: finishes what its outbox holds, and tries a
   * failed delivery again with a fresh code (`delivery-failed`); for any other state it changes
   * nothing.
   */
  resume(linkId: string): Promise<PartyAState>
  /** The link's current state, or `undefined`. */
  getLink(linkId: string): Promise<PartyAState | undefined>
  /** A live access token for calling B, refreshed ahead of expiry (single-flight, SPEC R8.2). */
  accessToken(linkId: string): Promise<string>
}

/**
 * Builds party A's driver. Each peer needs its own `reciprocal.peerClientId`: A's authorization
 * server holds one reciprocal grant per peer and user, shared by that user's links with that
 * peer (see {@link PartyA.startLink}).
 *
 * @example
 * ```ts
 * const partyA = createPartyA({
 *   peers: {
 *     music: {
 *       peer: { as: musicMetadata, client: { client_id: 'assistant' }, clientAuth: ClientSecretBasic(secret) },
 *       redirectUri: 'https://assistant.example/callback',
 *       scope: 'music.play',
 *       reciprocal: { peerClientId: 'music', offer: 'assistant.announce' },
 *     },
 *   },
 *   authorizationServer: assistantAs,
 * })
 * const { url } = await partyA.startLink('music', 'alice') // redirect the user there
 * const state = await partyA.handleCallback(request.url, session.userId) // awaiting-consent
 * await partyA.consent(state.linkId, { scope: 'assistant.announce' }) // reciprocal-granted
 * ```
 * @see SPEC R0, R1.1, R2.1, R3.1, R3.2
 * @group Party A
 */
export function createPartyA(options: PartyAOptions): PartyA {
  const runtime = options.runtime ?? systemRuntime
  const emit = eventEmitter(options.onEvent, runtime, 'party-a')
  const report = (error: unknown): void => emit(unexpectedFailure('party-a', error))
  const storage = typedStorage(options.storage ?? new MemoryStorage({ now: () => runtime.now() }), report)
  const peers = definePeers(partyAPeersOnRuntime(options.peers, runtime))
  const retention = options.endedLinkRetentionSeconds ?? ENDED_LINK_RETENTION_SECONDS
  if (!(Number.isInteger(retention) && retention > 0)) throw invalidValue('endedLinkRetentionSeconds must be a positive integer')
  // No lease, and the pending log in memory, in a storage of our own: no other worker can reach
  // it (link-guard.ts, local-pending-log.ts).
  const shared = options.storage !== undefined
  const guard = new LinkGuard(storage, runtime, leaseSeconds(...Object.values(options.peers).map((p) => p.peer.timeoutMs)), shared)
  const refreshes = new SingleFlight()
  const links = partyALinks(storage, runtime, retention, shared)
  const commandContext = { authorizationServer: options.authorizationServer, runtime, report }
  // Every key names the link's peer: the link id starts with it, and the state index is per peer.
  const stateIndexKey = (peerId: string, state: string): string => `party-a:state:${peerId}:${sha256(state)}`
  const context = (peer: PartyAPeer): PartyAContext => ({
    now: runtime.now(),
    offer: peer.reciprocal.offer,
    configured: peer.reciprocal.configured,
  })

  /** The link and its peer, found from the link id; the stored link must be that peer's (RFC 9700 §4.4). */
  const find = async (linkId: string): Promise<{ record: StoredLink; peer: PartyAPeer } | undefined> => {
    const peerId = peers.peerIdOf(linkId)
    const peer = peerId === undefined ? undefined : peers.get(peerId)
    const record = peer === undefined ? undefined : await links.load(linkId)
    if (peer === undefined || record === undefined) return undefined
    if (record.state.peerId !== peerId || record.state.linkId !== linkId) {
      throw new ReciprocalError('The stored link does not belong to the peer its id names', {
        code: ErrorCode.InvalidState,
        step: 'configuration',
        hint: 'The link record was altered or copied in storage; start a new link.',
      })
    }
    return { record, peer }
  }
  const load = async (linkId: string): Promise<{ record: StoredLink; peer: PartyAPeer }> => {
    const found = await find(linkId)
    if (found === undefined) {
      throw new ReciprocalError('No such link', { code: ErrorCode.InvalidState, step: 'configuration', hint: 'Start a link first.' })
    }
    return found
  }
  /** Steps the machine and stores the new state (with its outbox) if it changed. */
  async function apply(record: StoredLink, event: PartyAEvent, peer: PartyAPeer): Promise<StoredLink> {
    const next = stepPartyA(record.state, event, context(peer))
    if (next === record.state) return record
    const saved = await links.save(record.state.linkId, record, next)
    observePartyA(emit, record.state, event, saved.state)
    return saved
  }
  /**
   * Steps, stores, then runs the outbox, feeding each result back in (under the link's lease).
   * `results` collects the result events, for a caller that must report a failure.
   */
  async function advance(record: StoredLink, event: PartyAEvent, peer: PartyAPeer, results: PartyAEvent[] = []): Promise<StoredLink> {
    // The code this run minted, for its POST: never stored (SPEC R3.1, machines/party-a-state.ts).
    let minted: { code: string; version: number } | undefined
    const run = (state: PartyAState, command: PartyACommand): Promise<PartyAEvent> => runCommand(state, command, peer, commandContext, minted)
    return runOutbox(await apply(record, event, peer), run, (current, result) => {
      if (result.type === 'code-minted') minted = { code: result.code, version: result.version }
      results.push(result)
      return apply(current, result, peer)
    })
  }

  const onLink = <T>(linkId: string, task: () => Promise<T>): Promise<T> => guard.run(`party-a:${linkId}`, task)
  /** Loads the link (call under its lease), first finishing what its outbox holds (an unlink's revocations, SPEC R5.2; a delivery a crash interrupted). */
  const loadFinished = async (linkId: string): Promise<{ record: StoredLink; peer: PartyAPeer }> => {
    const { record, peer } = await load(linkId)
    if (record.state.outbox.length === 0) return { record, peer }
    return { record: await advance(record, { type: 'resume' }, peer), peer }
  }
  /** Loads the link under its lease and applies one event. */
  const step = (linkId: string, event: () => PartyAEvent): Promise<PartyAState> =>
    onLink(linkId, async () => {
      const { record, peer } = await loadFinished(linkId)
      return (await advance(record, event(), peer)).state
    })
  /** Applies an event that itself decides what becomes of the outbox (unlink, resume), so the link is loaded as it is. */
  const stepAsIs = (linkId: string, event: PartyAEvent): Promise<PartyAState> =>
    onLink(linkId, async () => {
      const { record, peer } = await load(linkId)
      return (await advance(record, event, peer)).state
    })

  /**
   * Finishes the work of every link in the pending log; resolves how many it brought to rest.
   * One link that cannot be finished (a record altered in storage, a storage error) does not
   * stop the others: its error is thrown once every other link was tried.
   */
  async function resumeAll(): Promise<number> {
    let finished = 0
    const failures: unknown[] = []
    for (const entry of await links.pending()) {
      try {
        // A link whose lease is held is being worked on (or its worker died and the lease will
        // lapse): leave it to that worker, or to the next resume.
        const after = await guard.tryRun(`party-a:${entry.link}`, async () => {
          // A link of a peer this worker does not know (a rolling deploy, workers configured with
          // different peers) is left in the log for a worker that does; its entry expires anyway.
          if (peers.peerIdOf(entry.link) === undefined) return undefined
          const found = await find(entry.link)
          if ((await links.dropIfStale(entry, found?.record)) || found === undefined) return undefined
          return advance(found.record, { type: 'resume' }, found.peer)
        })
        if (after !== undefined && !hasWorkLeft(after.state)) finished++
      } catch (error) {
        // The first failure is thrown once every link had its turn; report the others, or they are lost.
        if (failures.push(error) > 1) report(error)
      }
    }
    if (failures.length > 0) throw failures[0]
    return finished
  }

  /**
   * A's authorization server refused a code this party minted for good — B redeemed it before
   * (its grant is about to be revoked), or it expired: the link stops claiming that grant and
   * offers a fresh code. The delivery waits in its outbox for the next resume: B is waiting for
   * this answer, so a POST to B now could wait on B's own lease.
   *
   * It does not wait for a link another operation holds (a refresh or a delivery may hold it for
   * a whole outbound timeout, while the token endpoint waits on this handler): it throws
   * `ERR_LINK_BUSY`, and the server then answers 500 and leaves the grant in place until a retry
   * of the same code finds the link free — never revoking a grant this party still claims.
   */
  async function onGrantLost(lost: LostGrant): Promise<void> {
    const peerId = peers.peerIdOf(lost.reference)
    if (peerId === undefined || peers.get(peerId)?.reciprocal.peerClientId !== lost.clientId) return
    // Not even behind this instance's own operation on the link: that one may be a delivery to B
    // waiting for B's answer, while B waits for this token endpoint's.
    const key = `party-a:${lost.reference}`
    const told = guard.busyHere(key) ? undefined : await guard.tryRun(key, async () => {
      const found = await find(lost.reference)
      if (found !== undefined && found.record.state.userId === lost.subject) await apply(found.record, { type: 'grant-lost', version: lost.version }, found.peer)
      return true
    })
    if (told === undefined) {
      throw new ReciprocalError('Another operation holds the link whose grant was lost', {
        code: ErrorCode.LinkBusy,
        step: 'configuration',
        hint: 'The peer retries the redemption (its resume); the grant is revoked once the link has stopped claiming it.',
        retryable: true,
      })
    }
  }
  options.authorizationServer.registerLostGrantHandler?.(onGrantLost)

  return {
    async startLink(peerId, userId) {
      const peer = peers.get(peerId)
      if (peer === undefined) {
        throw new ReciprocalError('No peer with this id is configured', {
          code: ErrorCode.Configuration,
          step: 'authorize',
          hint: 'Pass one of the peer ids of PartyAOptions.peers.',
        })
      }
      const linkId = peers.linkId(peerId, base64url(runtime.randomBytes(16)))
      const { url, pending } = await createAuthorizationRequest(peer.peer, { redirectUri: peer.redirectUri, scope: peer.scope })
      await links.save(linkId, undefined, startPartyA({ linkId, peerId, userId, pending, now: runtime.now() }))
      await storage.set(stateIndexKey(peerId, pending.state), linkId, CALLBACK_TTL_SECONDS)
      emit({ type: 'link-started', linkId, peerId })
      return { linkId, url }
    },

    async handleCallback(callbackUrl, userId) {
      // RFC 9700 §4.4: the peer that answered, and only its pending links.
      const origin = peers.originOf(callbackUrl)
      const stateParam = origin?.url.searchParams.get('state') ?? null
      const linkId =
        origin === undefined || stateParam === null ? undefined : await storage.take<string>(stateIndexKey(origin.peerId, stateParam))
      if (origin === undefined || linkId === undefined) {
        throw new ReciprocalError('The callback does not belong to a pending link', {
          code: ErrorCode.CallbackInvalid,
          step: 'callback',
          hint: 'The link expired, was already completed, was started with another peer than the one that answered, or the state parameter was tampered with; start again.',
        })
      }
      return onLink(linkId, async () => {
        const { record, peer } = await load(linkId)
        const state = record.state
        // The index of one peer names only that peer's links; a record saying otherwise was not written by us.
        if (peer !== origin.peer) throw new ReciprocalError('The callback does not belong to a pending link of the peer that answered', {
          code: ErrorCode.CallbackInvalid,
          step: 'callback',
          hint: 'Start the link again; if it repeats, check that nothing else writes party A\'s keys in this storage.',
        })
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
          await advance(record, { type: 'exchange-failed', error: error.toJSON() }, peer)
          throw error
        }
        try {
          const params = validateCallback(peer.peer, state.pending, origin.url.searchParams)
          const exchanged = await exchangeCode(peer.peer, state.pending, params, { now: runtime.now() })
          const event: PartyAEvent = {
            type: 'tokens-received',
            tokens: exchanged.tokens,
            reciprocalFromToken: exchanged.reciprocal,
            reciprocalFromCallback: params.reciprocal,
          }
          return (await advance(record, event, peer)).state
        } catch (err) {
          return (await advance(record, { type: 'exchange-failed', error: toSerializedError(err, 'token-exchange', report) }, peer)).state
        }
      })
    },

    consent: (linkId, decision) =>
      step(linkId, () => (decision === 'refuse' ? { type: 'consent-refused' } : { type: 'consent-granted', scope: scopeTokens(decision.scope) })),
    updateReciprocalScope: (linkId, scope) => step(linkId, () => ({ type: 'update-scope', scope: scopeTokens(scope) })),
    unlink: (linkId) => stepAsIs(linkId, { type: 'unlink' }),
    resume: ((linkId?: string) => (linkId === undefined ? resumeAll() : stepAsIs(linkId, { type: 'resume' }))) as PartyA['resume'],
    getLink: async (linkId) => (await find(linkId))?.record.state,
    // Single-flight outside, link lock inside: concurrent callers share one refresh, and a refresh
    // never interleaves with another step of the same link (a rotated refresh token is never lost).
    accessToken: (linkId) =>
      refreshes.run(linkId, () =>
        onLink(linkId, async () => {
          const { record, peer } = await loadFinished(linkId)
          peerTokensOf(record.state) // a link without tokens says why
          const results: PartyAEvent[] = []
          const after = await advance(record, { type: 'refresh' }, peer, results)
          const failed = results.find((result) => result.type === 'refresh-failed')
          if (failed !== undefined) throw ReciprocalError.fromJSON(failed.error)
          return peerTokensOf(after.state).accessToken
        }),
      ),
  }
}

function scopeTokens(scope: string): string[] {
  if (scope.trim() === '') return []
  const tokens = parseScope(scope)
  if (tokens === undefined) {
    throw new ReciprocalError('The scope is not a valid scope string', { code: ErrorCode.ConsentInvalid, step: 'consent', hint: 'Use space-separated scope tokens.' })
  }
  return tokens
}
