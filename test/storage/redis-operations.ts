// Every operation of the storage port, each once, with and without a TTL: what the Redis tests
// watch RedisStorage send.
import type { Storage } from 'reciprocal-oauth'

/** Runs the operations on `storage` and returns what each resolved to. */
export async function everyOperation(storage: Storage): Promise<unknown[]> {
  return [
    await storage.set('code:a', { grant: 'g' }, 60),
    await storage.set('link:b', 'untimed'),
    await storage.add('code:a', 'refused', 60),
    await storage.add('lease:c', 1),
    await storage.get('link:b'),
    await storage.take('code:a'),
    await storage.take('code:a'),
    await storage.delete('lease:c'),
    await storage.get('lease:c'),
  ]
}

/** What {@link everyOperation} resolves to on a store that keeps the contract. */
export const EVERY_OPERATION_RESULTS = [undefined, undefined, false, true, 'untimed', { grant: 'g' }, undefined, undefined, undefined]
