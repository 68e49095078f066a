/**
 * Minting an authorization code (SPEC R3.1, R5.1, R7.2): party A's reciprocal code, and the code
 * of party B's authorization endpoint in the initial flow.
 *
 * @module
 */
import { SECRET_BYTES } from '../protocol/constants.js'
import { formatScope, isScopeSubset, parseScope } from '../protocol/scope.js'
import { secretFromBytes } from '../lib/encoding.js'
import { sha256 } from '../lib/hash.js'
import type { ServerContext } from './options.js'
import { mintedCode, REPLAY_MARKER_TTL_SECONDS } from '../rules/code-mint.js'
import { keys } from './records.js'
import { allocateLinkVersion, keepLinkAlive } from './links.js'
import { invalidType, invalidValue } from '../core/misuse.js'

/**
 * What a code is bound to.
 *
 * @example
 * ```ts
 * const input: MintCodeInput = { clientId: 'music', subject: 'alice', scope: 'assistant.announce' }
 * const minted = await assistantAs.mintCode(input)
 * ```
 * @see SPEC R3.1, R7.2, R7.9
 * @group Authorization server
 */
export interface MintCodeInput {
  /** The client that may redeem it (party B's client id at A, in the reciprocal leg). */
  readonly clientId: string
  /** The user the grant is about, at this server. */
  readonly subject: string
  /** The granted scope: within the client's registered scope (SPEC R7.6). */
  readonly scope: string
  /** Must be sent again, identical, at redemption (RFC 6749 §4.1.3). */
  readonly redirectUri?: string
  /** RFC 7636 S256 challenge; the redemption must then prove the verifier. */
  readonly codeChallenge?: string
  /**
   * Start a new version of the (client, subject) link: an older code can no longer be redeemed,
   * and every older grant of the link is revoked — when this code is redeemed if its scope
   * contains the previous superseding code's (an update that only adds), or at once if it drops
   * any scope (a removal must really remove access, SPEC R5.1, R5.3, R7.6). Use it for
   * reciprocal codes and the update flow.
   */
  readonly supersede?: boolean
  /**
   * The caller's own name for what a superseding code grants (party A gives its link id), at
   * most 256 characters: if the code is presented again after its redemption, or expired, the server's
   * lost-grant handlers are told it (`registerLostGrantHandler`). Not secret; kept with the
   * code's replay marker.
   */
  readonly reference?: string
}

/**
 * A minted code: send `code` to the client; it expires at `expiresAt` (seconds).
 *
 * @example
 * ```ts
 * const minted: MintedCode = await assistantAs.mintCode({ clientId: 'music', subject: 'alice', scope: 'assistant.announce' })
 * await deliverReciprocalCode(peerB, { code: minted.code, accessToken })
 * ```
 * @see SPEC R3.1
 * @group Authorization server
 */
export interface MintedCode {
  readonly code: string
  readonly expiresAt: number
  /** The link version, for superseding codes. */
  readonly version?: number
}

const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/
const MAX_REFERENCE_LENGTH = 256

/**
 * Mints a single-use authorization code with 256 bits from the runtime's random source, stored
 * only as its SHA-256 (SPEC R3.1). Throws `TypeError` when the client is unknown, the scope is
 * empty, malformed or wider than the client's registered scope (SPEC R7.6), the redirect URI is
 * not registered, or a public client's code has no PKCE challenge (RFC 9700 §2.1.1).
 *
 * @example
 * ```ts
 * const { code, version } = await mintCode(context, { clientId: 'music', subject: 'user-1', scope: 'assistant.announce', supersede: true })
 * ```
 * @see RFC 6749 §4.1.2, RFC 9700 §4.2
 * @group Authorization server
 */
export async function mintCode(context: ServerContext, input: MintCodeInput): Promise<MintedCode> {
  const client = await context.clients.findClient(input.clientId)
  if (client === undefined) throw invalidValue('mintCode: unknown client')
  if (typeof input.subject !== 'string') throw invalidType('mintCode: subject must be a string')
  if (input.subject === '') throw invalidValue('mintCode: subject must not be empty')
  const scope = parseScope(input.scope)
  if (scope === undefined) throw invalidValue('mintCode: scope must be a non-empty RFC 6749 §3.3 scope string')
  if (!isScopeSubset(scope, parseScope(client.scope) ?? [])) {
    throw invalidValue("mintCode: scope is wider than the client's registered scope (SPEC R7.6)")
  }
  if (input.redirectUri !== undefined && !(client.redirectUris ?? []).includes(input.redirectUri)) {
    throw invalidValue('mintCode: redirectUri is not registered for the client')
  }
  if (input.codeChallenge !== undefined && !S256_CHALLENGE.test(input.codeChallenge)) {
    throw invalidValue('mintCode: codeChallenge must be an S256 challenge (43 base64url characters)')
  }
  if (input.reference !== undefined && (typeof input.reference !== 'string' || input.reference === '' || input.reference.length > MAX_REFERENCE_LENGTH)) {
    throw invalidValue(`mintCode: reference must be a string of 1 to ${MAX_REFERENCE_LENGTH} characters`)
  }
  if (client.tokenEndpointAuthMethod === 'none' && input.codeChallenge === undefined) {
    throw invalidValue('mintCode: a code for a public client needs a PKCE challenge')
  }

  const supersede = input.supersede === true
  const grantedScope = formatScope(scope)
  // A superseding code that narrows the link revokes the older grants right now. A plain code
  // keeps the link's newest version alive for as long as a grant of it could live (links.ts).
  const linkVersion = supersede
    ? await allocateLinkVersion(context, input.clientId, input.subject, { kind: 'supersede', scope: grantedScope })
    : await keepLinkAlive(context, input.clientId, input.subject)
  const code = secretFromBytes(context.runtime.randomBytes(SECRET_BYTES))
  const expiresAt = context.runtime.now() + context.codeTtlSeconds
  const minted = mintedCode({
    clientId: input.clientId,
    subject: input.subject,
    scope: grantedScope,
    ...(input.redirectUri === undefined ? {} : { redirectUri: input.redirectUri }),
    ...(input.codeChallenge === undefined ? {} : { codeChallenge: input.codeChallenge }),
    supersede,
    linkVersion,
    grantId: secretFromBytes(context.runtime.randomBytes(16)),
    expiresAt,
    ...(input.reference === undefined ? {} : { reference: input.reference }),
  })
  const codeHash = sha256(code)
  // The replay marker first, before the code exists for anyone (rules/code-mint.ts).
  await context.storage.set(keys.usedCode(codeHash), minted.marker, REPLAY_MARKER_TTL_SECONDS)
  // Stored as long as its marker, past its own expiry (its `expiresAt` still refuses it then):
  // while the marker lives, a code that is missing was taken, so a late presentation of a code
  // never redeemed is refused as expired, not mistaken for a replay.
  await context.storage.set(keys.code(codeHash), minted.code, REPLAY_MARKER_TTL_SECONDS)
  context.emit({ type: 'code-minted', clientId: input.clientId, subject: input.subject, scope: grantedScope, ...(supersede ? { version: linkVersion } : {}) })
  return supersede ? { code, expiresAt, version: linkVersion } : { code, expiresAt }
}
