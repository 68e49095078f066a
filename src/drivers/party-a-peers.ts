/**
 * Party A's peers: the services one party A links its users to, keyed by a peer id. This is
 * where a link is bound to its peer (RFC 9700 §4.4, cross-peer mix-up): link ids name their peer,
 * and a callback is attributed to a peer registered at the redirect URI it arrived at — by RFC
 * 9207 `iss` among several, and never to a peer whose redirect URI is another.
 *
 * @module
 */
import type { PeerConfig } from '../client/peer.js'
import { parseScope } from '../protocol/scope.js'
import { invalidValue } from '../core/misuse.js'

/**
 * One peer of party A: a service B that A's users link to.
 *
 * @example
 * ```ts
 * const music: PartyAPeer = {
 *   peer: { as: musicMetadata, client: { client_id: 'assistant' }, clientAuth: ClientSecretBasic(secret) },
 *   redirectUri: 'https://assistant.example/callback/music',
 *   scope: 'music.play',
 *   reciprocal: { peerClientId: 'music', offer: 'assistant.announce' },
 * }
 * ```
 * @see SPEC R1.1, R1.3
 * @group Party A
 */
export interface PartyAPeer {
  /** The peer as an authorization server, and A's registration there (SPEC R1.1). */
  readonly peer: PeerConfig
  /**
   * A's redirect URI registered at this peer, absolute. Several peers may share one redirect URI
   * path only when every one of them sends RFC 9207 `iss` (advertises
   * `authorization_response_iss_parameter_supported: true`); otherwise a callback could not be
   * told apart, and {@link createPartyA} throws a `TypeError`.
   */
  readonly redirectUri: string
  /** The scope A asks of this peer. */
  readonly scope: string
  /** The reverse grant (SPEC R1.3): the peer's client id at A, what A offers it, and the pre-agreed scope. */
  readonly reciprocal: {
    /** The peer's client id at A's authorization server; no two peers may share one. */
    readonly peerClientId: string
    /** The widest scope A offers the peer. */
    readonly offer: string
    /**
     * The scope agreed beforehand with this peer, used when it sends no `reciprocal` — as an
     * authorization server not built with this SDK does (SPEC R1.3).
     */
    readonly configured?: string
  }
}

/** A peer id: what may appear in a link id and a storage key without escaping. */
const PEER_ID = /^[A-Za-z0-9_-]{1,64}$/
/** Separates the peer id from the random part of a link id. */
const SEPARATOR = '.'

/** A callback attributed to one peer, its URL resolved against that peer's redirect URI. @internal */
export interface CallbackOrigin {
  readonly peerId: string
  readonly peer: PartyAPeer
  readonly url: URL
}

/** The validated peers of one party A. @internal */
export interface PartyAPeers {
  /** The peer named `peerId`, or `undefined`. */
  get(peerId: string): PartyAPeer | undefined
  /** A link id naming its peer: `<peerId>.<random>`. */
  linkId(peerId: string, random: string): string
  /** The peer id a link id names, or `undefined` when it names no configured peer. */
  peerIdOf(linkId: string): string | undefined
  /**
   * The one peer a callback can come from: among the peers whose redirect URI the callback
   * arrived at (origin and path for an absolute URL, path for a path-absolute one), the one whose
   * issuer is the callback's `iss` — or, without `iss`, the only one. The callback URL may be
   * absolute, or path-absolute as Node's `req.url` (`/callback?code=…`): it is then resolved
   * against that peer's redirect URI. `undefined` when the URL is neither, or when no peer, or
   * more than one, fits. Never throws: a URL error would carry the code and state (SPEC R8.4).
   */
  originOf(callbackUrl: string | URL): CallbackOrigin | undefined
}

function pathOf(uri: string): string {
  return new URL(uri).pathname
}

/**
 * Whether a callback URL — absolute, or path-absolute and read against `redirectUri` — arrived at
 * `redirectUri`: same origin and path. A reference such as `//host/…` or `/\host/…` names another
 * origin, so it never matches.
 */
