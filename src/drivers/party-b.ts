/**
 * Party B's driver: it receives the reciprocal code (through the receiver it builds), redeems it
 * at A's registered token endpoint now or deferred, and keeps the tokens per user of B.
 *
 * @module
 */
import { ErrorCode, ReciprocalError } from '../errors.js'
import type { PeerConfig } from '../client/peer.js'
import { redeemReciprocalCode } from '../client/redeem.js'
import { revokeTokenSet } from '../client/revoke.js'
import {
  createReciprocalReceiver,
  type ReceiveOutcome,
  type ReceivedReciprocalCode,
  type ReciprocalReceiver,
  type ReciprocalReceiverOptions,
} from '../endpoints/reciprocal-receiver.js'
import { stepPartyB, type PartyBCommand, type PartyBEvent, type PartyBState } from '../machines/party-b.js'
import type { TokenSet } from '../client/token-set.js'
import type { Transition } from '../machines/types.js'
import { invalidGrant, serverError, unauthorizedClient } from '../protocol/oauth-error.js'
import { MemoryStorage } from '../storage/memory.js'
import type { JsonValue, Storage } from '../storage/storage.js'
import { systemRuntime, type Runtime } from '../runtime.js'
import { SingleFlight } from './keyed-lock.js'
import { PendingLog } from './pending-log.js'
import { leaseSeconds } from './lease-seconds.js'
import { LinkGuard } from './link-guard.js'
import { liveAccessToken } from './refresh-if-expiring.js'
import { toSerializedError } from './run-error.js'


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
 * @group Party B
 */
export type RedemptionMode = 'immediate' | { readonly waitUntil: (work: Promise<unknown>) => void }

/**
 * Options of {@link createPartyB}.
 *
 * @group Party B
 */
export interface PartyBOptions extends Omit<ReciprocalReceiverOptions, 'onCode' | 'storage' | 'runtime'> {
  /**
   * How B talks to each party A, keyed by A's client id at B: A's authorization server (its
   * token endpoint is the only place B ever sends A's code, SPEC R7.8) and B's client there.
   */
  readonly peers: Readonly<Record<string, PeerConfig>>
  readonly redemption?: RedemptionMode
  /**
   * B's own authorization server, so that unlinking also revokes what B granted A (SPEC R5.2).
   * `revokeLink` must be idempotent: an unlink that was interrupted calls it again.
   */
  readonly authorizationServer?: { revokeLink(clientId: string, subject: string): Promise<void> }
  readonly storage?: Storage
  readonly runtime?: Runtime
}

/**
 * Party B's operations.
 *
 * @group Party B
 */
export interface PartyB {
  /** The reciprocal grant receiver to mount at B's token endpoint (SPEC R8.3). */
  readonly receiver: ReciprocalReceiver
  /** The link of one user of B with one party A. */
  getLink(peerClientId: string, userId: string): Promise<PartyBState | undefined>
  /** A live access token for calling A on this user's behalf, refreshed ahead of expiry (SPEC R8.2). */
  accessToken(peerClientId: string, userId: string): Promise<string>
  /** Retries a failed redemption whose code is still usable, or the revocations of an unfinished unlink. */
  retry(peerClientId: string, userId: string): Promise<PartyBState>
  /**
   * Finishes what a crash or a failure left undone, across every link: codes received but not
   * yet redeemed (SPEC R4.3), and unlinks whose revocations are not confirmed (SPEC R5.2). Call
   * it at start-up and then periodically. Resolves how many links it brought to rest.
   */
  resume(): Promise<number>
  /** The former name of {@link PartyB.resume}; does the same. */
  resumePending(): Promise<number>
  /**
   * Unlinking (SPEC R5.2): revokes, when configured, what B's authorization server granted A —
   * first, since it needs no network — then A's tokens at A (RFC 7009). Resolves the `unlinked`
   * state; while it carries `revoking`, something is not confirmed yet (`revoking.error` says
   * why), and calling `unlink` or `retry` again, any other operation on the link, or
   * {@link PartyB.resume} tries again.
   */
  unlink(peerClientId: string, userId: string): Promise<PartyBState>
}

/**
 * Builds party B's driver and its reciprocal grant receiver.
 *
 * @example
 * ```ts
 * const partyB = createPartyB({
 *   clients, audiences: [issuer, `${issuer}/token`],
 *   verifyAccessToken: (token) => musicAs.verifyAccessToken(token),
 *   peers: { assistant: { as: assistantMetadata, client: { client_id: 'music' }, clientAuth: ClientSecretBasic(secret) } },
 * })
 * const musicAs = createAuthorizationServer({ …, extensionGrants: { [GRANT_TYPE_RECIPROCAL]: partyB.receiver.handleParsed } })
 * ```
 * @group Party B
 */
