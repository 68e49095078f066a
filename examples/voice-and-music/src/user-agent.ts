// The demo's "user": a tiny browser made of fetch — a cookie jar per origin, redirects followed by
// hand so that each hop shows in the trace, and form posts.

export interface Page {
  readonly url: string
  readonly status: number
  readonly html: string
}

export class UserAgent {
  readonly #cookies = new Map<string, Map<string, string>>()
  constructor(private readonly fetch: typeof globalThis.fetch) {}

  get(url: string): Promise<Page> {
    return this.#go(url, { method: 'GET' })
  }

  /**
   * Submits a form: `fields` as application/x-www-form-urlencoded (repeatable names as arrays).
   * With `follow: false` the redirect it answers with is not followed.
   */
  post(url: string, fields: Record<string, string | readonly string[]>, options: { follow?: boolean } = {}): Promise<Page> {
    const body = new URLSearchParams()
    for (const [name, value] of Object.entries(fields)) for (const v of typeof value === 'string' ? [value] : value) body.append(name, v)
    return this.#go(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 0, options.follow ?? true)
  }

  async #go(url: string, init: RequestInit, hops = 0, follow = true): Promise<Page> {
    if (hops > 10) throw new Error('too many redirects')
    const target = new URL(url)
    const headers = new Headers(init.headers)
    const jar = this.#cookies.get(target.origin)
    if (jar && jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    const response = await this.fetch(target, { ...init, headers, redirect: 'manual' })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const [name, value] = (pair ?? '').split('=')
      if (name && value !== undefined) {
        const store = this.#cookies.get(target.origin) ?? new Map<string, string>()
        store.set(name.trim(), value.trim())
        this.#cookies.set(target.origin, store)
      }
    }
    const location = response.headers.get('location')
    if (follow && response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel()
      return this.#go(new URL(location, target).href, { method: 'GET' }, hops + 1)
    }
    return { url: target.href, status: response.status, html: await response.text() }
  }
}

/** The value of a hidden input in a page, e.g. the consent request id. */
export function hiddenValue(page: Page, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(page.html)?.[1]
}
