/**
 * Party B's driver: it receives the reciprocal code (through the receiver it builds), redeems it
 * at A's registered token endpoint now or deferred, and keeps the tokens per user of B.
 *
 * @module
 */
import { ErrorCode, ReciprocalError } from '../core/errors.js'
import type { PeerConfig } from '../client/peer.js'
import { redeemReciprocalCode } from '../client/redeem.js'
import { refreshTokenSet } from '../client/refresh.js'
import { revokeTokenSet } from '../client/revoke.js'
import {
  createReciprocalReceiver,
  type ReceiveOutcome,
  type ReceivedReciprocalCode,
  type ReciprocalReceiver,
  type ReciprocalReceiverOptions,
} from '../server/reciprocal-receiver.js'
import { stepPartyB, type PartyBCommand, type PartyBEvent, type PartyBState } from '../machines/party-b.js'
import { invalidGrant, serverError, unauthorizedClient } from '../protocol/oauth-error.js'
import { MemoryStorage } from '../storage/memory.js'
import type { Storage } from '../core/storage.js'
import { systemRuntime, type Runtime } from '../core/runtime.js'
import { SingleFlight } from './keyed-lock.js'
import { leaseSeconds } from './lease-seconds.js'
import { DEFAULT_ENDED_LINK_RETENTION_SECONDS, hasWorkLeft, partyBLinkId, partyBLinks, type PartyBLinkRecord as LinkRecord } from './party-b-links.js'
import { LinkGuard } from './link-guard.js'
import { runOutbox } from './run-outbox.js'
import { settleOnce } from './settle-once.js'
import { toSerializedError } from './run-error.js'
import { eventEmitter, unexpectedFailure } from '../core/events.js'
import { invalidValue } from '../core/misuse.js'
import type { AccessTokenVerifier } from '../core/access-token.js'
import { GRANT_TYPE_RECIPROCAL } from '../protocol/constants.js'
import type { AuthorizationServer } from '../server/authorization-server.js'
import type { ClientRegistry } from '../server/clients.js'
import { observePartyB } from './link-events.js'
import { peersOnRuntime } from './retry-on-runtime.js'
import { typedStorage } from './typed-storage.js'

interface Link {
  readonly peerClientId: string
  readonly userId: string
}

/**
 * When B redeems a received code (SPEC R4.3): before answering A (`'immediate'`, the default:
 * 200 then means "linked"), or after, through a `waitUntil` such as a worker's
 * `ctx.waitUntil`. A deferred code is persisted first, so {@link PartyB.resume} finishes it
 * after a crash.
 *
 * @example
 * ```ts
 * const deferred: RedemptionMode = { waitUntil: (work) => void work.catch(console.error) }
 * ```
 * @group Party B
 */
export type RedemptionMode = 'immediate' | { readonly waitUntil: (work: Promise<unknown>) => void }

/**
 * Options of {@link createPartyB}. Party B checks A's access token in the reciprocal POST with
 * its own authorization server (SPEC R3.3), given in one of two ways:
 *
 * - `authorizationServer`: B's server built with `createAuthorizationServer`. Party B takes its
 *   clients, its audiences (issuer and token endpoint), its token check and its `revokeLink`
 *   from it, and registers the reciprocal grant at its token endpoint itself.
 * - `clients`, `audiences` and `verifyAccessToken` (and `revokeLink`), for a B on another
 *   authorization server, which dispatches the reciprocal grant type to `partyB.receiver`.
 *
 * Giving both, or neither, throws a `TypeError` with `code` `ERR_INVALID_ARG_VALUE`; so does a
 * second `createPartyB` on one authorization server object, whose token endpoint can hand the
 * reciprocal grant to one receiver only. Each process builds its own server and party B; for
 * more party B objects in one process over the same storage, give those the pieces instead.
 *
 * @example
 * ```ts
 * const partyBOptions: PartyBOptions = { peers: { assistant: peerA }, authorizationServer: musicAs, redemption: 'immediate' }
 * const music = createPartyB(partyBOptions)
 * ```
 * @group Party B
 */
