/**
 * A code's birth (SPEC R3.1, R5.1, R7.2): the record a minted code is stored as, and how long
 * its replay marker is kept. The server validates the input (client, scope, redirect URI,
 * PKCE challenge), claims or reads the link version (`link-versions.ts`), draws the random
 * values, and stores what these rules build — the marker first, then the code.
 *
 * @module
 */
import { MAX_CODE_TTL_SECONDS } from '../protocol/constants.js'
import type { CodeRecord, UsedMarker } from './records.js'

/**
 * How long a code's replay marker (code hash → grant) lives: it is written at minting, before
 * the code exists for anyone, rather than after a redemption's take — so a replay can never
 * land in a gap between the winner's take and its marker (RFC 6749 §4.1.2, SPEC R4.2). It
 * outlives the longest code lifetime by a further code lifetime, so a replay is recognised at
 * least that long after the last moment the code could have been redeemed.
 *
 * @example
 * ```ts
 * REPLAY_MARKER_TTL_SECONDS // 1200
 * ```
 * @group Rules
 */
export const REPLAY_MARKER_TTL_SECONDS = 2 * MAX_CODE_TTL_SECONDS

/**
 * What a code is minted with: the validated binding (client, subject, scope in RFC 6749 §3.3
 * form, optional redirect URI and S256 challenge), whether it supersedes, the link version it
 * holds or lives under, the grant id drawn for it, and when it expires (seconds).
 *
 * @example
 * ```ts
 * const mint: CodeMint = { clientId: 'music', subject: 'u1', scope: 'a', supersede: true, linkVersion: 1, grantId: 'g1', expiresAt: 1060 }
 * ```
 * @group Rules
 */
export interface CodeMint {
  readonly clientId: string
  readonly subject: string
  readonly scope: string
  readonly redirectUri?: string
  readonly codeChallenge?: string
  readonly supersede: boolean
  readonly linkVersion: number
  readonly grantId: string
  readonly expiresAt: number
  /** The minter's own name for what the code grants, told to the lost-grant handlers (superseding codes only). */
  readonly reference?: string
}

/**
 * The stored code and its replay marker. The grant id is chosen now, so that a replay can name
 * the grant the code was traded for even before that grant exists.
 *
 * @example
 * ```ts
 * const { code, marker } = mintedCode({ clientId: 'music', subject: 'u1', scope: 'a', supersede: false, linkVersion: 0, grantId: 'g1', expiresAt: 1060 })
 * marker // { grantId: 'g1' }
 * ```
 * @see RFC 6749 §4.1.2
 * @group Rules
 */
export function mintedCode(mint: CodeMint): { readonly code: CodeRecord; readonly marker: UsedMarker } {
  const code: CodeRecord = {
    clientId: mint.clientId,
    subject: mint.subject,
    scope: mint.scope,
    expiresAt: mint.expiresAt,
    ...(mint.redirectUri === undefined ? {} : { redirectUri: mint.redirectUri }),
    ...(mint.codeChallenge === undefined ? {} : { codeChallenge: mint.codeChallenge }),
    grantId: mint.grantId,
    linkVersion: mint.linkVersion,
    supersede: mint.supersede,
  }
  // A replay of a superseding code revokes a grant of the link that its minter may claim: the
  // marker names it, so that the minter can stop claiming it and offer a new code.
  const link = mint.supersede && mint.reference !== undefined ? { clientId: mint.clientId, subject: mint.subject, version: mint.linkVersion, reference: mint.reference } : undefined
  return { code, marker: { grantId: mint.grantId, ...(link === undefined ? {} : { link }) } }
}
