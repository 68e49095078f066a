// SPEC R5.1–R5.3, R7.6: a grant family's versions as pure decisions — plain values in, decisions
// out, no storage. The last block plays whole update flows on a model of the link made of plain
// arrays, asking the rules at each step as the server does.
import { claimedVersionRecord, cutsAtRedemption, isVersionCut, linkCheckFor, type LinkVersionClaim, type LinkVersionRecord, mustFinishPreviousCut } from 'reciprocal-oauth/machines'
import { describe, expect, it } from 'vitest'
import { MAX_CUT_PROBES, newerCutProbe } from '../../src/rules/link-versions.js'
import { cutScanStep, firstSlotToTry, raiseLow } from '../../src/rules/grant-index.js'
import type { LinkGrantSlot } from '../../src/rules/records.js'

describe('SPEC R5.1, R5.2, R7.6: claiming a version', () => {
  it('SPEC R5.1: a superseding code that only adds scope claims an uncut version (the old grant works until redemption)', () => {
    expect(claimedVersionRecord({ kind: 'supersede', scope: 'a b' }, { scope: 'a' })).toEqual({ scope: 'a b' })
    expect(claimedVersionRecord({ kind: 'supersede', scope: 'a' }, { scope: 'a' })).toEqual({ scope: 'a' })
  })

  it('SPEC R5.1, R7.6: a superseding code that drops a scope claims its version cut: the older grants die at mint', () => {
    expect(claimedVersionRecord({ kind: 'supersede', scope: 'a' }, { scope: 'a b' })).toEqual({ cut: true, scope: 'a' })
    expect(claimedVersionRecord({ kind: 'supersede', scope: 'c' }, { cut: true, scope: 'a' })).toEqual({ cut: true, scope: 'c' })
  })

  it('SPEC R5.1: the first version, or one above an unlink (no scope), needs no cut', () => {
    expect(claimedVersionRecord({ kind: 'supersede', scope: 'a' }, undefined)).toEqual({ scope: 'a' })
    expect(claimedVersionRecord({ kind: 'supersede', scope: 'a' }, { cut: true })).toEqual({ scope: 'a' })
  })

  it('SPEC R5.2: unlinking claims a cut version without scope, whatever came before', () => {
    expect(claimedVersionRecord({ kind: 'unlink' }, undefined)).toEqual({ cut: true })
    expect(claimedVersionRecord({ kind: 'unlink' }, { scope: 'a' })).toEqual({ cut: true })
  })

  it('SPEC R5.1: a claim finishes the previous cut unless it is cut itself (a crash between a cut and its scan)', () => {
    expect(mustFinishPreviousCut(true, { scope: 'a' })).toBe(true)
    expect(mustFinishPreviousCut(true, { cut: true, scope: 'a' })).toBe(false)
    expect(mustFinishPreviousCut(false, { scope: 'a' })).toBe(false)
  })

  it('SPEC R5.1: a version is cut when claimed cut, or marked cut at its redemption', () => {
    expect(isVersionCut({ cut: true }, false)).toBe(true)
    expect(isVersionCut({ scope: 'a' }, true)).toBe(true)
    expect(isVersionCut({ scope: 'a' }, false)).toBe(false)
  })
})

describe('SPEC R5.3: which codes a newer version beats', () => {
  it('SPEC R5.3: a superseding code loses to any newer version; a plain code only to a newer cut one', () => {
    expect(linkCheckFor({ supersede: true, linkVersion: 2 })).toEqual({ kind: 'newer-version', version: 2 })
    expect(linkCheckFor({ supersede: false, linkVersion: 2 })).toEqual({ kind: 'newer-cut', version: 2 })
  })

  it('SPEC R5.1: redeeming a superseding code cuts its version, unless its mint already did', () => {
    expect(cutsAtRedemption({ supersede: true }, { scope: 'a' })).toBe(true)
    expect(cutsAtRedemption({ supersede: true }, { cut: true, scope: 'a' })).toBe(false)
    expect(cutsAtRedemption({ supersede: false }, undefined)).toBe(false)
  })

  it('SPEC R5.3: the newer-cut check stops at the newest version, at the first cut, and fails closed after its probe limit', () => {
    expect(newerCutProbe(undefined, false, 1)).toBe('not-cut')
    expect(newerCutProbe({ scope: 'a' }, true, 1)).toBe('cut')
    expect(newerCutProbe({ cut: true }, true, 1)).toBe('cut')
    expect(newerCutProbe({ scope: 'a' }, false, MAX_CUT_PROBES - 1)).toBe('next')
    expect(newerCutProbe({ scope: 'a' }, false, MAX_CUT_PROBES)).toBe('cut')
    expect(newerCutProbe(undefined, false, MAX_CUT_PROBES)).toBe('not-cut')
  })
})

describe('SPEC R5.1: the grant index scan of a cut', () => {
  it('SPEC R5.1: an older grant is revoked, a grant of the cut version or newer kept, closed slots passed', () => {
    const at = { slot: 2, version: 3, next: 6, low: 2 }
    expect(cutScanStep({ grantId: 'old', linkVersion: 2 }, at)).toEqual({ action: 'revoke', effect: { type: 'revoke-grant', grantId: 'old' } })
    expect(cutScanStep({ grantId: 'new', linkVersion: 3 }, at)).toEqual({ action: 'keep' })
    expect(cutScanStep({ closed: true }, at)).toEqual({ action: 'pass' })
  })

  it('SPEC R5.1: a free slot ends the scan at or above next; below it, only the bottom one is closed', () => {
    expect(cutScanStep(undefined, { slot: 6, version: 3, next: 6, low: 2 })).toEqual({ action: 'end' })
    expect(cutScanStep(undefined, { slot: 2, version: 3, next: 6, low: 2 })).toEqual({ action: 'close-free' })
    expect(cutScanStep(undefined, { slot: 4, version: 3, next: 6, low: 2 })).toEqual({ action: 'skip' })
  })

  it('SPEC R5.1: the low-water mark passes only the closed run at the bottom; an append starts above it and above a moved entry', () => {
    expect(raiseLow(2, 2)).toBe(3)
    expect(raiseLow(2, 4)).toBe(2)
    expect(firstSlotToTry({ next: 3, low: 5 })).toBe(5)
    expect(firstSlotToTry({ next: 6, low: 2 }, 8)).toBe(9)
  })
})

