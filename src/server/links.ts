/**
 * Link versions (SPEC R5.1–R5.3): every (client, subject) pair — a link — has a monotonic
 * version. A superseding code takes a new version; when it is redeemed its version is "cut", and
 * every grant of an older version is revoked. Removing a link takes a new, already-cut version.
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
 * Claims the next version of a link, atomically: concurrent callers get distinct versions.
 * `cut: true` claims it already cut (unlinking).
 *
 * @example
 * ```ts
 * const version = await allocateLinkVersion(context, 'music', 'user-1', false) // 1
 * ```
 * @group Authorization server
 */
export async function allocateLinkVersion(
  context: ServerContext,
  clientId: string,
  subject: string,
  cut: boolean,
): Promise<number> {
  let version = await currentLinkVersion(context, clientId, subject)
  for (let attempts = 0; attempts < MAX_PROBES; attempts++) {
    version++
    const record: LinkVersionRecord = { cut }
    if (await context.storage.add(keys.linkVersion(clientId, subject, version), record)) {
      // Best effort: a concurrent writer may leave a lower hint; that only costs a probe later.
      await context.storage.set(keys.link(clientId, subject), { version } satisfies LinkHint)
      return version
    }
  }
  throw new Error('link version allocation limit reached')
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
  const record: LinkVersionRecord = { cut: true }
  await context.storage.set(keys.linkVersion(clientId, subject, version), record)
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
  await allocateLinkVersion(context, clientId, subject, true)
}
