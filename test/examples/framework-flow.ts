// The whole flow (draft steps A–G, both APIs, the SDK's own refusals, unlinking at both sides)
// driven over real HTTP through an integration example's two apps: the routes of
// examples/<framework>, the parties of examples/shared/parties.ts.
import { expect } from 'vitest'
import { RECIPROCAL_SCOPE, createAssistant, createMusic, type Assistant, type Music, type Origins, type PartyOptions } from '../../examples/shared/parties.js'

export const SECRETS: PartyOptions['secrets'] = { assistantAtMusic: 'assistant-secret-for-tests', musicAtAssistant: 'music-secret-for-tests' }

/** Both parties' SDK objects for these origins, as an example's host builds them. */
export function parties(origins: Origins, options: Omit<PartyOptions, 'origins' | 'secrets'> = {}): { assistant: Assistant; music: Music } {
  const shared = { origins, secrets: SECRETS, ...options }
  return { assistant: createAssistant(shared), music: createMusic(shared) }
}

const manual = { redirect: 'manual' } as const
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/**
 * Drives the flow through the two served apps. `send` makes the browser's and the test's requests
 * (default: the global fetch, over loopback); the parties call each other with their own fetch.
 */
export async function driveWholeFlow(origins: Origins, { assistant, music }: { assistant: Assistant; music: Music }, send: typeof fetch = fetch): Promise<void> {
  const linkId = await linkBothWays(origins, send)
  await expect.poll(async () => (await music.partyB.getLink('assistant', 'alice'))?.status).toBe('linked')

  // Each side calls the other's API: the bearer check is mounted on both.
  const assistantToken = await assistant.partyA.accessToken(linkId)
  const nowPlaying = await send(`${origins.music}/api/now-playing`, { headers: bearer(assistantToken) })
  expect(await nowPlaying.json()).toEqual({ title: 'So What', for: 'alice' })
  const shared = await send(`${origins.music}/share`, { method: 'POST' })
  expect(await shared.json()).toEqual({ status: 200 })
  const musicToken = await music.partyB.accessToken('assistant', 'alice')
  const noToken = await send(`${origins.assistant}/api/announce`, { method: 'POST', body: 'hello' })
  expect(noToken.status).toBe(401)
  expect(noToken.headers.get('www-authenticate')).toMatch(/^Bearer/)

  // Unlink at A: A revokes its own grant, then its token at B's revocation endpoint (RFC 7009).
  const unlinkedA = await assistant.partyA.unlink(linkId)
  expect(unlinkedA).toMatchObject({ status: 'unlinked', outbox: [] })
  expect((await send(`${origins.music}/api/now-playing`, { headers: bearer(assistantToken) })).status).toBe(401)
  expect((await send(`${origins.assistant}/api/announce`, { method: 'POST', headers: bearer(musicToken), body: 'hello' })).status).toBe(401)
  // Unlink at B: its revocation at A's endpoint is confirmed, so nothing is left to do.
  expect(await music.partyB.unlink('assistant', 'alice')).toMatchObject({ status: 'unlinked', outbox: [] })
}

/**
 * Steps A–G through the apps' routes with nothing but HTTP, and the SDK's own refusals at both
 * token endpoints; resolves A's link id. B may still be redeeming (deferred redemption).
 */
export async function linkBothWays(origins: Origins, send: typeof fetch = fetch): Promise<string> {
  // Step A: the assistant sends the user to the music service's authorization endpoint.
  const start = await send(`${origins.assistant}/link`, manual)
  expect(start.status).toBe(303)
  const authorize = start.headers.get('location') ?? ''
  expect(authorize.startsWith(`${origins.music}/authorize?`)).toBe(true)

  // Step B: the music service answers with a code, back to the assistant's callback.
  const approved = await send(authorize, manual)
  expect(approved.status).toBe(303)
  const callback = approved.headers.get('location') ?? ''
  expect(callback.startsWith(`${origins.assistant}/callback?`)).toBe(true)

  // Steps C–D: the assistant exchanges the code; the token response asks for access back.
  const linked = await send(callback)
  expect(linked.status).toBe(200)
  const { linkId, status, offered } = (await linked.json()) as { linkId: string; status: string; offered: string[] }
  expect({ status, offered }).toEqual({ status: 'awaiting-consent', offered: [RECIPROCAL_SCOPE] })

  // Steps E–G: one consent click; A POSTs a code to B's token endpoint, B redeems it at A's.
  const consent = await send(`${origins.assistant}/consent`, { method: 'POST', body: new URLSearchParams({ link: linkId, scope: RECIPROCAL_SCOPE }) })
  expect(consent.status).toBe(200)
  expect(await consent.json()).toEqual({ status: 'reciprocal-granted' })

  // The SDK, not the framework, answers what its endpoints refuse (RFC 6749 §5.2): no body parser in between.
  for (const origin of [origins.assistant, origins.music]) {
    const wrongMethod = await send(`${origin}/token`)
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('POST')
    const json = await send(`${origin}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":"authorization_code"}' })
    expect(json.status).toBe(400)
    expect(await json.json()).toMatchObject({ error: 'invalid_request' })
    const tooLarge = await send(`${origin}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=${'x'.repeat(70_000)}` })
    expect(tooLarge.status).toBe(400)
  }

  return linkId
}
