/**
 * Shared fixtures of the client tests: a fake fetch that records requests and answers with
 * hand-made Responses (no network), a peer configuration, and the secrets a thrown error must
 * never contain.
 */
import { type PeerConfig, ReciprocalError } from 'reciprocal-oauth'
import { expect } from 'vitest'
import * as oauth from 'oauth4webapi'
import { expectNothingSecretIn } from '../helpers/reachable-strings.js'

export const CLIENT_ID = 'assistant'
export const CLIENT_SECRET = 'cs-Secret-4f9a2c7e1b'
export const CODE = 'rc-Code-8d1e5b3a9f'
export const ACCESS_TOKEN = 'at-Token-2b7c9e4d1a'
export const REFRESH_TOKEN = 'rt-Token-6e3f8a1c5d'
export const NEW_ACCESS_TOKEN = 'at-Fresh-1a2b3c4d5e'
export const NEW_REFRESH_TOKEN = 'rt-Fresh-9z8y7x6w5v'
export const VERIFIER = 'pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz'
export const STATE = 'state-7Hq2mV9xK3'
export const AUTH_CODE = 'initial-code-5Tq8wXz'

/** Every value a thrown error must not contain (SPEC R7.4, R8.4). */
export const SECRETS = [CLIENT_SECRET, CODE, ACCESS_TOKEN, REFRESH_TOKEN, NEW_ACCESS_TOKEN, NEW_REFRESH_TOKEN, VERIFIER, AUTH_CODE]

export const ISSUER = 'https://b.example'
export const TOKEN_ENDPOINT = 'https://b.example/oauth/token'

export interface RecordedRequest {
  readonly url: string
  readonly method: string
  readonly headers: Headers
  readonly body: URLSearchParams
  readonly redirect: RequestRedirect | undefined
  readonly signal: AbortSignal | undefined
}

type Answer = (request: RecordedRequest) => Response | Promise<Response>

/** A fetch that records each request and answers with `answer`. */
export function fakeFetch(answer: Answer): { fetch: typeof fetch; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = []
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = init?.body
    const recorded: RecordedRequest = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: body instanceof URLSearchParams ? body : new URLSearchParams(typeof body === 'string' ? body : ''),
      redirect: init?.redirect,
      signal: init?.signal ?? undefined,
    }
    requests.push(recorded)
    return answer(recorded)
  }
  return { fetch: fake as typeof fetch, requests }
}

/** A fetch that never answers: it rejects only when the request's signal aborts. */
export function hangingFetch(): typeof fetch {
  const fake = (_input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    new Promise((_resolve, reject) => {
      const signal = init?.signal
      if (!signal) return
      if (signal.aborted) reject(signal.reason)
      signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    })
  return fake as typeof fetch
}

/** A fetch whose connection fails, as undici's does (`TypeError: fetch failed`). */
export function failingFetch(): typeof fetch {
  const fake = async (): Promise<Response> => {
    throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:443') })
  }
  return fake as typeof fetch
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
}

export function tokenResponse(extra: Record<string, unknown> = {}): Response {
  return json({ access_token: NEW_ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600, ...extra })
}

export function peerConfig(overrides: Partial<PeerConfig> & Pick<PeerConfig, 'fetch'>): PeerConfig {
  return {
    as: {
      issuer: ISSUER,
      token_endpoint: TOKEN_ENDPOINT,
      authorization_endpoint: 'https://b.example/authorize',
      revocation_endpoint: 'https://b.example/oauth/revoke',
      introspection_endpoint: 'https://b.example/oauth/introspect',
    },
    client: { client_id: CLIENT_ID },
    clientAuth: oauth.ClientSecretBasic(CLIENT_SECRET),
    ...overrides,
  }
}

/** Decodes a Basic credentials header (RFC 6749 §2.3.1: form-encoded, then base64) to [id, secret]. */
export function decodeBasic(header: string | null | undefined): [string, string] | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '')
  if (!match?.[1]) return undefined
  const [id, secret] = atob(match[1]).split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')))
  return id === undefined || secret === undefined ? undefined : [id, secret]
}

/** Runs `action`, expects a ReciprocalError, checks it leaks no secret, and returns it. */
export async function expectReciprocalError(action: () => unknown): Promise<ReciprocalError> {
  let caught: unknown
  try {
    await action()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(ReciprocalError)
  const error = caught as ReciprocalError
  expectNoSecrets(error)
  return error
}

/** SPEC R8.4: no secret in the message, hint, JSON, string form, or any property down the cause chain. */
export function expectNoSecrets(error: ReciprocalError): void {
  const surfaces = [error.message, error.hint, JSON.stringify(error), String(error), JSON.stringify(error.cause ?? null), error.stack ?? '']
  for (const surface of surfaces) for (const secret of SECRETS) expect(surface).not.toContain(secret)
  expectNothingSecretIn(error, [...SECRETS, STATE])
}
