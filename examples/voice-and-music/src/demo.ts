// The headless demo: plays the user with plain HTTP through the whole flow, prints the wire
// trace step by step, and checks every outcome. Resolves the process exit code.
import { ReciprocalError, type SerializedError } from 'reciprocal-oauth'
import { DEMO_PASSWORD, startServices, type StartOptions } from './services.js'
import { Trace } from './trace.js'
import { UserAgent, hiddenValue, type Page } from './user-agent.js'

/** A failed expectation: the step it belongs to, and the typed error when a state carries one. */
class DemoFailure extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly error?: SerializedError,
  ) {
    super(message)
  }
}

function check(condition: boolean, step: string, message: string, state?: unknown): asserts condition {
  if (condition) return
  const error = typeof state === 'object' && state !== null && 'error' in state ? (state.error as SerializedError) : undefined
  throw new DemoFailure(step, message, error)
}

export interface DemoOptions {
  /** Wraps each service's outbound fetch under the trace: tests inject faults with it. */
  readonly wrapFetch?: StartOptions['wrapFetch']
}

export async function runHeadlessDemo(print: (line: string) => void = console.log, options: DemoOptions = {}): Promise<number> {
  const started = performance.now()
  const trace = new Trace()
  const inject = options.wrapFetch ?? ((_actor, inner) => inner)
  const services = await startServices({ wrapFetch: (actor, inner) => trace.wrap(actor, inject(actor, inner)) })
  const A = services.assistantOrigin
  const B = services.musicOrigin
  trace.setOrigins({ assistant: A, music: B })
  const browser = new UserAgent(trace.wrap('browser'))
  const section = (title: string): void => print(`\n${title}`)
  const show = (): void => trace.flush().forEach((line) => print(line))

  print('Reciprocal OAuth demo: a voice assistant (party A) and a music service (party B), user alice')
  print(`  assistant ${A}    music service ${B}`)
  try {
    section('1. Link the music service: one ordinary OAuth flow (draft steps A–D)')
    const home = await browser.get(`${A}/`)
    check(home.html.includes('id="link"'), 'home', 'the assistant home page has no link button')
    const login = await browser.post(`${A}/link`, {})
    check(login.url.startsWith(`${B}/login`), 'A', 'the authorization request did not reach the music service', login)
    const next = new URL(login.url).searchParams.get('next') ?? '/'
    const consentAtB = await browser.post(`${B}/login`, { next, username: 'alice', password: DEMO_PASSWORD })
    const requestId = hiddenValue(consentAtB, 'request')
    check(requestId !== undefined, 'A', 'the music service did not show its consent page')
    const consentAtA = await browser.post(`${B}/authorize/decision`, { request: requestId, decision: 'approve' })
    show()
    const asked = await services.assistant.currentLink()
    check(asked?.status === 'awaiting-consent', 'C-D', 'the assistant is not asking for the reciprocal consent', asked)
    check(consentAtA.html.includes('name="scope"'), 'consent', 'the assistant did not show its consent page')
    print(`  → the music service's token response asked for reciprocal="${asked.requested.join(' ')}"`)

    section('2. One consent click at the assistant, no redirect (draft steps E–G)')
    await browser.post(`${A}/consent`, { decision: 'allow', scope: asked.requested }, { follow: false })
    show()
    const granted = await services.assistant.currentLink()
    check(granted?.status === 'reciprocal-granted', 'E', 'the reciprocal code was not delivered', granted)
    const atB = await services.music.partyB.getLink('assistant', 'alice')
    check(atB?.status === 'linked', 'F-G', 'the music service did not redeem the code', atB)
    print(`  → linked both ways; the music service holds ${atB.tokens.scope ?? '?'} at the assistant`)

    section('3. Each side calls the other with the token it got')
    const linked = await browser.get(`${A}/`)
    show()
    checkPage(linked, { display: true, announce: true })
    print('  → assistant → music: now playing "So What";  music → assistant: display ✓ announce ✓')

    section('4. "Stop announcing songs", by voice: a new code, the old grant revoked (draft §3)')
    await browser.post(`${A}/voice`, { utterance: 'Stop announcing songs' }, { follow: false })
    show()
    const updated = await services.assistant.currentLink()
    check(updated?.status === 'reciprocal-granted', 'E', 'the update flow did not complete', updated)
    check(!updated.granted.scope.includes('assistant.announce'), 'E', 'the announce scope is still granted')

    section('5. Proof: the removed scope is refused now')
    const updatedPage = await browser.get(`${A}/`)
    show()
    checkPage(updatedPage, { display: true, announce: false })
    print('  → music → assistant: display ✓  announce ✗ (403 insufficient_scope)')

    const seconds = ((performance.now() - started) / 1000).toFixed(2)
    print(`\nOK: linked both ways with one OAuth flow and one consent click, then updated by voice — ${trace.entries.length} HTTP requests in ${seconds} s.`)
    return 0
  } catch (err) {
    show()
    if (err instanceof DemoFailure) {
      print(`\nFAILED at step ${err.step}: ${err.message}`)
      if (err.error) print(`  ${err.error.code} in step "${err.error.step}": ${err.error.message}\n  hint: ${err.error.hint}`)
    } else if (err instanceof ReciprocalError) {
      print(`\nFAILED in step "${err.step}": ${err.code}: ${err.message}\n  hint: ${err.hint}`)
    } else {
      print(`\nFAILED: ${err instanceof Error ? err.message : String(err)}`)
    }
    return 1
  } finally {
    await services.close()
  }
}

/** The assistant's status page shows each side's API call: print its trace, check the outcome. */
function checkPage(page: Page, expected: { readonly display: boolean; readonly announce: boolean }): void {
  check(page.status === 200 && page.html.includes('id="now-playing">So What'), 'API', 'the assistant could not read now-playing with its token')
  for (const [scope, allowed] of [['display', expected.display], ['announce', expected.announce]] as const) {
    const row = new RegExp(`id="assistant-${scope}">[^]*?</li>`).exec(page.html)?.[0] ?? ''
    check(row.includes(allowed ? 'class="ok"' : 'class="no"'), 'API', `the music service's ${scope} call was ${allowed ? 'refused' : 'allowed'}`)
  }
}
