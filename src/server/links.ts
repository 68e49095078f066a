/**
 * Link versions (SPEC R5.1–R5.3): every (client, subject) pair — a link — has a monotonic
 * version. A superseding code takes a new version; when it is redeemed its version is "cut", and
 * every grant of an older version is revoked. Removing a link takes a new, already-cut version.
 *
 * A removal must really remove access (SPEC R5.1, R7.6), even if the client never redeems the
 * code that tells it so: a superseding code that drops any scope of the previous version takes
 * its version already cut, so the older, wider grants die when the code is minted. A code that
 * only adds scopes leaves them live until it is redeemed, so the client keeps working meanwhile.
 * Comparing with the previous version alone suffices, by induction: the live grants of a link
 * are those of its newest cut version and of the versions after it, and each of those versions
 * was taken without a cut, so each one's scope contains the one before it. Every live grant is
 * therefore within the newest version's scope, and a new version that does not contain that
 * scope is taken cut.
 *
 * Why keys per version instead of one mutable record: the {@link Storage} port offers `add`
 * (atomic insert) but no compare-and-swap, and a read-modify-write of one record would let two
 * concurrent updates lose one another (an older grant surviving, or two codes sharing a version).
 * Versions are claimed with `add`, so each number goes to exactly one caller; a version record is
 * then written only by the one holder of its code (taken atomically). Nothing here can regress.
 * Version records never expire: a missing version would hide every cut above it. There is one per
 * update or unlink of a link, which users do rarely.
 *
 * @module
 */
import { isScopeSubset, parseScope } from '../protocol/scope.js'
import type { ServerContext } from './options.js'
import { keys, type LinkHint, type LinkVersionRecord } from './records.js'

/** Versions probed in one call before giving up: far beyond any real concurrency. */
const MAX_PROBES = 10_000

/**
 * The link's newest version (0 for a link never versioned): the hint, then upward while the next
 * version exists.
 *
 * @example
 * ```ts
 * await currentLinkVersion(context, 'music', 'user-1') // 0
 * ```
 * @group Authorization server
 */
export async function currentLinkVersion(context: ServerContext, clientId: string, subject: string): Promise<number> {
  const hint = (await context.storage.get<LinkHint>(keys.link(clientId, subject)))?.version ?? 0
  let version = hint
  for (let probes = 0; probes < MAX_PROBES; probes++) {
    if ((await context.storage.get<LinkVersionRecord>(keys.linkVersion(clientId, subject, version + 1))) === undefined) {
      return version
    }
    version++
  }
  throw new Error('link version probe limit reached')
}

/**
 * Why a new link version is claimed: a superseding code of `scope` (RFC 6749 §3.3 string), or
 * unlinking.
 *
 * @example
 * ```ts
 * const claim: LinkVersionClaim = { kind: 'supersede', scope: 'assistant.read' }
 * ```
 * @group Authorization server
 */
export type LinkVersionClaim = { readonly kind: 'supersede'; readonly scope: string } | { readonly kind: 'unlink' }

/**
 * Claims the next version of a link, atomically: concurrent callers get distinct versions.
 * Unlinking claims it already cut; so does a superseding code whose scope does not contain the
 * previous version's (SPEC R5.1: a narrowing revokes the older grants now, not at redemption).
 *
 * @example
 * ```ts
 * const version = await allocateLinkVersion(context, 'music', 'user-1', { kind: 'supersede', scope: 'assistant.read' }) // 1
 * ```
 * @group Authorization server
 */
