/**
 * Link versions in storage (SPEC R5.1–R5.3). The rules — what a claim writes (the narrowing
 * cut), which check a code needs before its redemption, when a redemption cuts — are pure, in
 * `rules/link-versions.ts`; this module reads and writes what they need, atomically where it
 * matters.
 *
 * Cutting a version revokes the older grants eagerly, through the link's grant index
 * (`link-grants.ts`): first the cut is written, then the index is scanned. A redeemer does the
 * mirror image — writes its grant and index entry, then checks for a newer cut — so of a cut and
 * a concurrently created older grant, one always sees the other. A token check then needs no
 * look at the versions at all: a grant is live while its record exists (`grants.ts`). Versions
 * are read only when a code is minted or redeemed, or a grant refreshed.
 *
 * Why keys per version instead of one mutable record: the {@link Storage} port offers `add`
 * (atomic insert) but no compare-and-swap, and a read-modify-write of one record would let two
 * concurrent updates lose one another (an older grant surviving, or two codes sharing a version).
 * Versions are claimed with `add`, so each number goes to exactly one caller, and a version
 * record never changes once added. A version cut when its code is redeemed gets a key of its own
 * for the cut (`link-cut:…`), written only by the one holder of that code (taken atomically) and
 * only ever `true`. Nothing here can regress. Each version is claimed right above the newest one,
 * so the versions of a link are always consecutive.
 *
 * **Lifetimes.** Nothing lives forever, yet nothing a live grant or code depends on may expire:
 *
 * - The newest version, its cut and the hint must outlive every grant and code of the link.
 *   Otherwise numbering would restart below a live grant (a later cut would not reach it), and a
 *   narrowing mint would find no previous scope to compare with, so a removed scope would survive
 *   (SPEC R7.6). They are written with the link's lifetime (`rules/lifetimes.ts`: the grant lifetime
 *   plus an hour) when the version is claimed, and written again — immutable records, so with
 *   no race against a cut — whenever a plain code is minted or a grant refreshed
 *   ({@link keepLinkAlive}). A redemption needs no such write: its code was minted (and the link
 *   kept alive) at most the longest code lifetime before, and the hour of margin covers that.
 * - An older version is read only by codes minted before the next version was claimed — a plain
 *   code's redemption checks the versions above its own for a cut — so when version n+1 is
 *   claimed, version n (and its cut) is written again with the longest code lifetime plus an
 *   hour. A refresh racing that claim may write version n again with the long lifetime: that
 *   only keeps a record longer than needed.
 * - The hint must not fall behind the versions that still exist: {@link currentLinkVersion}
 *   gallops up from it, which needs every version between the hint and the newest. Writes of the
 *   hint race without compare-and-swap, so each writer reads, after writing, the version above
 *   the one it wrote; if that exists, a concurrent claim's hint may have been overwritten, and
 *   it writes again. Versions do not expire within a request, so when the last writer is done
 *   the hint names the newest version.
 *
 * @module
 */
import {
  claimedVersionRecord,
  cutsAtRedemption,
  isVersionCut,
  mustFinishPreviousCut,
  newerCutProbe,
  type LinkCheck,
  type LinkVersionClaim,
} from '../rules/link-versions.js'
import type { CodeRecord } from '../rules/records.js'
import type { ServerContext } from './options.js'
import { keys, type LinkHint, type LinkVersionRecord } from './records.js'
import { revokeLinkGrantsBelow } from './link-grants.js'
import { linkTtlSeconds, SUPERSEDED_VERSION_TTL_SECONDS } from '../rules/lifetimes.js'

/**
 * The link's newest version (0 for a link never versioned). Versions are consecutive, so a
 * galloping search upward from the hint, then a bisection, finds the newest in a few reads
 * however far the hint lags (two reads with an up-to-date hint) — no probe limit, nothing to throw.
 *
 * @example
 * ```ts
 * await currentLinkVersion(context, 'music', 'user-1') // 0
 * ```
 * @group Authorization server
 */
