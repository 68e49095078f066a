// The demo's wire trace: every HTTP request the browser and the two services make, labelled with
// the draft's step (A–G), in the order they started, nested by who was waiting on whom. Values
// of codes, tokens, states and secrets are never printed.

export type Actor = 'browser' | 'assistant' | 'music'

export interface TraceEntry {
  readonly seq: number
  readonly depth: number
  readonly actor: Actor
  readonly target: string
  readonly method: string
  readonly path: string
  readonly step: string
  status?: number
  ms?: number
}

/** Query parameters whose values may be shown; every other value is replaced by `…`. */
const SHOWN = new Set(['response_type', 'client_id', 'scope', 'code_challenge_method', 'grant_type', 'reciprocal', 'error'])
const GRANT_RECIPROCAL = 'urn:ietf:params:oauth:grant-type:reciprocal'

export class Trace {
  readonly entries: TraceEntry[] = []
  readonly #open = new Set<TraceEntry>()
  #printed = 0

  #origins: Readonly<Record<string, string>> = {}

  /** Names the services' origins, so that each line says who was called. */
  setOrigins(origins: Readonly<Record<Exclude<Actor, 'browser'>, string>>): void {
    this.#origins = origins
  }

  /** A fetch that records every request `actor` makes. */
  wrap(actor: Actor, inner: typeof fetch = fetch): typeof fetch {
    return async (input, init) => {
      const request = new Request(input, init)
      const grantType = init?.body instanceof URLSearchParams ? init.body.get('grant_type') : await grantTypeOf(request)
      const url = new URL(request.url)
      // Nested under the open request this actor is serving (the one whose target it is).
      const parents = [...this.#open].filter((open) => open.target === actor)
      const entry: TraceEntry = {
        seq: this.entries.length,
        depth: Math.max(-1, ...parents.map((parent) => parent.depth)) + 1,
        actor,
        target: this.#who(url),
        method: request.method,
        path: redact(url),
        step: stepOf(actor, request.method, url.pathname, grantType),
      }
      this.entries.push(entry)
      this.#open.add(entry)
      const started = performance.now()
      try {
        const response = await inner(input, init)
        entry.status = response.status
        return response
      } finally {
        entry.ms = Math.round(performance.now() - started)
        this.#open.delete(entry)
      }
    }
  }

  /** The lines recorded since the last call. */
  flush(): string[] {
    const lines = this.entries.slice(this.#printed).map((e) => {
      const label = e.step === '' ? '' : `[${e.step}]`
      const arrow = `${e.actor} → ${e.target}`
      const status = e.status === undefined ? '(no answer)' : String(e.status)
      return `  ${label.padEnd(7)}${'  '.repeat(e.depth)}${arrow.padEnd(22)}${e.method.padEnd(5)}${e.path}  → ${status} ${e.ms ?? '?'} ms`
    })
    this.#printed = this.entries.length
    return lines
  }

  #who(url: URL): string {
    return Object.entries(this.#origins).find(([, origin]) => origin === url.origin)?.[0] ?? url.host
  }
}

function redact(url: URL): string {
  const params = [...url.searchParams.keys()].map((name) => `${name}=${SHOWN.has(name) ? url.searchParams.get(name) : '…'}`)
  return params.length === 0 ? url.pathname : `${url.pathname}?${params.join('&')}`
}

async function grantTypeOf(request: Request): Promise<string | null> {
  if (!(request.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded')) return null
  return new URLSearchParams(await request.clone().text()).get('grant_type')
}

/** Which of the draft's steps (A–G) a request is. */
function stepOf(actor: Actor, method: string, path: string, grantType: string | null): string {
  if (actor === 'browser' && method === 'GET' && path === '/authorize') return 'A'
  if (actor === 'browser' && method === 'POST' && path === '/authorize/decision') return 'B'
  if (actor === 'browser' && method === 'GET' && path === '/callback') return 'B'
  if (path === '/token') {
    if (grantType === GRANT_RECIPROCAL) return 'E'
    if (grantType === 'authorization_code') return actor === 'assistant' ? 'C-D' : 'F-G'
    if (grantType === 'refresh_token') return 'refresh'
  }
  if (path === '/revoke') return 'revoke'
  if (path.startsWith('/api/')) return 'API'
  return ''
}
