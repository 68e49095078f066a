/**
 * What party A remembers between sending the user to B and B's callback: shared vocabulary of
 * the client steps and party A's machine.
 *
 * @module
 */

/**
 * What A remembers while the user is at B: plain JSON, so it can be stored with the link.
 * Holds the PKCE verifier, a secret: store it server-side only.
 *
 * @example
 * ```ts
 * const { url, pending } = await createAuthorizationRequest(peerB, { redirectUri, scope: 'music.play' })
 * await save(linkId, pending) // e.g. in the user's session, until the callback
 * ```
 * @see SPEC R7.1, RFC 7636 §4.1
 * @group Client
 */
export interface PendingAuthorization {
  /** The `state` sent; the callback must return it (CSRF defence, SPEC R7.1). */
  readonly state: string
  /** The PKCE verifier (RFC 7636); a secret until the code is exchanged. */
  readonly codeVerifier: string
  readonly redirectUri: string
  readonly scope: string
}
