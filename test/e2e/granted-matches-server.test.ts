// A state never claims more than the authorization server would honour (SPEC R5.1, R7.6): after
// every path of the update flow, B's previous access token is live at A's resource server exactly
// when party A's state still names the previous grant in `granted`.
import { afterEach, describe, expect, it } from 'vitest'
import type { PartyAState } from '../../src/machines/party-a.js'
import { GRANT_TYPE_RECIPROCAL } from '../../src/protocol/constants.js'
import { linkAndConsent, startTwoServices, type TwoServices } from './two-services.js'

let services: TwoServices | undefined
afterEach(async () => {
  await services?.close()
  services = undefined
})

const READ = 'assistant.read'
const BOTH = 'assistant.announce assistant.read'

/** Where B fails: not at all, when A POSTs the minted code, or when A refreshes its token first. */
type Failure = 'none' | 'after-mint' | 'before-mint'

async function linked(initial: string) {
  services = await startTwoServices({ reciprocalInTokenResponse: BOTH })
  const s = services
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
    const retried = await s.partyA.retryDelivery(linkId)
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
})
