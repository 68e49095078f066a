// The storage contract suite (reciprocal-oauth/testing) on Cloudflare Durable Objects, in workerd
// (miniflare): every operation runs in a worker, through DurableObjectStorage, against
// ReciprocalStorageObject. The objects expire entries on workerd's clock: the suite waits for real
// 2-second TTLs.
import { describeStorageContract } from 'reciprocal-oauth/testing'
import type { Miniflare } from 'miniflare'
import { startWorkerd, storageInWorkerd } from './workerd.js'

let worker: Promise<Miniflare> | undefined
describeStorageContract('DurableObjectStorage in workerd', {
  create: async (prefix) => storageInWorkerd(await (worker ??= startWorkerd()), prefix),
  close: async () => {
    await (await worker)?.dispose()
  },
})
