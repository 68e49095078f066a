/**
 * A grant family's versions (SPEC R5.1–R5.3). Every (client, subject) pair — a link — has a
 * monotonic version. A superseding code claims the next version; a plain code lives under the
 * newest one. Cutting a version revokes every grant of an older version.
 *
 * ```
 * version n ─superseding code that only adds scope→ n+1 (cut when its code is redeemed)
 *           ─superseding code that drops a scope→ n+1, cut at once (a removal is immediate, SPEC R7.6)
 *           ─unlink→ n+1, cut at once, no scope (SPEC R5.2)
 * ```
 *
 * A code of version n may be redeemed only while nothing newer wins over it: a superseding code
 * while no version above n exists, a plain code while no version above n is cut
 * ({@link linkCheckFor}). Storage (`server/links.ts`) claims versions atomically and reads the
 * facts these rules need; the rules decide.
 *
 * @module
 */
import { isScopeSubset, parseScope } from '../protocol/scope.js'
import type { CodeRecord, LinkVersionRecord } from './records.js'

/**
 * Why a new link version is claimed: a superseding code of `scope` (RFC 6749 §3.3 string), or
 * unlinking.
 *
 * @example
 * ```ts
 * const claim: LinkVersionClaim = { kind: 'supersede', scope: 'assistant.read' }
 * ```
 * @group Rules
 */
export type LinkVersionClaim = { readonly kind: 'supersede'; readonly scope: string } | { readonly kind: 'unlink' }

/**
 * The record a claim writes above `previous` (the newest version's record, if any). Unlinking
 * claims a cut version; so does a superseding code whose scope drops any scope of the previous
 * version — the narrowing cut: the older, wider grants die when the code is minted, not when
 * (or if) the client redeems it (SPEC R5.1, R7.6). A code that only adds scopes claims an uncut
 * version, so the client keeps working until it redeems it.
 *
 * Comparing with the previous version alone suffices, by induction: the live grants of a link
 * belong to its newest cut version and the versions after it, each taken uncut, so each one's
 * scope contains the one before; every live grant from a superseding code is within the newest
 * version's scope.
 *
 * @example
 * ```ts
 * claimedVersionRecord({ kind: 'supersede', scope: 'a' }, { scope: 'a b' }) // { cut: true, scope: 'a' }
 * claimedVersionRecord({ kind: 'supersede', scope: 'a b' }, { scope: 'a' }) // { scope: 'a b' }
 * claimedVersionRecord({ kind: 'unlink' }, { scope: 'a' }) // { cut: true }
 * ```
 * @see SPEC R5.1, R5.2, R7.6
 * @group Rules
 */
export function claimedVersionRecord(claim: LinkVersionClaim, previous: LinkVersionRecord | undefined): LinkVersionRecord {
  if (claim.kind === 'unlink') return { cut: true }
  return narrows(claim.scope, previous) ? { cut: true, scope: claim.scope } : { scope: claim.scope }
}

/**
 * Whether a version is cut: claimed cut (a narrowing code, an unlink), or marked cut since, when
 * its superseding code was redeemed (`cutMarked`, a separate record, so the version record
 * never changes).
 *
 * @example
 * ```ts
 * isVersionCut({ scope: 'a' }, false) // false
 * isVersionCut({ scope: 'a' }, true) // true
 * ```
 * @see SPEC R5.1, R5.3
 * @group Rules
 */
export function isVersionCut(record: LinkVersionRecord, cutMarked: boolean): boolean {
  return record.cut === true || cutMarked
}

/**
 * Whether a claim must first finish the previous version's cut: that cut may not have finished
 * revoking its older grants (a crash or storage error between the cut and its scan). A claim
 * that is itself cut covers it, since it revokes everything below it.
 *
 * @example
 * ```ts
 * mustFinishPreviousCut(true, { scope: 'a b' }) // true
 * mustFinishPreviousCut(true, { cut: true }) // false
 * ```
 * @see SPEC R5.1, R5.3
 * @group Rules
 */
