// The test worker (workerd-worker.ts) in workerd: bundled with the SDK's source by esbuild (the
// package's entries resolve through test/tsconfig.json's paths), run by miniflare with the
// storage object bound as STORAGE (the worker's InspectableStorageObject: ReciprocalStorageObject
// with a door that shows what it holds).
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import type { JsonValue, Storage } from 'reciprocal-oauth'
import type { StorageCall, StorageResult } from './workerd-worker.js'

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url))

/** A worker's script: `entry` bundled as an ES module for workerd, the package resolved to its source. */
export async function bundleForWorkerd(entry: string): Promise<string> {
  const bundle = await build({ entryPoints: [entry], tsconfig: here('../tsconfig.json'), bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false })
  return bundle.outputFiles[0]?.text ?? ''
}

/** Starts the test worker in workerd; `dispose()` the result when done. */
export async function startWorkerd(): Promise<Miniflare> {
  const script = await bundleForWorkerd(here('./workerd-worker.ts'))
  const worker = new Miniflare({ modules: true, script, compatibilityDate: '2025-09-01', durableObjects: { STORAGE: 'InspectableStorageObject' } })
  await worker.ready
  return worker
}

/** What the object of `key` (a full key, prefix included) holds, and the time its alarm is set for. */
export async function storedInWorkerd(worker: Miniflare, key: string): Promise<{ entries: Record<string, { json: string; expiresAt?: number }>; alarm: number | null }> {
  const response = await worker.dispatchFetch('http://worker/stored', { method: 'POST', body: JSON.stringify({ key }) })
  return (await response.json()) as never
}

/** A `Storage` whose every operation runs in the worker, through DurableObjectStorage under `prefix`. */
export function storageInWorkerd(worker: Miniflare, prefix: string): Storage {
  const call = async (op: StorageCall['op'], key: string, value?: JsonValue, ttl?: number): Promise<never> => {
    const body: StorageCall = { prefix, op, key, ...(value === undefined ? {} : { value }), ...(ttl === undefined ? {} : { ttl: String(ttl) }) }
    const response = await worker.dispatchFetch('http://worker/storage', { method: 'POST', body: JSON.stringify(body) })
    const answer = (await response.json()) as StorageResult
    if ('error' in answer) throw Object.assign(new Error(answer.error.message), answer.error)
    return answer.result as never
  }
  return {
    get: (key) => call('get', key),
    set: (key, value, ttl) => call('set', key, value, ttl),
    add: (key, value, ttl) => call('add', key, value, ttl),
    delete: (key) => call('delete', key),
    take: (key) => call('take', key),
  }
}