/** A link as plain arrays: its versions (with their cut marks) and its grant index. */
class LinkModel {
  readonly versions: { record: LinkVersionRecord; cutMarked: boolean }[] = []
  readonly slots: LinkGrantSlot[] = []
  readonly revoked = new Set<string>()

  claim(claim: LinkVersionClaim): number {
    const record = claimedVersionRecord(claim, this.versions.at(-1)?.record)
    this.versions.push({ record, cutMarked: false })
    const version = this.versions.length
    if (record.cut === true) this.cut(version)
    return version
  }

  /** The server's redemption: link check, cut at redemption, index entry; true when the grant is created. */
  redeem(code: { supersede: boolean; linkVersion: number }, grantId: string): boolean {
    const check = linkCheckFor(code)
    if (check.kind === 'newer-version' ? this.versions.length > check.version : this.newerCut(check.version)) return false
    const version = this.versions[code.linkVersion - 1]
    if (cutsAtRedemption(code, version?.record)) {
      version!.cutMarked = true
      this.cut(code.linkVersion)
    }
    this.slots.push({ grantId, linkVersion: code.linkVersion })
    return true
  }

  live(grantId: string): boolean {
    return this.slots.some((slot) => 'grantId' in slot && slot.grantId === grantId) && !this.revoked.has(grantId)
  }

  private newerCut(version: number): boolean {
    for (let next = version + 1, probes = 1; ; next++, probes++) {
      const found = this.versions[next - 1]
      const step = newerCutProbe(found?.record, found !== undefined && isVersionCut(found.record, found.cutMarked), probes)
      if (step !== 'next') return step === 'cut'
    }
  }

  private cut(version: number): void {
    let low = 0
    for (let slot = 0; ; slot++) {
      const step = cutScanStep(this.slots[slot], { slot, version, next: this.slots.length, low })
      if (step.action === 'end') return
      if (step.action === 'revoke') {
        this.revoked.add(step.effect.grantId)
        this.slots[slot] = { closed: true }
      }
      if (step.action !== 'keep' && step.action !== 'skip') low = raiseLow(low, slot)
    }
  }
}

describe('SPEC R5.1–R5.3, R7.6: update flows played on the pure rules', () => {
  it('SPEC R5.1: widening — the old grant lives until the new code is redeemed, then dies', () => {
    const link = new LinkModel()
    expect(link.redeem({ supersede: true, linkVersion: link.claim({ kind: 'supersede', scope: 'a' }) }, 'g1')).toBe(true)
    const v2 = link.claim({ kind: 'supersede', scope: 'a b' })
    expect(link.live('g1')).toBe(true)
    expect(link.redeem({ supersede: true, linkVersion: v2 }, 'g2')).toBe(true)
    expect([link.live('g1'), link.live('g2')]).toEqual([false, true])
  })

  it('SPEC R5.1, R7.6, adversarial: narrowing kills the wider grant at mint, and its stale code then loses (SPEC R5.3)', () => {
    const link = new LinkModel()
    const v1 = link.claim({ kind: 'supersede', scope: 'a b' })
    link.claim({ kind: 'supersede', scope: 'a' })
    // The client never redeemed v1 in time; it comes late, after the narrowing.
    expect(link.redeem({ supersede: true, linkVersion: v1 }, 'late')).toBe(false)
    expect(link.live('late')).toBe(false)
  })

  it('SPEC R5.1, R7.6: narrowing after a redemption revokes that grant before the client redeems anything', () => {
    const link = new LinkModel()
    link.redeem({ supersede: true, linkVersion: link.claim({ kind: 'supersede', scope: 'a b' }) }, 'wide')
    link.claim({ kind: 'supersede', scope: 'a' })
    expect(link.live('wide')).toBe(false)
  })

  it('SPEC R5.2: unlinking revokes every grant, and a plain code of the old version then loses', () => {
    const link = new LinkModel()
    const v1 = link.claim({ kind: 'supersede', scope: 'a' })
    link.redeem({ supersede: true, linkVersion: v1 }, 'g1')
    link.redeem({ supersede: false, linkVersion: v1 }, 'plain')
    link.claim({ kind: 'unlink' })
    expect([link.live('g1'), link.live('plain')]).toEqual([false, false])
    expect(link.redeem({ supersede: false, linkVersion: v1 }, 'late-plain')).toBe(false)
  })

  it('SPEC R5.3: a plain code survives a newer uncut version, but not its redemption', () => {
    const link = new LinkModel()
    const v1 = link.claim({ kind: 'supersede', scope: 'a' })
    const v2 = link.claim({ kind: 'supersede', scope: 'a b' })
    expect(link.redeem({ supersede: false, linkVersion: v1 }, 'plain')).toBe(true)
    expect(link.redeem({ supersede: true, linkVersion: v2 }, 'g2')).toBe(true)
    expect(link.live('plain')).toBe(false)
    expect(link.redeem({ supersede: false, linkVersion: v1 }, 'plain-late')).toBe(false)
  })
})
