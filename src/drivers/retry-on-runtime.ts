/**
 * The drivers' outbound retries wait on the injected runtime's timer (`Runtime.sleep`), as their
 * lease waits do: a test runtime then controls every wait of a party, and a peer's own
 * `retry.sleep`, when given, still wins.
 *
 * @module
 */
import type { PeerTransport } from '../client/peer.js'
import type { Runtime } from '../core/runtime.js'
import type { PartyAPeer } from './party-a-peers.js'

/** `peer` with its retries waiting on `runtime`'s timer, unless it names its own `retry.sleep` (or the runtime has no timer). @internal */
export function retryOnRuntime<P extends PeerTransport>(peer: P, runtime: Runtime): P {
  const wait = runtime.sleep
  if (wait === undefined || peer?.retry?.sleep !== undefined) return peer
  return { ...peer, retry: { ...peer.retry, sleep: (ms: number) => wait.call(runtime, ms) } }
}

/** Each of party B's peers through {@link retryOnRuntime}. @internal */
export function peersOnRuntime<P extends PeerTransport>(peers: Readonly<Record<string, P>>, runtime: Runtime): Readonly<Record<string, P>> {
  return Object.fromEntries(Object.entries(peers).map(([id, peer]) => [id, retryOnRuntime(peer, runtime)]))
}

/** Each of party A's peers through {@link retryOnRuntime}. @internal */
export function partyAPeersOnRuntime(peers: Readonly<Record<string, PartyAPeer>>, runtime: Runtime): Readonly<Record<string, PartyAPeer>> {
  return Object.fromEntries(Object.entries(peers).map(([id, peer]) => [id, { ...peer, peer: retryOnRuntime(peer?.peer, runtime) }]))
}
