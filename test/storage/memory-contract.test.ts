// The storage contract suite (reciprocal-oauth/testing) on the embedded default store. Each
// MemoryStorage is its own backend, so the suite's prefixes need no support from it: two stores
// made with different prefixes are two Maps, apart by construction.
import { MemoryStorage } from 'reciprocal-oauth'
import { describeStorageContract } from 'reciprocal-oauth/testing'

let now = 1_700_000_000
describeStorageContract('MemoryStorage', {
  create: () => new MemoryStorage({ now: () => now }),
  clock: { advance: (seconds) => (now += seconds) },
})

// The same store on the real clock: the suite's other mode (real 2 s TTLs), as a backend without
// an injectable clock runs it.
describeStorageContract('MemoryStorage on the real clock', { create: () => new MemoryStorage() })
