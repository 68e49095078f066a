// DurableObjectStorage and ReciprocalStorageObject: the object's alarm in workerd (nothing stays
// stored after it expired); in Node, with a fake namespace and a fake object state, where each
// operation goes, what the object refuses, the errors that come through, the alarm's schedule;
// and the types against Cloudflare's own. The contract suite in workerd is in
// durable-object-contract.test.ts.
import { MisuseCode } from 'reciprocal-oauth'
import { type DurableObjectNamespaceApi, type DurableObjectStateApi, DurableObjectStorage, ReciprocalStorageObject } from 'reciprocal-oauth/cloudflare'
import type { Miniflare } from 'miniflare'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { typecheckSnippets } from '../helpers/typecheck.js'
import { startWorkerd, storedInWorkerd, storageInWorkerd } from './workerd.js'

describe('ReciprocalStorageObject in workerd', () => {
  let worker: Miniflare
  beforeAll(async () => {
    worker = await startWorkerd()
  }, 60_000)
  afterAll(() => worker.dispose())

  it('an expired entry is removed by the object’s alarm, though nobody reads it again; an untimed one stays, with no alarm', async () => {
    const prefix = `alarm-${crypto.randomUUID()}:`
    const storage = storageInWorkerd(worker, prefix)
    await storage.set('timed', 'v', 1)
    await storage.set('untimed', 'v')
    const timed = await storedInWorkerd(worker, `${prefix}timed`)
    expect(timed).toEqual({ entries: { [`${prefix}timed`]: { json: '"v"', expiresAt: expect.any(Number) } }, alarm: timed.entries[`${prefix}timed`]?.expiresAt })
    await vi.waitFor(async () => expect(await storedInWorkerd(worker, `${prefix}timed`)).toEqual({ entries: {}, alarm: null }), { timeout: 15_000, interval: 250 })
    expect(await storedInWorkerd(worker, `${prefix}untimed`)).toEqual({ entries: { [`${prefix}untimed`]: { json: '"v"' } }, alarm: null })
  })
})

/** A Durable Object state over a Map, with its alarm. */
function fakeState(): DurableObjectStateApi & { alarm: number | null; entries: Map<string, unknown> } {
  const entries = new Map<string, unknown>()
  const state = {
    alarm: null as number | null,
    entries,
    storage: {
      get: async <T>(key: string) => structuredClone(entries.get(key)) as T | undefined,
      put: async <T>(key: string, value: T) => void entries.set(key, structuredClone(value)),
      delete: async (key: string) => entries.delete(key),
      list: async <T>() => new Map(entries) as Map<string, T>,
      getAlarm: async () => state.alarm,
      setAlarm: async (time: number) => void (state.alarm = time),
    },
  }
  return state
}

/** A namespace of objects over fake states, that records the name of each object reached. */
function fakeNamespace(names: string[] = []): DurableObjectNamespaceApi {
  const objects = new Map<string, ReciprocalStorageObject>()
  return {
    idFromName: (name) => (names.push(name), name),
    get: (id) => {
      const name = id as string
      const object = objects.get(name) ?? new ReciprocalStorageObject(fakeState())
      objects.set(name, object)
      return { fetch: (url, init) => object.fetch(new Request(url, init)) }
    },
  }
}