export async function allocateLinkVersion(
  context: ServerContext,
  clientId: string,
  subject: string,
  claim: LinkVersionClaim,
): Promise<number> {
  let version = await currentLinkVersion(context, clientId, subject)
  for (let attempts = 0; attempts < MAX_PROBES; attempts++) {
    // Read again on every attempt: when another caller took `version + 1` first, its record is
    // the previous one now. A record's scope never changes once added, so this read is stable.
    const previous = await context.storage.get<LinkVersionRecord>(keys.linkVersion(clientId, subject, version))
    version++
    const record: LinkVersionRecord =
      claim.kind === 'unlink' ? { cut: true } : { cut: narrows(claim.scope, previous), scope: claim.scope }
    if (await context.storage.add(keys.linkVersion(clientId, subject, version), record)) {
      // Best effort: a concurrent writer may leave a lower hint; that only costs a probe later.
      await context.storage.set(keys.link(clientId, subject), { version } satisfies LinkHint)
      return version
    }
  }
  throw new Error('link version allocation limit reached')
}

/**
 * Whether `scope` drops a scope of the previous version. No previous version, or one without a
 * scope (taken by unlinking, which already revoked everything older), needs no cut.
 */
function narrows(scope: string, previous: LinkVersionRecord | undefined): boolean {
  if (previous?.scope === undefined) return false
  return !isScopeSubset(parseScope(previous.scope) ?? [], parseScope(scope) ?? [])
}

/**
 * Whether a version newer than `version` exists (a newer superseding code was minted, or the link
 * was removed): a superseding code of `version` must then not be redeemed (SPEC R5.3).
 *
 * @example
 * ```ts
 * await hasNewerVersion(context, 'music', 'user-1', code.linkVersion) // false for the newest code
 * ```
 * @group Authorization server
 */
export async function hasNewerVersion(
  context: ServerContext,
  clientId: string,
  subject: string,
  version: number,
): Promise<boolean> {
  return (await context.storage.get<LinkVersionRecord>(keys.linkVersion(clientId, subject, version + 1))) !== undefined
}

/**
 * Whether any version newer than `version` is cut: a grant (or a plain code) of `version` is then
 * revoked. Usually one read: the next version does not exist.
 *
 * @example
 * ```ts
 * if (await isCutAfter(context, grant.clientId, grant.subject, grant.linkVersion)) return undefined
 * ```
 * @group Authorization server
 */
export async function isCutAfter(
  context: ServerContext,
  clientId: string,
  subject: string,
  version: number,
): Promise<boolean> {
  for (let next = version + 1; next <= version + MAX_PROBES; next++) {
    const record = await context.storage.get<LinkVersionRecord>(keys.linkVersion(clientId, subject, next))
    if (record === undefined) return false
    if (record.cut) return true
  }
  throw new Error('link version probe limit reached')
}

/**
 * Marks a version cut: called once the superseding code of that version was redeemed, so every
 * older grant of the link is revoked (SPEC R5.1).
 *
 * @example
 * ```ts
 * await cutVersion(context, code.clientId, code.subject, code.linkVersion)
 * ```
 * @group Authorization server
 */
export async function cutVersion(context: ServerContext, clientId: string, subject: string, version: number): Promise<void> {
  const key = keys.linkVersion(clientId, subject, version)
  // Only the holder of this version's code writes here (it took the code atomically), so this
  // read-then-write cannot lose a concurrent update. The scope stays: the next version's mint
  // compares with it.
  const existing = await context.storage.get<LinkVersionRecord>(key)
  if (existing?.cut === true) return // cut at minting already
  const record: LinkVersionRecord = existing?.scope === undefined ? { cut: true } : { cut: true, scope: existing.scope }
  await context.storage.set(key, record)
}

/**
 * Removes a link (SPEC R5.2, unlinking): every grant of the link and every code minted for it
 * so far stop working. A later code starts a new version and links again.
 *
 * @example
 * ```ts
 * await revokeLink(context, 'music', 'user-1')
 * ```
 * @see RFC 7009 (what the peer does with its side)
 * @group Authorization server
 */
export async function revokeLink(context: ServerContext, clientId: string, subject: string): Promise<void> {
  await allocateLinkVersion(context, clientId, subject, { kind: 'unlink' })
}
