/**
 * Verifying the credentials a client presented at a token endpoint (RFC 6749 §2.3, RFC 7523
 * §3): shared by A's token endpoint and B's reciprocal grant receiver.
 *
 * @module
 */
import type { JWTPayload } from 'jose'
import { loadDecodeJwt, loadJwtVerify, loadLocalJwks } from '../lib/jose.js'
import { timingSafeEqual } from '../lib/constant-time.js'
import { invalidClient } from '../protocol/oauth-error.js'
import { extractClientCredentials, type ClientAuthMethod, type PresentedClientCredentials } from '../protocol/client-credentials.js'
import type { FormParams } from '../protocol/form.js'
import type { HeaderBag } from '../protocol/http.js'
import type { Parsed } from '../protocol/form.js'
import { sha256 } from '../lib/hash.js'
import type { Storage } from '../core/storage.js'
import type { ClientRegistry, RegisteredClient } from './clients.js'

/**
 * What {@link authenticateClient} needs besides the credentials.
 *
 * @example
 * ```ts
 * const authContext: ClientAuthContext = { clients, audiences, storage, now }
 * const extracted = extractClientCredentials(raw.headers, params)
 * const authenticated = extracted.ok ? await authenticateClient(extracted.value, authContext) : extracted
 * ```
 * @see SPEC R3.3, RFC 6749 §2.3.1, RFC 7523 §3
 * @group Server
 */
export interface ClientAuthContext {
  readonly clients: ClientRegistry
  /** Our issuer identifier and token endpoint URL: the audiences a client assertion may name. */
  readonly audiences: readonly string[]
  /** Remembers assertion `jti`s so an assertion is accepted once (RFC 7523 §3). */
  readonly storage: Storage
  /** Current time in seconds. */
  readonly now: number
  /**
   * The SHA-256 of a registered client secret: the owner of this context (an authorization
   * server, a receiver) remembers it, so the secret that never changes is hashed once per
   * process. Default: hashed on every request.
   */
  readonly registeredSecretDigest?: (secret: string) => string
}

/**
 * Checks presented credentials against the registry. An unknown client, a wrong secret and a
 * refused assertion all get the same `invalid_client`, so a caller learns nothing about which
 * part was wrong. A registered client that used another method than its registered one is told
 * which method to use (a typical integration mistake; the method is not a secret). That answer
 * does tell the caller the client id is registered: client ids are public identifiers (RFC 6749
 * §2.2), so this is accepted in exchange for an error an integrator can act on.
 *
 * @example
 * ```ts
 * const presented = extractClientCredentials(raw.headers, params)
 * if (presented.ok) {
 *   const client = await authenticateClient(presented.value, { clients, audiences: [issuer, tokenUrl], storage, now })
 * }
 * ```
 * @see SPEC R3.3, R7.4, R7.11, RFC 6749 §2.3.1, RFC 7523 §3
 * @group Server
 */
export async function authenticateClient(
  presented: PresentedClientCredentials,
  context: ClientAuthContext,
): Promise<Parsed<RegisteredClient>> {
  const basic = presented.method === 'client_secret_basic'
  const refused = (description: string): Parsed<RegisteredClient> => ({ ok: false, error: invalidClient(description, basic) })
  const failed = (): Parsed<RegisteredClient> => refused('Client authentication failed')
  const clientId = presented.method === 'private_key_jwt' ? presented.clientId ?? (await unverifiedIssuer(presented.assertion)) : presented.clientId
  if (clientId === undefined) return failed()
  const client = await context.clients.findClient(clientId)
  if (client === undefined) return failed()
  if (client.tokenEndpointAuthMethod !== presented.method) return refused(expectedMethod(client.tokenEndpointAuthMethod))

  switch (presented.method) {
    case 'client_secret_basic':
    case 'client_secret_post': {
      if (client.clientSecret === undefined) return failed()
      // Compare digests: equal length, so neither the secret's content nor its length leaks.
      const expected = (context.registeredSecretDigest ?? sha256)(client.clientSecret)
      return timingSafeEqual(sha256(presented.secret), expected) ? { ok: true, value: client } : failed()
    }
    case 'private_key_jwt':
      return (await verifyAssertion(presented.assertion, client, context)) ? { ok: true, value: client } : failed()
    case 'none':
      return { ok: true, value: client }
  }
}

/**
 * Extracts the credentials a token-endpoint style request presents and verifies them: the one
 * step every client-authenticated endpoint starts with (RFC 6749 §2.3).
 *
 * @example
 * ```ts
 * const client = await authenticateClientRequest(raw.headers, params, { clients, audiences, storage, now })
 * if (!client.ok) return renderOAuthError(client.error)
 * ```
 * @group Server
 */
export async function authenticateClientRequest(
  headers: HeaderBag,
  params: FormParams,
  context: ClientAuthContext,
): Promise<Parsed<RegisteredClient>> {
  const presented = extractClientCredentials(headers, params)
  return presented.ok ? authenticateClient(presented.value, context) : presented
}

async function verifyAssertion(assertion: string, client: RegisteredClient, context: ClientAuthContext): Promise<boolean> {
  if (client.jwks === undefined) return false
  const [{ jwtVerify }, { createLocalJWKSet }] = await Promise.all([loadJwtVerify(), loadLocalJwks()])
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks), {
      issuer: client.clientId,
      subject: client.clientId,
      audience: [...context.audiences],
      currentDate: new Date(context.now * 1000),
      requiredClaims: ['exp', 'jti'],
      clockTolerance: 30,
    }))
  } catch {
    // expected: a bad signature, claim or key set is a failed authentication (invalid_client).
    return false
  }
  const exp = payload.exp ?? context.now
  const ttl = Math.max(1, exp - context.now + 30)
  // RFC 7523 §3: the authorization server may refuse a replayed assertion — we always do. Outside
  // the try: a storage failure here is not a failed authentication, the endpoint reports it.
  return await context.storage.add(`jti:${client.clientId}:${sha256(String(payload.jti))}`, true, ttl)
}

/** Names the registered method (RFC 8414 name), and nothing else about the client. */
function expectedMethod(method: ClientAuthMethod): string {
  return method === 'none'
    ? 'This client is public (none): it must send its client_id only, without credentials'
    : `This client must authenticate with ${method}`
}

/** The `iss` of an unverified JWT, only to pick the key set that will verify it. */
async function unverifiedIssuer(jwt: string): Promise<string | undefined> {
  const { decodeJwt } = await loadDecodeJwt()
  try {
    // decodeJwt reads the payload as UTF-8 (a bare atob would mangle a non-ASCII client id).
    const { iss } = decodeJwt(jwt)
    return typeof iss === 'string' ? iss : undefined
  } catch {
    // expected: not a JWT at all, so there is no issuer to pick a key set by (invalid_client).
    return undefined
  }
}
