// A state never claims more than the authorization server would honour (SPEC R5.1, R7.6): after
// every path of the update flow, B's previous access token is live at A's resource server exactly
// when party A's state still names the previous grant in `granted`.
import { createPartyA, type PartyA, type PartyAState } from 'reciprocal-oauth'
import { GRANT_TYPE_RECIPROCAL } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { linkAndConsent, type TwoServices, twoServicesPerTest } from './two-services.js'

const startServices = twoServicesPerTest()

const READ = 'assistant.read'
const BOTH = 'assistant.announce assistant.read'

/** Where B fails: not at all, when A POSTs the minted code, or when A refreshes its token first. */
type Failure = 'none' | 'after-mint' | 'before-mint'

async function linked(initial: string) {
  const s = await startServices({ reciprocalInTokenResponse: BOTH })
  const { linkId, state } = await linkAndConsent(s, initial)
  if (state.status !== 'reciprocal-granted') throw new Error(`linking failed: ${state.status}`)
  return { s, linkId, previous: { token: await s.partyB.accessToken('assistant', 'alice'), version: state.granted.version } }
}

/** Makes B's token endpoint answer 503 to one kind of request. */
function failAtB(s: TwoServices, failure: Failure): () => void {
  let failing = failure !== 'none'
  const grantType = failure === 'after-mint' ? GRANT_TYPE_RECIPROCAL : 'refresh_token'
  s.b.use(async (request) => {
    if (failing && new URL(request.url).pathname === '/token') {
      if (new URLSearchParams(await request.clone().text()).get('grant_type') === grantType) {
        return Response.json({ error: 'temporarily_unavailable' }, { status: 503 })
      }
    }
    return s.musicHandler(request)
  })
  // A's token at B now expires within the refresh margin (its token at A, issued at the same time, is still live).
  if (failure === 'before-mint') s.runtime.advance(3600 - 50)
  return () => {
    failing = false
  }
}

/** What the resource server accepts must match what the state claims. */
async function expectTruth(s: TwoServices, state: PartyAState, previous: { token: string; version: number }): Promise<void> {
  const claimed = 'granted' in state && state.granted?.version === previous.version
  const live = (await s.assistantAs.verifyAccessToken(previous.token)) !== undefined
  expect({ status: state.status, previousGrantLive: live }).toEqual({ status: state.status, previousGrantLive: claimed })
}

describe('SPEC R5.1, R7.6: party A\'s `granted` is what A\'s authorization server honours, on every update path', () => {
  const paths: Array<[string, string, string, Failure]> = [
    ['widen, delivered', READ, BOTH, 'none'],
    ['widen, B fails after the code was minted', READ, BOTH, 'after-mint'],
    ['widen, the refresh at B fails before the mint', READ, BOTH, 'before-mint'],
    ['narrow, delivered', BOTH, READ, 'none'],
    ['narrow, B fails after the code was minted', BOTH, READ, 'after-mint'],
    ['narrow, the refresh at B fails before the mint', BOTH, READ, 'before-mint'],
  ]

  it.each(paths)('%s — and after a retry', async (_name, initial, update, failure) => {
    const { s, linkId, previous } = await linked(initial)
    const recover = failAtB(s, failure)
    const updated = await s.partyA.updateReciprocalScope(linkId, update)
    expect(updated.status).toBe(failure === 'none' ? 'reciprocal-granted' : 'delivery-failed')
    await expectTruth(s, updated, previous)
    if (failure === 'none') return

    recover()
    const retried = await s.partyA.resume(linkId)
    expect(retried).toMatchObject({ status: 'reciprocal-granted', granted: { scope: update.split(' ').sort() } })
    await expectTruth(s, retried, previous)
  })

  it('widen fails after the mint, then a narrowing back to the first scope fails too: the first grant is cut', async () => {
    const { s, linkId, previous } = await linked(READ)
    failAtB(s, 'after-mint')
    await expectTruth(s, await s.partyA.updateReciprocalScope(linkId, BOTH), previous)
    // READ drops a scope of the undelivered BOTH code, so minting it revokes the READ grant.
    const back = await s.partyA.updateReciprocalScope(linkId, READ)
    expect(back).toMatchObject({ status: 'delivery-failed' })
    await expectTruth(s, back, previous)
  })

  /** Party A over the same storage, whose authorization server mints the code and then fails as `after` says. */
  function mintThen(s: TwoServices, after: () => Promise<void>): PartyA {
    const as = s.assistantAs
    let failing = true
    return createPartyA({
      ...s.partyAOptions,
      authorizationServer: {
        revokeLink: (clientId, subject) => as.revokeLink(clientId, subject),
        mintCode: async (input) => {
          const code = await as.mintCode(input)
          if (failing) {
            failing = false
            await after()
          }
          return code
        },
      },
    })
  }

  it.each([
    ['narrow', BOTH, READ],
    ['widen', READ, BOTH],
  ])('%s, the mint claims its version and then throws (a storage error): no claim beyond what survives, and after a retry', async (_name, initial, update) => {
    const { s, linkId, previous } = await linked(initial)
    const partyA = mintThen(s, () => Promise.reject(new Error('storage unavailable')))
    const updated = await partyA.updateReciprocalScope(linkId, update)
    expect(updated.status).toBe('delivery-failed')
    await expectTruth(s, updated, previous)
    const retried = await partyA.resume(linkId)
    expect(retried).toMatchObject({ status: 'reciprocal-granted', granted: { scope: update.split(' ').sort() } })
    await expectTruth(s, retried, previous)
  })

  it('widen, the mint throws after claiming its version, then narrowing back to the first scope fails: the first grant is cut', async () => {
    const { s, linkId, previous } = await linked(READ)
    const partyA = mintThen(s, () => Promise.reject(new Error('storage unavailable')))
    await expectTruth(s, await partyA.updateReciprocalScope(linkId, BOTH), previous)
    failAtB(s, 'after-mint')
    const back = await partyA.updateReciprocalScope(linkId, READ)
    expect(back).toMatchObject({ status: 'delivery-failed' })
    await expectTruth(s, back, previous)
  })

  it('narrow, the process dies right after the mint: the stored state claims nothing the server cut, and resuming delivers', async () => {
    const { s, linkId, previous } = await linked(BOTH)
    let minted: () => void = () => undefined
    const mintDone = new Promise<void>((resolve) => {
      minted = resolve
    })
    // The process that dies: once the code is minted, it never goes on.
    const dying = mintThen(s, () => {
      minted()
      return new Promise<void>(() => undefined)
    })
    void dying.updateReciprocalScope(linkId, READ)
    await mintDone
    const stored = await s.partyA.getLink(linkId)
    expect(stored).toMatchObject({ status: 'delivering', scope: [READ] })
    if (stored === undefined) throw new Error('no stored link')
    await expectTruth(s, stored, previous)

    // Its lease on the link lapses after three request timeouts (5 s) + 5 s; a new process resumes.
    s.runtime.advance(21)
    const resumed = await createPartyA(s.partyAOptions).resume(linkId)
    expect(resumed).toMatchObject({ status: 'reciprocal-granted', granted: { scope: [READ] } })
    await expectTruth(s, resumed, previous)
  })
})
