// SPEC R5.1, R5.2, R7.6: a grant created while a newer version of its link is being cut does not
// survive the cut, whatever the interleaving. A cut revokes the older grants it finds in the
// link's grant index; a grant whose index entry lands after that scan must be caught by its
// redeemer. The interleavings are forced with a storage wrapper that pauses one request at a
// chosen storage operation (requests are told apart by an AsyncLocalStorage label, as in
// replay-race.test.ts), so every run takes exactly the same path.
import { describe, expect, it } from 'vitest'
import { formPost, json } from './fixtures.js'
import { pausingHarness, type Op, type Tokens } from './pausing-harness.js'

type H = ReturnType<typeof pausingHarness>

/** The request that cuts a newer version, and where its cut is written (the pause point after it). */
interface Cutter {
  readonly name: string
  /** Prepares what the cut needs (before the race); returns the cutting request. */
  prepare(h: H): Promise<() => Promise<unknown>>
  /** The storage operation that writes the cut: the cutter is paused right after it. */
  readonly cutWrite: { readonly op: Op; readonly key: (key: string) => boolean }
}

const linkVersionKey = (key: string): boolean => key.startsWith('link-version:')
/** A slot of the link's grant index (not its hints). */
const indexSlot = (key: string): boolean => key.startsWith('link-grants:') && !key.endsWith(':hints')


const CUTTERS: readonly Cutter[] = [
  {
    name: 'an unlink',
    prepare: async (h) => () => h.server.revokeLink('music', 'user-1'),
    cutWrite: { op: 'add', key: linkVersionKey }, // claims the new, cut version
  },
  {
    name: 'a narrowing mint',
    prepare: async (h) => () => h.mint('assistant.read'),
    cutWrite: { op: 'add', key: linkVersionKey }, // claims the new version, cut since it narrows
  },
  {
    name: 'the redemption of a newer, widening code',
    prepare: async (h) => {
      const newer = await h.mint('assistant.announce assistant.read')
      return () => h.redeem(newer.code)
    },
    cutWrite: { op: 'set', key: (key) => key.startsWith('link-cut:') }, // marks the redeemed version cut
  },
]

/** Where the redeemer of the older code is paused while the cutter runs. */
const INTERLEAVINGS = [
  {
    name: 'the cutter runs entirely between the redeemer’s check and its writes',
    // The redeemer's first `add` appends its grant to the link's index; it has checked the code
    // and the link's versions by then, and written nothing of the grant.
    redeemerPause: { when: 'before', op: 'add', key: indexSlot },
    cutterPausedAfterCut: false,
  },
  {
    name: 'the cut is written before the redeemer writes, and revokes only after the redeemer answered',
    redeemerPause: { when: 'before', op: 'add', key: indexSlot },
    cutterPausedAfterCut: true,
  },
  {
    name: 'the redeemer wrote its grant, and the cutter runs entirely before the redeemer goes on',
    redeemerPause: { when: 'after', op: 'set', key: (key: string) => key.startsWith('grant:') },
    cutterPausedAfterCut: false,
  },
] as const

describe('SPEC R5.1, R5.2, R7.6: a grant created concurrently with a cut does not survive it', () => {
  for (const cutter of CUTTERS) {
    for (const interleaving of INTERLEAVINGS) {
      it(`SPEC R5.1: ${cutter.name} vs. redeeming an older plain code — ${interleaving.name}`, async () => {
        const h = pausingHarness()
        const existing = await h.tokens((await h.mint('assistant.announce assistant.read')).code)
        const older = await h.mint('assistant.announce assistant.read', false) // plain code of version 1
        const cut = await cutter.prepare(h)

        const { when, op, key } = interleaving.redeemerPause
        const redeemerPaused = h.pause('redeemer', when, op, 0, key)
        const redemption = h.as('redeemer', () => h.redeem(older.code))
        await redeemerPaused.reached

        const cutterPaused = interleaving.cutterPausedAfterCut ? h.pause('cutter', 'after', cutter.cutWrite.op, 0, cutter.cutWrite.key) : undefined
        const cutting = h.as('cutter', cut)
        if (cutterPaused === undefined) {
          await cutting
          redeemerPaused.release()
          await redemption
        } else {
          await cutterPaused.reached
          redeemerPaused.release()
          await redemption
          cutterPaused.release()
          await cutting
        }

        const result = await redemption
        if (result.status === 200) {
          // The response may go out (as for a replay), but its tokens must be dead.
          expect(await h.dead(json(result) as Tokens)).toBe(true)
        } else {
          expect(result.status).toBe(400)
          expect(json(result).error).toBe('invalid_grant')
        }
        expect(await h.dead(existing)).toBe(true)
        // Nothing older than the cut is left: the only grant record may be the cutter's own.
        const survivors = await h.liveGrantRecords()
        expect(survivors.length).toBeLessThanOrEqual(cutter.name.startsWith('the redemption') ? 1 : 0)
      })
    }
  }

  it('SPEC R5.3: a superseding code redeemed while a newer narrowing is minted does not keep its grant', async () => {
    const h = pausingHarness()
    const code = await h.mint('assistant.announce assistant.read') // version 1, the newest
    // Paused before its index append: it has passed the "no newer version" check.
    const redeemerPaused = h.pause('redeemer', 'before', 'add', 0, indexSlot)
    const redemption = h.as('redeemer', () => h.redeem(code.code))
    await redeemerPaused.reached
    const narrower = await h.as('cutter', () => h.mint('assistant.read')) // version 2, cut at mint
    redeemerPaused.release()
    const result = await redemption
    expect(json(result).error).toBe('invalid_grant')
    expect(await h.liveGrantRecords()).toEqual([])
    // The narrower code is the newest and redeems with the narrower scope.
    expect((await h.tokens(narrower.code)).scope).toBe('assistant.read')
  })
})

