// A minimal cookie session store for the demo services: an opaque random id in an HttpOnly
// cookie, the data in memory (one store per service instance, never module state).

export interface Session<T> {
  readonly id: string
  readonly data: T
  /** The Set-Cookie header value that carries this session's id. */
  readonly cookie: string
}

export class Sessions<T extends object> {
  readonly #data = new Map<string, T>()
  constructor(readonly cookieName: string) {}

  /** The session of this request, if it has one. */
  read(request: Request): Session<T> | undefined {
    const id = this.#id(request)
    const data = id === undefined ? undefined : this.#data.get(id)
    return id === undefined || data === undefined ? undefined : { id, data, cookie: this.#cookie(id) }
  }

  /** The session of this request, or a new one holding `fresh`. */
  open(request: Request, fresh: T): Session<T> {
    return this.read(request) ?? this.create(fresh)
  }

  /** A new session (e.g. after logging in: never reuse an id from before). */
  create(data: T): Session<T> {
    const id = crypto.randomUUID()
    this.#data.set(id, data)
    return { id, data, cookie: this.#cookie(id) }
  }

  save(id: string, data: T): void {
    this.#data.set(id, data)
  }

  #cookie(id: string): string {
    return `${this.cookieName}=${id}; Path=/; HttpOnly; SameSite=Lax`
  }

  #id(request: Request): string | undefined {
    for (const part of (request.headers.get('cookie') ?? '').split(';')) {
      const [name, value] = part.trim().split('=')
      if (name === this.cookieName && value !== undefined && this.#data.has(value)) return value
    }
    return undefined
  }
}

/** A 303 redirect, optionally setting a cookie. */
export function seeOther(location: string, cookie?: string): Response {
  const headers = new Headers({ location })
  if (cookie !== undefined) headers.append('set-cookie', cookie)
  return new Response(null, { status: 303, headers })
}
