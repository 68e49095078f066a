// What the many-instances test sends the instances over HTTP, straight to one instance's own
// origin (not through its party's front), and how it counts what they answered and observed.
import { expect } from 'vitest'
import type { InstanceHandle } from './fleet.js'

/** A token endpoint's answer, and which instance gave it. */
export interface Answer {
  readonly status: number
  readonly body: Record<string, unknown>
  readonly instance: string
}

/** POSTs a token request to `instance`'s own token endpoint (not through its front). */
export async function tokenRequest(instance: InstanceHandle, form: Record<string, string>, authorization: string): Promise<Answer> {
  const response = await fetch(`${instance.url}/token`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, instance: instance.name }
}

/** The status A's resource server (the real RFC 6750 check) gives B's `token` at `instance`. */
export async function announce(instance: InstanceHandle, token: string): Promise<number> {
  const response = await fetch(`${instance.url}/api/announce`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: 'Now playing' })
  await response.body?.cancel()
  return response.status
}

/** The status B's resource server gives A's `token` at `instance`. */
export async function nowPlaying(instance: InstanceHandle, token: string): Promise<number> {
  const response = await fetch(`${instance.url}/api/now-playing`, { headers: { authorization: `Bearer ${token}` } })
  await response.body?.cancel()
  return response.status
}

/** How often each event was observed by `instances` since they were last asked. */
export async function eventCounts(instances: readonly InstanceHandle[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const instance of instances) for (const type of await instance.call<string[]>('events')) counts[type] = (counts[type] ?? 0) + 1
  return counts
}

/** Answers, tallied as `status error` (`200` for a success): e.g. `{ '200': 1, '400 invalid_grant': 199 }`. */
export function tally(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const { status, body } of answers) {
    const key = status === 200 ? '200' : `${status} ${String(body['error'])}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

/** Every refusal is a well-formed OAuth error (RFC 6749 §5.2): 400, `invalid_grant`, a description, nothing else. */
export function expectWellFormedRefusals(answers: readonly Answer[]): void {
  for (const { body } of answers) {
    expect(Object.keys(body).sort()).toEqual(['error', 'error_description'])
    expect(body).toMatchObject({ error: 'invalid_grant', error_description: expect.any(String) })
  }
}

/** `count` requests at once, alternating between the two instances. */
export function race(count: number, instances: readonly [InstanceHandle, InstanceHandle], request: (instance: InstanceHandle) => Promise<Answer>): Promise<Answer[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => request(instances[i % 2] as InstanceHandle)))
}