/** Where a refresh moving its grant's index entry (link-grants.ts) is paused while a cut runs. */
const MOVE_POINTS = [
  { name: 'after adding the new entry', op: 'add', key: indexSlot },
  { name: 'after rewriting the grant with the new slot', op: 'set', key: (key: string) => key.startsWith('grant:') },
  { name: 'after closing the old entry', op: 'set', key: indexSlot },
] as const

describe('SPEC R5.1, R5.2: a refresh moving its grant in the index while the link is cut does not keep the grant', () => {
  for (const cutter of CUTTERS) {
    for (const point of MOVE_POINTS) {
      it(`SPEC R5.1: ${cutter.name} runs while a refresh of an older grant is paused ${point.name}`, async () => {
        const h = pausingHarness()
        const existing = await h.tokens((await h.mint('assistant.announce assistant.read')).code)
        const cut = await cutter.prepare(h)

        const refresherPaused = h.pause('refresher', 'after', point.op, 0, point.key)
        const refreshing = h.as('refresher', () =>
          h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: existing.refresh_token })),
        )
        await refresherPaused.reached
        await h.as('cutter', cut)
        refresherPaused.release()
        const refreshed = await refreshing

        // Check the new tokens first: presenting the rotated refresh token again would be a
        // replay, and revoke the grant whatever the cut did.
        if (refreshed.status === 200) expect(await h.dead(json(refreshed) as Tokens)).toBe(true)
        else expect(json(refreshed).error).toBe('invalid_grant')
        expect(await h.server.verifyAccessToken(existing.access_token)).toBeUndefined()
        expect((await h.liveGrantRecords()).length).toBeLessThanOrEqual(cutter.name.startsWith('the redemption') ? 1 : 0)
      })
    }

    it(`SPEC R5.1: ${cutter.name} that read the old entry, then waits while a refresh moves it, still revokes the grant`, async () => {
      const h = pausingHarness()
      const existing = await h.tokens((await h.mint('assistant.announce assistant.read')).code)
      const cut = await cutter.prepare(h)

      // The cutter's first read of an index slot is the grant's entry (the one live grant).
      const cutterPaused = h.pause('cutter', 'after', 'get', 0, indexSlot)
      const cutting = h.as('cutter', cut)
      await cutterPaused.reached
      const refreshed = await h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: existing.refresh_token }))
      expect(refreshed.status).toBe(200)
      cutterPaused.release()
      await cutting

      expect(await h.dead(json(refreshed) as Tokens)).toBe(true)
      expect((await h.liveGrantRecords()).length).toBeLessThanOrEqual(cutter.name.startsWith('the redemption') ? 1 : 0)
    })
  }
})

describe('SPEC R5.1–R5.3: hints overwritten by a racing writer do not hide anything once older records end', () => {
  it('SPEC R5.2: three concurrent redemptions whose first index hint is written last: after one grant ends, an unlink still revokes the others', async () => {
    const h = pausingHarness()
    const codes = await Promise.all([1, 2, 3].map(async () => h.mint('assistant.read', false)))
    // The first redemption claims its index slot, then waits before writing the index hints
    // until the other two have claimed the slots above it and written theirs.
    const firstPaused = h.pause('first', 'before', 'set', 0, (key) => key.endsWith(':hints'))
    const first = h.as('first', () => h.tokens(codes[0]!.code))
    await firstPaused.reached
    const second = await h.tokens(codes[1]!.code)
    const third = await h.tokens(codes[2]!.code)
    firstPaused.release()
    await first

    // The second grant ends (its slot is closed, and a closed slot is gone an hour later): a
    // `next` hint left just above the first slot would now stop an index scan right there.
    await h.server.revokeGrant((await h.server.verifyAccessToken(second.access_token))!.grantId)
    h.clock.advance(3601)
    await h.server.revokeLink('music', 'user-1')
    expect(await h.dead(third)).toBe(true)
  })

  it('SPEC R5.3: three concurrent superseding mints whose first hint is written last: once the older versions end, numbering goes on above the newest', async () => {
    const h = pausingHarness()
    const firstPaused = h.pause('first', 'before', 'set', 0, (key) => key === 'link:music:user-1')
    const first = h.as('first', () => h.mint('assistant.announce assistant.read'))
    await firstPaused.reached
    await h.mint('assistant.announce assistant.read') // version 2
    const third = await h.mint('assistant.announce assistant.read') // version 3
    firstPaused.release()
    expect((await first).version).toBe(1)
    const grant = await h.tokens(third.code)

    // Versions 1 and 2 end an hour after the longest code lifetime; the grant of version 3 lives.
    h.clock.advance(600 + 3600 + 1)
    const narrower = await h.mint('assistant.read')
    expect(narrower.version).toBe(4)
    expect(await h.dead(grant)).toBe(true) // the narrowing compared with version 3 and cut it
  })
})