describe('DurableObjectStorage: where each operation goes', () => {
  it('every operation goes to the one object named after its prefixed key (Storage ops never span two keys)', async () => {
    const names: string[] = []
    const storage = new DurableObjectStorage(fakeNamespace(names), { prefix: 'music:' })
    await storage.set('code:a', { grant: 'g' }, 60)
    expect(await storage.add('code:a', 'refused')).toBe(false)
    expect(await storage.get('code:a')).toEqual({ grant: 'g' })
    expect(await storage.take('code:a')).toEqual({ grant: 'g' })
    await storage.delete('link:b')
    expect(names).toEqual(['music:code:a', 'music:code:a', 'music:code:a', 'music:code:a', 'music:link:b'])
  })

  it('refuses a TTL that is not a positive finite number before reaching any object', async () => {
    const names: string[] = []
    const storage = new DurableObjectStorage(fakeNamespace(names))
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(storage.set('k', 'v', ttl)).rejects.toMatchObject({ code: MisuseCode.InvalidValue })
      await expect(storage.add('k', 'v', ttl)).rejects.toMatchObject({ code: MisuseCode.InvalidValue })
    }
    expect(names).toEqual([])
  })

  it('an error reaching the object rejects the operation with that very error; an answer that is not 200, or not the answer, rejects too', async () => {
    const lost = new Error('Durable Object reset because its code was updated')
    const unreachable: DurableObjectNamespaceApi = { idFromName: (name) => name, get: () => ({ fetch: () => Promise.reject(lost) }) }
    const storage = new DurableObjectStorage(unreachable)
    for (const operation of [storage.get('k'), storage.set('k', 1, 60), storage.add('k', 1, 60), storage.delete('k'), storage.take('k')]) {
      await expect(operation).rejects.toBe(lost)
    }
    const wrongClass: DurableObjectNamespaceApi = { idFromName: (name) => name, get: () => ({ fetch: async () => new Response('not found', { status: 404 }) }) }
    await expect(new DurableObjectStorage(wrongClass).get('k')).rejects.toThrow(/answered 404: is the binding's class ReciprocalStorageObject\?/)
    const garbled = new DurableObjectStorage({ idFromName: (name) => name, get: () => ({ fetch: async () => Response.json({}) }) })
    await expect(garbled.get('k')).rejects.toThrow(/a read without `json`/)
    await expect(garbled.add('k', 1)).rejects.toThrow(/an add without `stored`/)
  })

  it('a prefix that is not a string is refused', () => {
    expect(() => new DurableObjectStorage(fakeNamespace(), { prefix: 1 as unknown as string })).toThrow(expect.objectContaining({ code: MisuseCode.InvalidType }))
  })
})

describe('ReciprocalStorageObject: what it accepts, and its alarm', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  const send = (object: ReciprocalStorageObject, body: unknown, method = 'POST') =>
    object.fetch(new Request('https://reciprocal-storage.invalid/', { method, ...(method === 'POST' ? { body: JSON.stringify(body) } : {}) }))

  it('answers 405 to anything but POST, and 400 to a body that is not one storage operation', async () => {
    const object = new ReciprocalStorageObject(fakeState())
    expect((await send(object, undefined, 'GET')).status).toBe(405)
    for (const body of [undefined, 'get', {}, { op: 'drop', key: 'k' }, { op: 'get' }, { op: 'get', key: 1 }, { op: 'set', key: 'k' }, { op: 'set', key: 'k', json: '1', ttlMs: 0 }, { op: 'set', key: 'k', json: '1', ttlMs: 1.5 }, { op: 'get', key: 'k', extra: 1 }]) {
      expect({ body, status: (await send(object, body)).status }).toEqual({ body, status: 400 })
    }
  })

  it('sets its alarm for the earliest expiry; the alarm removes what expired and sets itself for the next', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_700_000_000_000 })
    const state = fakeState()
    const object = new ReciprocalStorageObject(state)
    await send(object, { op: 'set', key: 'late', json: '1', ttlMs: 5_000 })
    await send(object, { op: 'set', key: 'soon', json: '2', ttlMs: 1_000 })
    await send(object, { op: 'set', key: 'never', json: '3' })
    expect(state.alarm).toBe(1_700_000_001_000)
    vi.setSystemTime(1_700_000_001_000)
    state.alarm = null // the runtime clears the alarm it runs
    await object.alarm()
    expect([...state.entries.keys()]).toEqual(['late', 'never'])
    expect(state.alarm).toBe(1_700_000_005_000)
    vi.setSystemTime(1_700_000_005_000)
    state.alarm = null
    await object.alarm()
    expect([...state.entries.keys()]).toEqual(['never'])
    expect(state.alarm).toBeNull()
  })
})

describe('the Cloudflare types', () => {
  it('a DurableObjectNamespace binding and a DurableObjectState of @cloudflare/workers-types fit; nothing else does', { timeout: 60_000 }, () => {
    const code = `
      import type { DurableObjectNamespace, DurableObjectState } from '@cloudflare/workers-types/index'
      import { DurableObjectStorage, ReciprocalStorageObject } from 'reciprocal-oauth/cloudflare'

      declare const namespace: DurableObjectNamespace
      declare const state: DurableObjectState
      export const storage = new DurableObjectStorage(namespace, { prefix: 'music:' })
      export const object = new ReciprocalStorageObject(state)
      export const swapped = new DurableObjectStorage(state)
    `
    const errors = typecheckSnippets([{ file: 'worker.ts', line: 1, code }])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^worker\.ts:\d+: Argument of type 'DurableObjectState<unknown>' is not assignable to parameter of type 'DurableObjectNamespaceApi'/)
  })
})
