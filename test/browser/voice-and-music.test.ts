// The two-service demo in a real browser (Chromium driven by playwright-core; which Chromium:
// test/helpers/browser.ts): the user links the voice assistant to the music service by clicking
// through the pages both services render, and the final page proves that each service called the
// other's API with its own token.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEMO_PASSWORD, startServices, type RunningServices } from '../../examples/voice-and-music/src/services.js'
import { findBrowser } from '../helpers/browser.js'

const SCREENSHOTS = fileURLToPath(new URL('../../test-output/browser/', import.meta.url))
const TIMEOUT = 60_000

const browser = await findBrowser()
if ('missing' in browser) console.log(`Skipping the browser tests: ${browser.missing}`)
else console.log(`Browser tests drive ${browser.executablePath} (${browser.source}); screenshots go to test-output/browser/`)

describe.skipIf('missing' in browser)('the voice-and-music demo in a real browser', () => {
  let profile: string | undefined
  let context: BrowserContext | undefined
  let services: RunningServices | undefined
  let page: Page | undefined

  beforeAll(async () => {
    // A fresh user data dir per run: no cookies, cache or settings from anywhere else.
    profile = mkdtempSync(join(tmpdir(), 'reciprocal-oauth-chromium-'))
    if ('missing' in browser) throw new Error(browser.missing)
    context = await chromium.launchPersistentContext(profile, { executablePath: browser.executablePath, headless: true, args: [...browser.args] })
    context.setDefaultTimeout(TIMEOUT / 2)
    mkdirSync(SCREENSHOTS, { recursive: true })
  }, TIMEOUT)

  afterAll(async () => {
    await context?.close()
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true })
  }, TIMEOUT)

  beforeEach(async () => {
    // Both services bind 127.0.0.1, and cookies ignore ports: forget the previous test's session.
    await context?.clearCookies()
    services = await startServices({ portAssistant: 0, portMusic: 0 })
  })

  afterEach(async () => {
    await page?.close()
    page = undefined
    await services?.close()
    services = undefined
  })

  async function open(): Promise<{ s: RunningServices; p: Page }> {
    if (context === undefined || services === undefined) throw new Error('the browser or the services did not start')
    page = await context.newPage()
    return { s: services, p: page }
  }

  /** Clicks a button that submits a form and waits for the page the redirects end on. */
  async function submit(p: Page, selector: string, origin: string, pathname: string): Promise<void> {
    await Promise.all([p.waitForEvent('load'), p.click(selector)])
    const url = new URL(p.url())
    expect(`${url.origin}${url.pathname}`).toBe(`${origin}${pathname}`)
  }

  async function text(p: Page, selector: string): Promise<string> {
    return ((await p.locator(selector).textContent()) ?? '').trim()
  }

  /** Draft steps A–D: link from the assistant, log in and approve at the music service. */
  async function linkToMusic(s: RunningServices, p: Page): Promise<void> {
    await p.goto(`${s.assistantOrigin}/`)
    expect(await text(p, '#link')).toBe('Link your music service')
    await submit(p, '#link', s.musicOrigin, '/login')
    expect(await p.inputValue('input[name=username]')).toBe('alice')
    await p.fill('input[name=password]', DEMO_PASSWORD)
    await submit(p, '#login', s.musicOrigin, '/authorize')
    expect(await text(p, 'h1')).toBe('Link Voice assistant?')
    await submit(p, '#approve', s.assistantOrigin, '/consent')
    expect(await text(p, 'h1')).toBe('Let Music service show what is playing on your assistant?')
    const boxes = p.locator('input[name=scope]')
    expect(await boxes.count()).toBe(2)
    for (const scope of ['assistant.display', 'assistant.announce']) {
      expect(await p.isChecked(`input[name=scope][value="${scope}"]`)).toBe(true)
    }
  }

  async function screenshot(p: Page, name: string): Promise<void> {
    const path = join(SCREENSHOTS, name)
    await p.screenshot({ path, fullPage: true })
    console.log(`screenshot: ${path}`)
  }

  it('links both ways with one scope unticked', async () => {
    const { s, p } = await open()
    await linkToMusic(s, p)
    await p.uncheck('input[name=scope][value="assistant.announce"]')
    await submit(p, '#allow', s.assistantOrigin, '/')

    expect(await text(p, 'h1')).toBe('Linked both ways')
    // Assistant → music: the assistant read the music API with its token from the initial flow.
    expect(await text(p, '#now-playing')).toBe('So What')
    // Music → assistant: only what the user ticked was granted, and the music service's token shows it.
    expect(await text(p, '#granted')).toBe('assistant.display')
    expect(await text(p, '#assistant-display')).toContain('allowed')
    expect(await text(p, '#assistant-announce')).toContain('refused')
    expect(await text(p, '#assistant-announce')).toContain('403 insufficient_scope')
    await screenshot(p, 'linked-both-ways.png')

    expect(await s.music.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'linked', tokens: { scope: 'assistant.display' } })
  }, TIMEOUT)

  it('refusing the reciprocal consent', async () => {
    const { s, p } = await open()
    await linkToMusic(s, p)
    await submit(p, '#refuse', s.assistantOrigin, '/')

    expect(await text(p, 'h1')).toBe('Linked one way')
    expect(await text(p, '#granted')).toContain('You did not give the music service access')
    // The one-way link still works.
    expect(await text(p, '#now-playing')).toBe('So What')
    expect(await text(p, '#assistant-display')).toContain('not linked')
    expect(await text(p, '#assistant-announce')).toContain('not linked')
    expect(await p.locator('#say').count()).toBe(0)
    await screenshot(p, 'reciprocal-refused.png')

    // Nothing reached the music service: it holds no link to the assistant.
    expect(await s.music.partyB.getLink('assistant', 'alice')).toBeUndefined()
  }, TIMEOUT)

  it('grants both scopes, then "Stop announcing songs" by voice takes one back', async () => {
    const { s, p } = await open()
    await linkToMusic(s, p)
    await submit(p, '#allow', s.assistantOrigin, '/')
    expect((await text(p, '#granted')).split(' ').sort()).toEqual(['assistant.announce', 'assistant.display'])
    expect(await text(p, '#assistant-display')).toContain('allowed')
    expect(await text(p, '#assistant-announce')).toContain('allowed')

    await p.fill('input[name=utterance]', 'Stop announcing songs')
    await submit(p, '#say', s.assistantOrigin, '/')

    expect(await text(p, '#granted')).toBe('assistant.display')
    expect(await text(p, '#assistant-display')).toContain('allowed')
    expect(await text(p, '#assistant-announce')).toContain('refused')
    expect(await s.music.partyB.getLink('assistant', 'alice')).toMatchObject({ status: 'linked', tokens: { scope: 'assistant.display' } })
  }, TIMEOUT)

  it('a failed delivery is shown with its typed error, and "Send a new code" completes the link', async () => {
    // The music service's token endpoint is down for the first delivery: its reciprocal POST and
    // the two retries the SDK makes of a 503 by default (PeerTransport.retry).
    await services?.close()
    let failures = 3
    services = await startServices({
      portAssistant: 0,
      portMusic: 0,
      wrapFetch: (actor, inner) =>
        actor === 'assistant'
          ? async (input, init) => {
              const reciprocal = init?.body instanceof URLSearchParams && init.body.get('grant_type')?.includes('reciprocal')
              if (reciprocal && failures-- > 0) return Response.json({ error: 'server_error' }, { status: 503 })
              return inner(input, init)
            }
          : inner,
    })
    const { s, p } = await open()
    await linkToMusic(s, p)
    await submit(p, '#allow', s.assistantOrigin, '/')
    expect(await text(p, 'h1')).toBe('Linked one way')
    expect(await text(p, '#granted')).toContain('ERR_PEER_UNAVAILABLE')
    await screenshot(p, 'delivery-failed.png')

    await submit(p, '#retry', s.assistantOrigin, '/')
    expect(await text(p, 'h1')).toBe('Linked both ways')
    expect(await text(p, '#assistant-display')).toContain('allowed')
  }, TIMEOUT)
})
