// Test helper: plays a user through oidc-provider's development login and consent pages.
import { UserAgent } from '../../examples/voice-and-music/src/user-agent.js'

/**
 * Follows an authorization URL at oidc-provider, submitting each form as a person would (its
 * hidden fields, plus `login` and a password), until the redirect reaches `callbackPrefix`.
 * Resolves the URL it stopped at.
 */
export async function loginAtOidcProvider(url: URL, callbackPrefix: string, login = 'alice'): Promise<string> {
  const browser = new UserAgent(fetch)
  let page = await browser.get(url.href)
  for (let i = 0; i < 4 && !page.url.startsWith(callbackPrefix); i++) {
    const action = /<form[^>]*action="([^"]+)"/.exec(page.html)?.[1]
    if (action === undefined) throw new Error(`no form on ${page.url}: ${page.status}`)
    const fields: Record<string, string> = {}
    for (const input of page.html.matchAll(/<input[^>]*name="([^"]+)"[^>]*>/g)) fields[input[1] ?? ''] = /value="([^"]*)"/.exec(input[0])?.[1] ?? ''
    if ('login' in fields) Object.assign(fields, { login, password: 'any' })
    page = await browser.post(new URL(action, page.url).href, fields)
  }
  return page.url
}
