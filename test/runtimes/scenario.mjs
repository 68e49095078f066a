// The portable scenario every runtime runs (test/runtimes/run.mjs): both parties in one process
// (bench/footprint/two-parties-in-process.mjs: in-memory storage, requests handed in process
// through an injected `fetch`), bundled once from the built package (dist/). Web standards only,
// so the same bundle runs on Node, Deno, Bun, workerd and in a browser page.
//
// It exports `runScenario()` for the runtimes that import a module, and a module worker's `fetch`
// for workerd, which runs it per request (randomness is not allowed at a worker's top level).
import { twoPartiesInProcess } from '../../bench/footprint/two-parties-in-process.mjs'

/** Throws with `message` unless `condition` holds: the scenario has no test framework to lean on. */
function check(condition, message) {
  if (!condition) throw new Error(`scenario: ${message}`)
}

/**
 * Links a user (draft steps A–G, SPEC R1–R4), widens the reciprocal grant (SPEC R5.1), then
 * unlinks (SPEC R5.2), checking at each stage that each side's token is what its issuer accepts.
 * Resolves the steps that passed; rejects at the first that does not.
 */
export async function runScenario() {
  const { partyA, partyB, assistantAs, musicAs, link } = twoPartiesInProcess()
  const steps = []

  const linkId = await link('alice-at-assistant', 'alice', 'assistant.read')
  const atB = await musicAs.verifyAccessToken(await partyA.accessToken(linkId))
  check(atB?.clientId === 'assistant' && atB.subject === 'alice' && atB.scope === 'music.play music.read', `A's token at B: ${JSON.stringify(atB)}`)
  const atA = await assistantAs.verifyAccessToken(await partyB.accessToken('assistant', 'alice'))
  check(atA?.clientId === 'music' && atA.subject === 'alice-at-assistant' && atA.scope === 'assistant.read', `B's token at A: ${JSON.stringify(atA)}`)
  steps.push('flow A–G')

  const widened = await partyA.updateReciprocalScope(linkId, 'assistant.read assistant.announce')
  check(widened.status === 'reciprocal-granted' && widened.granted.version === 2, `after the update: ${widened.status}`)
  const wider = await assistantAs.verifyAccessToken(await partyB.accessToken('assistant', 'alice'))
  check(wider?.scope.split(' ').sort().join(' ') === 'assistant.announce assistant.read', `B's token after the update: ${JSON.stringify(wider)}`)
  steps.push('update')

  const tokenAtA = await partyB.accessToken('assistant', 'alice')
  const unlinked = await partyA.unlink(linkId)
  check(unlinked.status === 'unlinked', `after unlink: ${unlinked.status}`)
  check((await assistantAs.verifyAccessToken(tokenAtA)) === undefined, "B's token still accepted after unlink")
  steps.push('unlink')
  return steps
}

/** workerd's entry: runs the scenario and answers its steps, or the error, as JSON. */
export default {
  async fetch() {
    try {
      return Response.json({ steps: await runScenario() })
    } catch (error) {
      return Response.json({ error: String(error?.stack ?? error) }, { status: 500 })
    }
  },
}