export function mustFinishPreviousCut(previousCut: boolean, claimed: LinkVersionRecord): boolean {
  return previousCut && claimed.cut !== true
}

/**
 * What must be checked of the link before a code of `version` is redeemed (SPEC R5.3):
 * `newer-version` — a superseding code loses to any newer version (a newer code, an unlink);
 * `newer-cut` — a plain code loses only to a newer version that is cut.
 *
 * @example
 * ```ts
 * const check: LinkCheck = { kind: 'newer-version', version: 3 }
 * ```
 * @group Rules
 */
export type LinkCheck = { readonly kind: 'newer-version' | 'newer-cut'; readonly version: number }

/**
 * The link check a code needs before its redemption (see {@link LinkCheck}).
 *
 * @example
 * ```ts
 * linkCheckFor({ supersede: true, linkVersion: 3 }) // { kind: 'newer-version', version: 3 }
 * linkCheckFor({ supersede: false, linkVersion: 3 }) // { kind: 'newer-cut', version: 3 }
 * ```
 * @see SPEC R5.3
 * @group Rules
 */
export function linkCheckFor(code: Pick<CodeRecord, 'supersede' | 'linkVersion'>): LinkCheck {
  return { kind: code.supersede ? 'newer-version' : 'newer-cut', version: code.linkVersion }
}

/**
 * Whether redeeming a code cuts its version (SPEC R5.1): a superseding code does, unless its
 * version was claimed cut already (a narrowing code: that mint revoked the older grants).
 *
 * @example
 * ```ts
 * cutsAtRedemption({ supersede: true }, { scope: 'a b' }) // true
 * cutsAtRedemption({ supersede: true }, { cut: true, scope: 'a' }) // false
 * cutsAtRedemption({ supersede: false }, { scope: 'a' }) // false
 * ```
 * @group Rules
 */
export function cutsAtRedemption(code: Pick<CodeRecord, 'supersede'>, version: LinkVersionRecord | undefined): boolean {
  return code.supersede && version?.cut !== true
}

/**
 * How many versions above a code's a `newer-cut` check reads before it answers "cut" without
 * looking further: failing closed rather than reading without bound. It takes that many
 * superseding codes minted within one code's lifetime (600 s at most) to get there.
 *
 * @example
 * ```ts
 * MAX_CUT_PROBES // 10000: the 10,000th newer version not cut either, and the check answers 'cut'
 * ```
 * @group Rules
 */
export const MAX_CUT_PROBES = 10_000

/**
 * One step of a `newer-cut` check, reading upward from the code's version: the version probed
 * (`undefined`: none, the newest was passed) and whether it is cut. `probes` counts the versions
 * read so far, this one included.
 *
 * @example
 * ```ts
 * newerCutProbe(undefined, false, 1) // 'not-cut'
 * newerCutProbe({ scope: 'a' }, true, 1) // 'cut'
 * newerCutProbe({ scope: 'a' }, false, 1) // 'next'
 * newerCutProbe({ scope: 'a' }, false, MAX_CUT_PROBES) // 'cut': fail closed
 * ```
 * @group Rules
 */
export function newerCutProbe(record: LinkVersionRecord | undefined, cut: boolean, probes: number): 'cut' | 'not-cut' | 'next' {
  if (record === undefined) return 'not-cut'
  if (cut) return 'cut'
  return probes >= MAX_CUT_PROBES ? 'cut' : 'next'
}

/**
 * Whether `scope` drops a scope of the previous version. No previous version, or one without a
 * scope (taken by unlinking, which already revoked everything older), needs no cut.
 */
function narrows(scope: string, previous: LinkVersionRecord | undefined): boolean {
  if (previous?.scope === undefined) return false
  return !isScopeSubset(parseScope(previous.scope) ?? [], parseScope(scope) ?? [])
}
