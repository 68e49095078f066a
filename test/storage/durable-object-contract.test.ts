// The storage contract suite (reciprocal-oauth/testing) on Cloudflare Durable Objects, in workerd
// (miniflare): every operation runs in a worker, through DurableObjectStorage, against
// ReciprocalStorageObject. The objects expire entries on workerd's clock: the suite waits for real
// 2-second TTLs.
import { describeStorageContract } from 'reciprocal-oauth/testing'
import type { Miniflare } from 'miniflare'
import { vi } from 'vitest'
import { startWorkerd, storageInWorkerd } from './workerd.js'

// Each key is its own object: the suite's 400 operations on 200 fresh keys create 200 objects,
// which takes seconds (7 s on a loaded 2-core machine); room for a slower one.
vi.setConfig({ testTimeout: 60_000 })

let worker: Promise<Miniflare> | undefined
describeStorageContract('DurableObjectStorage in workerd', {
  create: async (prefix) => storageInWorkerd(await (worker ??= startWorkerd()), prefix),
  close: async () => {
    await (await worker)?.dispose()
  },
})
