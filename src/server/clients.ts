/**
 * Who the peer clients of an authorization-server role are (DESIGN §3, "client registry").
 *
 * @module
 */
import type { JSONWebKeySet } from 'jose'
import type { ClientAuthMethod } from '../protocol/client-credentials.js'
import { invalidType, invalidValue } from '../core/misuse.js'

/**
 * A client registered at one of our authorization-server roles: party B at A's token endpoint,
 * or party A at B's.
 *
 * @example
 * ```ts
 * const music: RegisteredClient = { clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: musicClientSecret, scope: 'assistant.announce' }
 * const registry = staticClients([music])
 * ```
 * @see RFC 6749 §2, SPEC R7.6 (a client's scope bounds what it is granted)
 * @group Server
 */
export interface RegisteredClient {
  /** The client's identifier. */
  readonly clientId: string
  /** How it authenticates at the token endpoint (RFC 7591 names). */
  readonly tokenEndpointAuthMethod: ClientAuthMethod
  /** Its secret, for `client_secret_basic` and `client_secret_post`. Compared in constant time. */
  readonly clientSecret?: string
  /** Its public keys, for `private_key_jwt`. */
  readonly jwks?: JSONWebKeySet
  /** Exact redirect URIs (authorization endpoint). */
  readonly redirectUris?: readonly string[]
  /** The widest scope it may ever be granted (space-delimited). */
  readonly scope: string
}

/**
 * Finds registered clients. Back it with configuration, a database or a cache.
 *
 * @example
 * ```ts
 * const fromConfig = staticClients([{ clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: secret, scope: 'assistant.announce' }])
 * const registry: ClientRegistry = { findClient: (clientId) => fromConfig.findClient(clientId) } // or a database lookup
 * ```
 * @see RFC 6749 §2, SPEC R3.3
 * @group Server
 */
export interface ClientRegistry {
  /** The client with this id, or `undefined`. */
  findClient(clientId: string): RegisteredClient | undefined | Promise<RegisteredClient | undefined>
}

/**
 * A registry over a fixed list of clients.
 *
 * @example
 * ```ts
 * const clients = staticClients([
 *   { clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: 's3cret', scope: 'assistant.announce' },
 * ])
 * ```
 * @see RFC 6749 §2
 * @group Server
 */
export function staticClients(list: readonly RegisteredClient[]): ClientRegistry {
  if (!Array.isArray(list)) throw invalidType('staticClients takes an array of clients')
  const byId = new Map(list.map((client) => [client.clientId, client]))
  if (byId.size !== list.length) throw invalidValue('client ids must be unique')
  return { findClient: (clientId) => byId.get(clientId) }
}