export interface PartyBOptions extends Pick<ReciprocalReceiverOptions, 'requiredScope' | 'errorProfile' | 'bodyLimitBytes' | 'onEvent'> {
  /**
   * How B talks to each party A, keyed by A's client id at B: A's authorization server (its
   * token endpoint is the only place B ever sends A's code, SPEC R7.8) and B's client there.
   */
  readonly peers: Readonly<Record<string, PeerConfig>>
  readonly redemption?: RedemptionMode
  /** B's own authorization server, from `createAuthorizationServer` (see above). */
  readonly authorizationServer?: AuthorizationServer
  /** B on another authorization server: the clients registered there, party A among them. */
  readonly clients?: ClientRegistry
  /** B on another authorization server: its issuer and token endpoint, the audiences of a `private_key_jwt` assertion. */
  readonly audiences?: readonly string[]
  /** B on another authorization server: its check of the access tokens it issued (SPEC R3.3). */
  readonly verifyAccessToken?: AccessTokenVerifier
  /**
   * B on another authorization server: revokes what it granted A for a user, so that unlinking
   * does (SPEC R5.2). Must be idempotent: an unlink that was interrupted calls it again.
   */
  readonly revokeLink?: (clientId: string, subject: string) => Promise<void>
  /**
   * How long B keeps a link that holds no tokens and owes no revocation — unlinked, needing
   * re-consent, failed for good, or still waiting for its first code — after its last change,
   * seconds; then it expires (`getLink` resolves `undefined`). Default 7 days. Links that hold
   * A's tokens are kept as long as they do.
   */
  readonly endedLinkRetentionSeconds?: number
  readonly storage?: Storage
  readonly runtime?: Runtime
}

/**
 * Party B's operations.
 *
 * @example
 * ```ts
 * const assistantToken = await partyB.accessToken('assistant', 'alice') // A's access token, refreshed when due
 * const linkAtB = await partyB.getLink('assistant', 'alice')
 * await partyB.unlink('assistant', 'alice')
 * ```
 * @see SPEC R3.3, R4.1, R4.3, R5.2, R8.2
 * @group Party B
 */
export interface PartyB {
  /** The reciprocal grant receiver to mount at B's token endpoint (SPEC R8.3). */
  readonly receiver: ReciprocalReceiver
  /** The link of one user of B with one party A. */
  getLink(peerClientId: string, userId: string): Promise<PartyBState | undefined>
  /** A live access token for calling A on this user's behalf, refreshed ahead of expiry (SPEC R8.2). */
  accessToken(peerClientId: string, userId: string): Promise<string>
  /**
   * Finishes what a crash or a failure left undone, across every link: whatever a link's outbox
   * still holds — a code received but not yet redeemed (SPEC R4.3), an unlink's revocations not
   * confirmed (SPEC R5.2), a refresh. Call it at start-up and then periodically — every few
   * minutes suits redemptions; an unfinished unlink stays in its reach for the retention period,
   * renewed by each attempt. Resolves how many links it brought to rest.
   */
  resume(): Promise<number>
  /**
   * The same for one link, and resolves its state: finishes what its outbox holds, and tries
   * again a failed redemption whose code may still pass (`redeem-failed` with its `pending`
   * code); for any other state it changes nothing.
   */
  resume(peerClientId: string, userId: string): Promise<PartyBState>
  /**
   * Unlinking (SPEC R5.2): revokes, when configured, what B's authorization server granted A —
   * first, since it needs no network — then A's tokens at A (RFC 7009). Resolves the `unlinked`
   * state; while its `outbox` is not empty, a revocation is not confirmed yet (`error` says
   * why), and calling `unlink` again, any other operation on the link, or {@link PartyB.resume}
   * tries again.
   */
  unlink(peerClientId: string, userId: string): Promise<PartyBState>
}

/**
 * Builds party B's driver and its reciprocal grant receiver.
 *
 * @example
 * ```ts
 * const musicAs = createAuthorizationServer({ issuer, tokenEndpoint: `${issuer}/token`, clients })
 * const partyB = createPartyB({
 *   authorizationServer: musicAs, // its clients, audiences and token check; it registers the reciprocal grant
 *   peers: { assistant: { as: assistantMetadata, client: { client_id: 'music' }, clientAuth: ClientSecretBasic(secret) } },
 * })
 * app.post('/token', (c) => musicAs.tokenEndpoint.fetch(c.req.raw)) // the reciprocal POST lands here too
 * ```
 * @see SPEC R3.3, R4.1, R4.3
 * @group Party B
 */
