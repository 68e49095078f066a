/**
 * Which oidc-provider grants each client's link of a user came from, so that unlinking revokes
 * every one of them (SPEC R5.2).
 *
 * @module
 */
import type { Emit } from '../../core/events.js'
import type { Runtime } from '../../core/runtime.js'
import type { Storage } from '../../core/storage.js'
import { KeyedLock } from '../../drivers/keyed-lock.js'
import type { OidcProviderLike } from './provider-like.js'

/** A grant whose access token delivered an accepted code, and until when it can live (seconds). */
export interface AcceptedGrant {
  readonly clientId: string
  readonly subject: string
  readonly grantId: string
  readonly expiresAt: number
}

/** Stored per (client, user): each grant id with its expiry, seconds. Before, one grant id alone. */
type GrantSet = Record<string, number>
type StoredGrants = GrantSet | string

/**
 * The grant records, in party B's storage. A record holds the SET of grants of a link and lives
 * as long as the longest-lived of them: a grant that delivered a code earlier is never forgotten
 * because another one delivered a later code. Writes to one link are serialised in this process.
 * @internal
 */
export function grantRecords(provider: OidcProviderLike, storage: Storage, runtime: Pick<Runtime, 'now'>, emit: Emit, maxSeconds: number) {
  const lock = new KeyedLock()
  const key = (clientId: string, subject: string): string =>
    `oidc-provider:grant:${encodeURIComponent(clientId)}:${encodeURIComponent(subject)}`
  const live = async (id: string): Promise<GrantSet> => {
    const now = runtime.now()
    const found = await storage.get<StoredGrants>(id)
    // A record of the earlier form (one grant id) stands as long as the storage keeps it.
    const stored = typeof found === 'string' ? { [found]: now + maxSeconds } : (found ?? {})
    return Object.fromEntries(Object.entries(stored).filter(([, expiresAt]) => typeof expiresAt === 'number' && expiresAt > now))
  }
  return {
    /** Adds the grant to its link's set; call only once its code was accepted. */
    remember: (grant: AcceptedGrant): Promise<void> => {
      const id = key(grant.clientId, grant.subject)
      return lock.run(id, async () => {
        const grants = { ...(await live(id)), [grant.grantId]: grant.expiresAt }
        const ttlSeconds = Math.max(...Object.values(grants)) - runtime.now()
        if (ttlSeconds > 0) await storage.set(id, grants, ttlSeconds)
      })
    },
    /**
     * Revokes every grant of the link with its tokens; idempotent, as `revokeLink` must be. With
     * nothing recorded it revokes nothing and tells the observer (`link-grants-not-found`).
     */
    revoke: (clientId: string, subject: string): Promise<void> => {
      const id = key(clientId, subject)
      return lock.run(id, async () => {
        const grantIds = Object.keys(await live(id))
        if (grantIds.length === 0) return emit({ type: 'link-grants-not-found', clientId, subject })
        for (const grantId of grantIds) {
          await Promise.all([provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode].map((model) => model.revokeByGrantId(grantId)))
          await (await provider.Grant.find(grantId))?.destroy()
        }
        await storage.delete(id)
      })
    },
  }
}