function arrivedAt(callbackUrl: string, redirectUri: string): boolean {
  if (!URL.canParse(callbackUrl, redirectUri)) return false
  const url = new URL(callbackUrl, redirectUri)
  const registered = new URL(redirectUri)
  return url.origin === registered.origin && url.pathname === registered.pathname
}

/**
 * Validates party A's peers and builds the lookups the driver needs. Throws `TypeError` for a
 * malformed peer id, scope, offer or redirect URI, for peers that could not be told apart, and
 * for peers sharing a `reciprocal.peerClientId`.
 *
 * @internal
 */
export function definePeers(peers: Readonly<Record<string, PartyAPeer>>): PartyAPeers {
  const entries = Object.entries(peers)
  if (entries.length === 0) throw invalidValue('peers must name at least one peer')
  for (const [peerId, peer] of entries) {
    if (!PEER_ID.test(peerId)) throw invalidValue(`peer id "${peerId.slice(0, 64)}" must be 1–64 letters, digits, "_" or "-"`)
    if (parseScope(peer.scope) === undefined) throw invalidValue(`peers.${peerId}.scope is not a valid scope`)
    if (parseScope(peer.reciprocal.offer) === undefined) throw invalidValue(`peers.${peerId}.reciprocal.offer is not a valid scope`)
    if (!URL.canParse(peer.redirectUri)) throw invalidValue(`peers.${peerId}.redirectUri is not an absolute URL`)
  }
  // RFC 9700 §4.4: every callback must be attributable to exactly one peer.
  for (const [peerId, peer] of entries) {
    for (const [otherId, other] of entries) {
      // A's authorization server keys a grant by client id and user: two peers with one client id would share grants.
      if (otherId > peerId && peer.reciprocal.peerClientId === other.reciprocal.peerClientId) {
        throw invalidValue(`peers ${peerId} and ${otherId} have the same reciprocal.peerClientId: each peer needs its own client at A's authorization server`)
      }
      if (otherId <= peerId || pathOf(peer.redirectUri) !== pathOf(other.redirectUri)) continue
      if (peer.peer.as.authorization_response_iss_parameter_supported !== true || other.peer.as.authorization_response_iss_parameter_supported !== true) {
        throw invalidValue(
          `peers ${peerId} and ${otherId} share the redirect URI path ${pathOf(peer.redirectUri)} but do not both send RFC 9207 "iss": give each its own redirect URI (RFC 9700 §4.4)`,
        )
      }
      if (peer.peer.as.issuer === other.peer.as.issuer) {
        throw invalidValue(`peers ${peerId} and ${otherId} have the same issuer and redirect URI path: a callback could not be told apart`)
      }
    }
  }

  const byId = new Map(entries)
  // Path and query of a path-absolute reference do not depend on the base it is read against.
  const someRedirectUri = entries[0]?.[1].redirectUri ?? ''
  return {
    get: (peerId) => byId.get(peerId),
    linkId: (peerId, random) => `${peerId}${SEPARATOR}${random}`,
    peerIdOf(linkId) {
      const peerId = linkId.slice(0, Math.max(linkId.indexOf(SEPARATOR), 0))
      return byId.has(peerId) ? peerId : undefined
    },
    originOf(callbackUrl) {
      const text = String(callbackUrl)
      if (!(URL.canParse(text) || text.startsWith('/')) || !URL.canParse(text, someRedirectUri)) return undefined
      const issuers = new URL(text, someRedirectUri).searchParams.getAll('iss')
      if (issuers.length > 1) return undefined
      const iss = issuers[0]
      // The redirect URI the callback arrived at names the peers it may come from; `iss` picks
      // one of them, and never a peer registered at another redirect URI. Without `iss` the
      // redirect URI alone must tell: peers sharing one all send `iss` (checked above).
      const candidates = entries.filter(([, peer]) => arrivedAt(text, peer.redirectUri) && (iss === undefined || peer.peer.as.issuer === iss))
      const [only, ...more] = candidates
      if (only === undefined || more.length > 0) return undefined
      const [peerId, peer] = only
      return { peerId, peer, url: new URL(text, peer.redirectUri) }
    },
  }
}