export function createPartyB(options: PartyBOptions): PartyB {
  const runtime = options.runtime ?? systemRuntime
  const storage = options.storage ?? new MemoryStorage({ now: () => runtime.now() })
  // No lease, and the pending log in memory, in a storage of our own: no other worker can reach
  // it (link-guard.ts, local-pending-log.ts).
  const shared = options.storage !== undefined
  const emit = eventEmitter(options.onEvent, runtime, 'party-b')
  const report = (error: unknown): void => emit(unexpectedFailure('party-b', error))
  // The driver's own records fail typed (the receiver, a server, answers a store's failure itself).
  const records = typedStorage(storage, report)
  const links = partyBLinks(records, runtime, options.endedLinkRetentionSeconds ?? DEFAULT_ENDED_LINK_RETENTION_SECONDS, shared)
  const guard = new LinkGuard(records, runtime, leaseSeconds(...Object.values(options.peers).map((peer) => peer.timeoutMs)), shared)
  const refreshes = new SingleFlight()
  const keyOf = (link: Link): string => partyBLinkId(link.peerClientId, link.userId)
  const peers = peersOnRuntime(options.peers, runtime)

  const peerOf = (peerClientId: string): PeerConfig => {
    const peer = Object.hasOwn(peers, peerClientId) ? peers[peerClientId] : undefined
    if (peer === undefined) {
      throw new ReciprocalError('No peer configuration for this client', {
        code: ErrorCode.Configuration,
        step: 'redeem-code',
        hint: 'Add the client to PartyBOptions.peers with its authorization server metadata.',
      })
    }
    return peer
  }

  /** Steps the machine and stores the new state (with its outbox) if it changed. */
  async function apply(record: LinkRecord | undefined, event: PartyBEvent, link: Link): Promise<LinkRecord> {
    const state = stepPartyB(record?.state, event, { now: runtime.now() }, link)
    if (record !== undefined && state === record.state) return record
    const saved = await links.save(keyOf(link), record, state)
    observePartyB(emit, record?.state, event, saved.state)
    return saved
  }

  /** Runs the link's outbox, feeding each result back in (under the link's lease); `results` collects them. */
  const drain = (record: LinkRecord, link: Link, results: PartyBEvent[] = []): Promise<LinkRecord> =>
    runOutbox(record, execute, (current, result) => (results.push(result), apply(current, result, link)))

  /** Steps, stores, then runs the outbox (under the link's lease). */
  async function advance(record: LinkRecord | undefined, event: PartyBEvent, link: Link, results: PartyBEvent[] = []): Promise<LinkRecord> {
    return drain(await apply(record, event, link), link, results)
  }

  /** Runs one command of the outbox and resolves its result; a failure is a result too. */
  async function execute(state: PartyBState, command: PartyBCommand): Promise<PartyBEvent> {
    switch (command.type) {
      case 'redeem-code':
        try {
          const tokens = await redeemReciprocalCode(peerOf(state.peerClientId), command.code, { now: runtime.now() })
          return { type: 'redeemed', tokens }
        } catch (err) {
          return { type: 'redeem-failed', error: toSerializedError(err, 'redeem-code', report) }
        }
      case 'refresh-peer-tokens':
        try {
          const tokens = 'tokens' in state ? state.tokens : undefined
          // The machine asks for a refresh only where tokens are held.
          if (tokens === undefined) throw new ReciprocalError('No tokens to refresh', { code: ErrorCode.InvalidState, step: 'refresh', hint: 'Link first.' })
          return { type: 'tokens-refreshed', tokens: await refreshTokenSet(peerOf(state.peerClientId), tokens, { now: runtime.now() }) }
        } catch (err) {
          return { type: 'refresh-failed', error: toSerializedError(err, 'refresh', report) }
        }
      case 'revoke-local-grant':
        try {
          await server.revokeLink?.(state.peerClientId, state.userId)
          return { type: 'revoked', target: 'local-grant' }
        } catch (err) {
          return { type: 'revoke-failed', target: 'local-grant', error: toSerializedError(err, 'revoke', report) }
        }
      case 'revoke-peer-tokens':
        try {
          // `false` (A has no revocation endpoint) is done too: the tokens simply expire.
          await revokeTokenSet(peerOf(state.peerClientId), command.tokens)
          return { type: 'revoked', target: 'peer-tokens' }
        } catch (err) {
          return { type: 'revoke-failed', target: 'peer-tokens', error: toSerializedError(err, 'revoke', report) }
        }
    }
  }

  /**
   * Finishes what the link's outbox holds (call under the link's lease): the operations on a link
   * do this first, so nothing is left behind by a later one.
   */
  async function finish(record: LinkRecord | undefined, link: Link): Promise<LinkRecord | undefined> {
    return record !== undefined && record.state.outbox.length > 0 ? advance(record, { type: 'resume' }, link) : record
  }

  async function onCode(received: ReceivedReciprocalCode): Promise<ReceiveOutcome> {
    if (!Object.hasOwn(options.peers, received.peerClientId)) {
      return { ok: false, error: unauthorizedClient('Reciprocal OAuth is not configured for this client') }
    }
    const link = { peerClientId: received.peerClientId, userId: received.userId }
    const event: PartyBEvent = { type: 'code-received', pending: { code: received.code, receivedAt: received.receivedAt } }
    const mode = options.redemption ?? 'immediate'
    const key = keyOf(link)
    /**
     * The link the code applies to, once an unfinished unlink was finished; or why the code is
     * refused. Anything else in the outbox gives way to the new code (the newer code wins).
     */
    const current = async (): Promise<{ record: LinkRecord | undefined } | { refused: ReceiveOutcome }> => {
      const stored = await links.load(key)
      const unlinking = stored?.state.status === 'unlinked' ? stored.state.outbox : []
      const record = unlinking.length > 0 ? await finish(stored, link) : stored
      if (record?.state.status === 'unlinked' && record.state.outbox.length > 0) {
        return { refused: { ok: false, error: serverError() } } // A retries later, when the unlink is done
      }
      if (unlinking.some((command) => command.type === 'revoke-local-grant')) {
        // The access token that carried this code belongs to the grant the user removed: it
        // was revoked just now, and a code it carried does not set the link up again.
        return { refused: { ok: false, error: invalidGrant('This link was unlinked') } }
      }
      return { record }
    }
    if (mode !== 'immediate') {
      // SPEC R4.3: store the code (state "redeeming", its redemption in the outbox, logged as
      // pending) before answering 200, then redeem after the answer — under the one lease taken
      // for both, so the redemption costs no second claim, release and read of the link.
      const answer = settleOnce<ReceiveOutcome>()
      const work = guard.run(key, async () => {
        const before = await current()
        if ('refused' in before) return answer.resolve(before.refused)
        const record = await apply(before.record, event, link)
        answer.resolve({ ok: true })
        await drain(record, link)
      })
      // Before the answer, a failure is the answer's (the receiver answers 500); after it, nobody
      // awaits the redemption: a failure it did not record in the link is reported.
      mode.waitUntil(work.catch((error: unknown) => (answer.settled() ? report(error) : answer.reject(error))))
      return answer.promise
    }
    const outcome = await guard.run(key, async () => {
      const before = await current()
      return 'refused' in before ? before : { state: (await advance(before.record, event, link)).state }
    })
    if ('refused' in outcome) return outcome.refused
    const state = outcome.state
    if (state.status === 'linked' && state.lastError === undefined) return { ok: true }
    const error = state.status === 'linked' ? state.lastError : state.status === 'redeem-failed' ? state.error : undefined
    // "200 means linked" (SPEC R4.3): anything else is an error A can act on — retry later, or not.
    return { ok: false, error: error?.retryable ? serverError() : invalidGrant('The reciprocal code could not be redeemed') }
  }

  const server = authorizationServerOf(options)
  const receiver = createReciprocalReceiver({ ...receiverOptions(options), ...server.check, storage, runtime, onCode })
  if (options.authorizationServer !== undefined) options.authorizationServer.registerExtensionGrant(GRANT_TYPE_RECIPROCAL, receiver.handleParsed)

  /** Runs `event` on a link under its lease and resolves the new state. */
  const step = (link: Link, event: PartyBEvent): Promise<PartyBState> =>
    guard.run(keyOf(link), async () => (await advance(await links.load(keyOf(link)), event, link)).state)

  async function resumeAll(): Promise<number> {
    let resumed = 0
    const failures: unknown[] = []
    for (const entry of await links.pending()) {
      try {
        // A link whose lease is held is being worked on (or its worker died and the lease will
        // lapse): leave it to that worker, or to the next resume.
        const after = await guard.tryRun(entry.link, async () => {
          const record = await links.load(entry.link)
          if ((await links.dropIfStale(entry, record)) || record === undefined) return undefined
          return finish(record, record.state)
        })
        if (after !== undefined && !hasWorkLeft(after.state)) resumed++
      } catch (error) {
        // One link's failure (its storage) does not keep the others waiting: the first is thrown
        // once every link had its turn; the others are reported, or they are lost.
        if (failures.push(error) > 1) report(error)
      }
    }
    if (failures.length > 0) throw failures[0]
    return resumed
  }

  return {
    receiver,
    getLink: async (peerClientId, userId) => (await links.load(partyBLinkId(peerClientId, userId)))?.state,
    accessToken: (peerClientId, userId) => {
      const link = { peerClientId, userId }
      return refreshes.run(keyOf(link), () =>
        guard.run(keyOf(link), async () => {
          const record = await finish(await links.load(keyOf(link)), link)
          const tokens = record !== undefined && 'tokens' in record.state ? record.state.tokens : undefined
          if (record === undefined || tokens === undefined) {
            const status = record?.state.status
            const hint =
              status === 'unlinked'
                ? 'The link was unlinked: party A has to deliver a new reciprocal code (the user links again at A).'
                : status === 'needs-reconsent'
                  ? "Party A no longer honours the link's refresh token: the user has to link again at A."
                  : 'Wait for the reciprocal code to be redeemed; check getLink() for its state.'
            throw new ReciprocalError(`This user has no reciprocal link with that party${status === undefined ? '' : ` (${status})`}`, {
              code: ErrorCode.InvalidState,
              step: 'configuration',
              hint,
            })
          }
          const results: PartyBEvent[] = []
          const after = await advance(record, { type: 'refresh' }, link, results)
          const failed = results.find((result) => result.type === 'refresh-failed')
          if (failed !== undefined) throw ReciprocalError.fromJSON(failed.error)
          return 'tokens' in after.state && after.state.tokens !== undefined ? after.state.tokens.accessToken : tokens.accessToken
        }),
      )
    },
    resume: ((peerClientId?: string, userId?: string) =>
      peerClientId === undefined || userId === undefined ? resumeAll() : step({ peerClientId, userId }, { type: 'resume' })) as PartyB['resume'],
    unlink: (peerClientId, userId) => step({ peerClientId, userId }, { type: 'unlink' }),
  }
}