export function createPartyB(options: PartyBOptions): PartyB {
  const runtime = options.runtime ?? systemRuntime
  const storage = options.storage ?? new MemoryStorage({ now: () => runtime.now() })
  const pendingLog = new PendingLog(storage, 'party-b:pending')
  const guard = new LinkGuard(storage, runtime, leaseSeconds(...Object.values(options.peers).map((peer) => peer.timeoutMs)))
  const refreshes = new SingleFlight()
  const linkKey = (peerClientId: string, userId: string): string =>
    `party-b:link:${encodeURIComponent(peerClientId)}:${encodeURIComponent(userId)}`

  const load = (peerClientId: string, userId: string): Promise<PartyBState | undefined> =>
    storage.get<PartyBState & JsonValue>(linkKey(peerClientId, userId))

  const peerOf = (peerClientId: string): PeerConfig => {
    const peer = Object.hasOwn(options.peers, peerClientId) ? options.peers[peerClientId] : undefined
    if (peer === undefined) {
      throw new ReciprocalError('No peer configuration for this client', {
        code: ErrorCode.Configuration,
        step: 'redeem-code',
        hint: 'Add the client to PartyBOptions.peers with its authorization server metadata.',
      })
    }
    return peer
  }

  /** Steps the machine and persists the new state; the commands are left to {@link run}. */
  async function apply(state: PartyBState | undefined, event: PartyBEvent, link: Link): Promise<Transition<PartyBState, PartyBCommand>> {
    const transition = stepPartyB(state, event, { now: runtime.now() }, link)
    if (transition.state === state) return transition
    const key = linkKey(link.peerClientId, link.userId)
    await storage.set(key, transition.state as PartyBState & JsonValue)
    if (hasWorkLeft(transition.state)) await pendingLog.append(key)
    return transition
  }

  /** Runs a transition's commands, feeding their results back in (under the link's lease). */
  async function run(transition: Transition<PartyBState, PartyBCommand>, link: Link): Promise<PartyBState> {
    let current = transition.state
    for (const command of transition.commands) {
      for (const result of await execute(current, command)) current = await advance(current, result, link)
    }
    return current
  }

  async function advance(state: PartyBState | undefined, event: PartyBEvent, link: Link): Promise<PartyBState> {
    return run(await apply(state, event, link), link)
  }

  async function execute(state: PartyBState, command: PartyBCommand): Promise<PartyBEvent[]> {
    switch (command.type) {
      case 'redeem-code':
        try {
          const tokens = await redeemReciprocalCode(peerOf(state.peerClientId), command.code, { now: runtime.now() })
          return [{ type: 'redeemed', tokens }]
        } catch (err) {
          return [{ type: 'redeem-failed', error: toSerializedError(err, 'redeem-code') }]
        }
      case 'revoke-local-grant':
        try {
          await options.authorizationServer?.revokeLink(state.peerClientId, state.userId)
          return [{ type: 'revoked', target: 'local-grant' }]
        } catch (err) {
          return [{ type: 'revoke-failed', target: 'local-grant', error: toSerializedError(err, 'revoke') }]
        }
      case 'revoke-peer-tokens':
        try {
          // `false` (A has no revocation endpoint) is done too: the tokens simply expire.
          await revokeTokenSet(peerOf(state.peerClientId), command.tokens)
          return [{ type: 'revoked', target: 'peer-tokens' }]
        } catch (err) {
          return [{ type: 'revoke-failed', target: 'peer-tokens', error: toSerializedError(err, 'revoke') }]
        }
    }
  }

  /**
   * Tries again what an unfinished unlink has left (call under the link's lease): every
   * operation on a link does this first, so a revocation is never left behind by a later one.
   */
  async function finishUnlink(state: PartyBState | undefined, link: Link): Promise<PartyBState | undefined> {
    return state?.status === 'unlinked' && state.revoking !== undefined ? advance(state, { type: 'retry' }, link) : state
  }

  /** Redeems the code a link holds, if it still holds one (call under the link's lease); `undefined` if none. */
  async function redeemNow(key: string): Promise<PartyBState | undefined> {
    const state = await storage.get<PartyBState & JsonValue>(key)
    if (state?.status !== 'redeeming') return undefined
    const link = { peerClientId: state.peerClientId, userId: state.userId }
    return run({ state, commands: [{ type: 'redeem-code', code: state.pending.code }] }, link)
  }

  /** Finishes whatever work a link has left (call under its lease); `undefined` if it had none. */
  async function resumeNow(key: string): Promise<PartyBState | undefined> {
    const state = await storage.get<PartyBState & JsonValue>(key)
    if (state?.status === 'redeeming') return redeemNow(key)
    return state !== undefined && hasWorkLeft(state) ? finishUnlink(state, state) : undefined
  }

  /** The deferred redemption: takes the lease again, and redeems whatever code is pending then. */
  const redeemPending = (key: string): Promise<PartyBState | undefined> => guard.run(key, () => redeemNow(key))

  async function onCode(received: ReceivedReciprocalCode): Promise<ReceiveOutcome> {
    if (!Object.hasOwn(options.peers, received.peerClientId)) {
      return { ok: false, error: unauthorizedClient('Reciprocal OAuth is not configured for this client') }
    }
    const link = { peerClientId: received.peerClientId, userId: received.userId }
    const event: PartyBEvent = { type: 'code-received', pending: { code: received.code, receivedAt: received.receivedAt } }
    const mode = options.redemption ?? 'immediate'
    const key = linkKey(link.peerClientId, link.userId)
    /** The state the code applies to, after an unfinished unlink was finished; or why the code is refused. */
    const current = async (): Promise<{ state: PartyBState | undefined } | { refused: ReceiveOutcome }> => {
      const stored = await load(link.peerClientId, link.userId)
      const state = await finishUnlink(stored, link)
      if (state?.status === 'unlinked' && state.revoking !== undefined) {
        return { refused: { ok: false, error: serverError() } } // A retries later, when the unlink is done
      }
      if (stored?.status === 'unlinked' && stored.revoking?.localGrant === true) {
        // The access token that carried this code belongs to the grant the user removed: it
        // was revoked just now, and a code it carried does not set the link up again.
        return { refused: { ok: false, error: invalidGrant('This link was unlinked') } }
      }
      return { state }
    }
    if (mode !== 'immediate') {
      // SPEC R4.3: persist the code (state "redeeming", indexed as pending) before answering 200,
      // then redeem after the answer.
      const refused = await guard.run(key, async () => {
        const before = await current()
        if ('refused' in before) return before.refused
        await apply(before.state, event, link)
        return undefined
      })
      if (refused !== undefined) return refused
      mode.waitUntil(redeemPending(key).catch(() => undefined))
      return { ok: true }
    }
    const outcome = await guard.run(key, async () => {
      const before = await current()
      return 'refused' in before ? before : { state: await advance(before.state, event, link) }
    })
    if ('refused' in outcome) return outcome.refused
    const state = outcome.state
    if (state.status === 'linked' && state.lastError === undefined) return { ok: true }
    const error = state.status === 'linked' ? state.lastError : state.status === 'redeem-failed' ? state.error : undefined
    // "200 means linked" (SPEC R4.3): anything else is an error A can act on — retry later, or not.
    return { ok: false, error: error?.retryable ? serverError() : invalidGrant('The reciprocal code could not be redeemed') }
  }

  const receiver = createReciprocalReceiver({ ...options, storage, runtime, onCode })

  return {
    receiver,
    getLink: load,
    accessToken: (peerClientId, userId) =>
      refreshes.run(linkKey(peerClientId, userId), () =>
        guard.run(linkKey(peerClientId, userId), async () => {
          const state = await finishUnlink(await load(peerClientId, userId), { peerClientId, userId })
          const tokens = state !== undefined && 'tokens' in state ? state.tokens : undefined
          if (state === undefined || tokens === undefined) {
            throw new ReciprocalError('This user has no reciprocal link with that party', {
              code: ErrorCode.InvalidState,
              step: 'configuration',
              hint: 'Wait for the reciprocal code to be redeemed; check getLink() for its state.',
            })
          }
          return liveAccessToken(peerOf(peerClientId), tokens, runtime.now(), (event) => advance(state, event, { peerClientId, userId }))
        }),
      ),
    retry: (peerClientId, userId) =>
      guard.run(linkKey(peerClientId, userId), async () => advance(await load(peerClientId, userId), { type: 'retry' }, { peerClientId, userId })),
    resume,
    resumePending: resume,
    unlink: (peerClientId, userId) =>
      guard.run(linkKey(peerClientId, userId), async () => advance(await load(peerClientId, userId), { type: 'unlink' }, { peerClientId, userId })),
  }

  async function resume(): Promise<number> {
    let resumed = 0
    for (const key of new Set(await pendingLog.links())) {
      // A link whose lease is held is being worked on (or its worker died and the lease will
      // lapse): leave it to that worker, or to the next resume.
      const after = await guard.tryRun(key, () => resumeNow(key))
      if (after !== undefined && !hasWorkLeft(after)) resumed++
    }
    return resumed
  }
}

/** Whether a link has work that a restarted process must finish: a code to redeem, or revocations. */
function hasWorkLeft(state: PartyBState): boolean {
  return state.status === 'redeeming' || (state.status === 'unlinked' && state.revoking !== undefined)
}