export async function currentLinkVersion(context: ServerContext, clientId: string, subject: string): Promise<number> {
  const exists = async (version: number): Promise<boolean> =>
    (await context.storage.get<LinkVersionRecord>(keys.linkVersion(clientId, subject, version))) !== undefined
  // `low` exists (the hint names a version already claimed, or is 0); `high` is probed.
  let low = (await context.storage.get<LinkHint>(keys.link(clientId, subject)))?.version ?? 0
  let step = 1
  let high = low + step
  while (await exists(high)) {
    low = high
    step *= 2
    high = low + step
  }
  // Concurrent claims only add versions above `low`, so a bisection between a version seen and
  // one seen missing still returns a version that was the newest at some point of this call.
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2)
    if (await exists(middle)) low = middle
    else high = middle
  }
  return low
}

/**
 * Resolves the link's newest version, after writing it, its cut and the hint again with the
 * link's whole lifetime: call it whenever something of the link is created or extended that
 * depends on them — a plain code minted, a grant refreshed (see the module comment).
 *
 * @example
 * ```ts
 * const linkVersion = await keepLinkAlive(context, 'music', 'user-1')
 * ```
 * @group Authorization server
 */
export async function keepLinkAlive(context: ServerContext, clientId: string, subject: string): Promise<number> {
  const version = await currentLinkVersion(context, clientId, subject)
  if (version === 0) return 0
  const record = await context.storage.get<LinkVersionRecord>(keys.linkVersion(clientId, subject, version))
  // Only when the link outlived everything that depended on it: nothing left to keep.
  if (record === undefined) return version
  await rewriteVersion(context, clientId, subject, version, record, linkTtlSeconds(context))
  await writeHint(context, clientId, subject, version)
  return version
}

export type { LinkVersionClaim } from '../rules/link-versions.js'

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
  // No attempt limit: each failed add is a version another caller claimed meanwhile, so this
  // loop fails at most once per concurrent claim — it cannot spin while nobody else progresses.
  for (;;) {
    // Read again on every attempt: when another caller took `version + 1` first, its record is
    // the previous one now. A record never changes once added, so this read is stable.
    const previous = await context.storage.get<LinkVersionRecord>(keys.linkVersion(clientId, subject, version))
    const previousCut = previous !== undefined && (await isCut(context, clientId, subject, version, previous))
    const record = claimedVersionRecord(claim, previous)
    // The previous version's cut may not have finished revoking its older grants (a crash or a
    // storage error between writing the cut and scanning the index; its caller saw the error).
    // Finish it before claiming above it, so a retried mint cannot leave them live. A cut of our
    // own covers it: it revokes everything below our version.
    if (mustFinishPreviousCut(previousCut, record)) await revokeLinkGrantsBelow(context, clientId, subject, version)
    version++
    if (await context.storage.add(keys.linkVersion(clientId, subject, version), record, linkTtlSeconds(context))) {
      await writeHint(context, clientId, subject, version)
      // From now on only codes minted before this claim read the previous version.
      if (previous !== undefined) await rewriteVersion(context, clientId, subject, version - 1, previous, SUPERSEDED_VERSION_TTL_SECONDS, previousCut)
      if (record.cut === true) await revokeLinkGrantsBelow(context, clientId, subject, version)
      if (record.cut === true && claim.kind === 'supersede') context.emit({ type: 'grant-cut', clientId, subject, version })
      return version
    }
  }
}

/** Whether a version is cut: claimed cut, or cut since, when its code was redeemed. */
async function isCut(context: ServerContext, clientId: string, subject: string, version: number, record: LinkVersionRecord): Promise<boolean> {
  // The cut key is read only when the record does not say it already.
  return isVersionCut(record, record.cut !== true && (await context.storage.get(keys.linkCut(clientId, subject, version))) !== undefined)
}

/**
 * Writes a version's record, and its cut key if it has one, again with `ttlSeconds`. The record
 * never changes and the cut key is only ever `true`, so this cannot undo a concurrent write.
 * `cut` is whether the version is cut, when the caller already read it.
 */
async function rewriteVersion(
  context: ServerContext,
  clientId: string,
  subject: string,
  version: number,
  record: LinkVersionRecord,
  ttlSeconds: number,
  cut?: boolean,
): Promise<void> {
  await context.storage.set(keys.linkVersion(clientId, subject, version), record, ttlSeconds)
  const cutSince = record.cut !== true && (cut ?? (await isCut(context, clientId, subject, version, record)))
  if (cutSince) await context.storage.set(keys.linkCut(clientId, subject, version), true, ttlSeconds)
}

/**
 * Writes the hint, then makes sure it does not lag: if the version above the one written exists,
 * a concurrent claim may have written its hint before ours, which ours just overwrote — find the
 * newest and write again (see the module comment).
 */