/** The options the receiver takes as they are. */
function receiverOptions(options: PartyBOptions): Pick<ReciprocalReceiverOptions, 'requiredScope' | 'errorProfile' | 'bodyLimitBytes' | 'onEvent'> {
  const { requiredScope, errorProfile, bodyLimitBytes, onEvent } = options
  return {
    ...(requiredScope === undefined ? {} : { requiredScope }),
    ...(errorProfile === undefined ? {} : { errorProfile }),
    ...(bodyLimitBytes === undefined ? {} : { bodyLimitBytes }),
    ...(onEvent === undefined ? {} : { onEvent }),
  }
}

/**
 * B's authorization server as party B needs it: the receiver's check of A's access token, and
 * the revocation an unlink runs. Derived from `authorizationServer`, or given piece by piece.
 */
function authorizationServerOf(options: PartyBOptions): {
  readonly check: Pick<ReciprocalReceiverOptions, 'clients' | 'audiences' | 'verifyAccessToken'>
  readonly revokeLink?: ((clientId: string, subject: string) => Promise<void>) | undefined
} {
  const { authorizationServer: as, clients, audiences, verifyAccessToken, revokeLink } = options
  if (as !== undefined) {
    if (clients !== undefined || audiences !== undefined || verifyAccessToken !== undefined || revokeLink !== undefined) {
      throw invalidValue('Pass either authorizationServer, or clients, audiences, verifyAccessToken and revokeLink, not both')
    }
    const { issuer, token_endpoint } = as.metadata()
    return {
      check: { clients: as.clients, audiences: [issuer, token_endpoint], verifyAccessToken: (token) => as.verifyAccessToken(token) },
      revokeLink: (clientId, subject) => as.revokeLink(clientId, subject),
    }
  }
  if (clients === undefined || audiences === undefined || verifyAccessToken === undefined) {
    throw invalidValue('Pass authorizationServer, or clients, audiences and verifyAccessToken for a B on another authorization server')
  }
  return { check: { clients, audiences, verifyAccessToken }, revokeLink }
}