async function writeHint(context: ServerContext, clientId: string, subject: string, version: number): Promise<void> {
  for (let newest = version; ; ) {
    await context.storage.set(keys.link(clientId, subject), { version: newest } satisfies LinkHint, linkTtlSeconds(context))
    if ((await context.storage.get(keys.linkVersion(clientId, subject, newest + 1))) === undefined) return
    newest = await currentLinkVersion(context, clientId, subject)
  }
}

/**
 * Runs the link check a code needs before its redemption (`rules/link-versions.ts`): whether a
 * newer version exists (a superseding code), or a newer version is cut (a plain code). `true`
 * means the code was superseded and must not be redeemed (SPEC R5.3).
 *
 * @example
 * ```ts
 * await isSuperseded(context, 'music', 'user-1', { kind: 'newer-version', version: 3 }) // false for the newest code
 * ```
 * @group Authorization server
 */
export async function isSuperseded(context: ServerContext, clientId: string, subject: string, check: LinkCheck): Promise<boolean> {
  if (check.kind === 'newer-cut') return isCutAfter(context, clientId, subject, check.version)
  return (await context.storage.get<LinkVersionRecord>(keys.linkVersion(clientId, subject, check.version + 1))) !== undefined
}

/**
 * Whether any version newer than `version` is cut: a plain code of `version` must then not be
 * redeemed, and a grant of `version` just created must be revoked again. Usually one read: the
 * next version does not exist. Only redemptions call it; token checks never do.
 *
 * It reads at most `MAX_CUT_PROBES` (10,000) versions (`rules/link-versions.ts`). Past that it answers `true` without looking
 * further — failing closed rather than throwing (a 500 on the token endpoint) or reading on
 * without bound: the caller refuses the code with `invalid_grant`, or revokes the grant it just
 * created. That takes more than 10,000 superseding codes of the link minted while one code was
 * valid (600 s at most), and a refused client can always be sent the newest code.
 *
 * @example
 * ```ts
 * if (await isCutAfter(context, codeRecord.clientId, codeRecord.subject, codeRecord.linkVersion)) return refuse()
 * ```
 * @group Authorization server
 */
export async function isCutAfter(
  context: ServerContext,
  clientId: string,
  subject: string,
  version: number,
): Promise<boolean> {
  for (let next = version + 1, probes = 1; ; next++, probes++) {
    const record = await context.storage.get<LinkVersionRecord>(keys.linkVersion(clientId, subject, next))
    const step = newerCutProbe(record, record !== undefined && (await isCut(context, clientId, subject, next, record)), probes)
    if (step !== 'next') return step === 'cut'
  }
}

/**
 * Marks a code's version cut once the code was redeemed, if the code supersedes, then revokes
 * every older grant of the link (SPEC R5.1). The cut is written before the grant index
 * is read (see the module comment for why that order matters).
 *
 * @example
 * ```ts
 * await cutVersion(context, codeRecord)
 * ```
 * @group Authorization server
 */
export async function cutVersion(context: ServerContext, code: CodeRecord): Promise<void> {
  if (!code.supersede) return
  const { clientId, subject, linkVersion: version } = code
  const record = await context.storage.get<LinkVersionRecord>(keys.linkVersion(clientId, subject, version))
  // Not when cut at minting already: that mint revoked the older grants (its code was stored only after).
  if (!cutsAtRedemption(code, record)) return
  // Only the holder of this version's code writes here (it took the code atomically). Its
  // lifetime is the version's as the newest; if a newer version is claimed meanwhile, this key
  // merely lives longer than needed.
  await context.storage.set(keys.linkCut(clientId, subject, version), true, linkTtlSeconds(context))
  // If this scan fails midway, the next version's claim finishes it (allocateLinkVersion).
  await revokeLinkGrantsBelow(context, clientId, subject, version)
  // The link's first version has nothing below it to cut.
  if (version > 1) context.emit({ type: 'grant-cut', clientId, subject, version })
}

/**
 * Removes a link (SPEC R5.2, unlinking): every grant of the link and every code minted for it
 * so far stop working. A later code starts a new version and links again. The unlink takes a
 * new, cut version, which revokes every grant below it — that is, every grant that existed when
 * this was called.
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
  context.emit({ type: 'link-revoked', clientId, subject })
}
