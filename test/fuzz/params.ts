// Replacement values of the protocol's parameters, each labelled with what it makes of a request.
import fc from 'fast-check'
import type { Label, ParamRule, Replacement } from './form-cases.js'
import { canary, hostileString, utf8 } from './hostile.js'

/** What the server decodes from a value the test sent (a lone surrogate goes out as U+FFFD). */
export const decodedAs = (value: string): string => new TextDecoder().decode(utf8(value))

/** Longest code, token or identifier the endpoints take (schemas.ts `Opaque`). */
const OPAQUE_MAX = 4096

const labelled = (value: string, label: Label): Replacement => ({ value, label })

/**
 * A code, token or identifier: dropping it is `drop`; an unknown value is `unknown`; one longer
 * than 4 KiB is malformed; `known` values (another client's code, a replayed one) have their own
 * labels.
 */
export function opaqueRule(drop: Label, unknown: Label, known: readonly Replacement[] = []): ParamRule {
  const arbitraries: fc.Arbitrary<Replacement>[] = [
    canary.map((value) => labelled(value, unknown)),
    fc.integer({ min: OPAQUE_MAX + 1, max: OPAQUE_MAX + 2000 }).map((n) => labelled('c'.repeat(n), 'malformed')),
    hostileString.map((value) => labelled(value, decodedAs(value).length > OPAQUE_MAX ? 'malformed' : unknown)),
  ]
  if (known.length > 0) arbitraries.push(fc.constantFrom(...known))
  return { drop, replace: fc.oneof(...arbitraries) }
}

/** RFC 7636 §4.1 `code_verifier` syntax. */
const VERIFIER_SYNTAX = /^[A-Za-z0-9._~-]{43,128}$/
const VERIFIER_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-'

/** A PKCE verifier: a well-formed wrong one is `wrong`; one of bad syntax is malformed (RFC 7636 §4.1). */
export function verifierRule(drop: Label, wrong: Label): ParamRule {
  return {
    drop,
    replace: fc.oneof(
      fc.string({ unit: fc.constantFrom(...VERIFIER_CHARS), minLength: 43, maxLength: 128 }).map((value) => labelled(value, wrong)),
      fc.string({ unit: fc.constantFrom(...VERIFIER_CHARS), minLength: 1, maxLength: 42 }).map((value) => labelled(value, 'malformed')),
      fc.constantFrom('a'.repeat(129), `${'a'.repeat(42)}+`, `${'a'.repeat(42)}=`, `${'a'.repeat(42)} `).map((value) => labelled(value, 'malformed')),
      hostileString.map((value) => labelled(value, VERIFIER_SYNTAX.test(decodedAs(value)) ? wrong : 'malformed')),
    ),
  }
}

/** `grant_type`: any other value is malformed unless listed (a grant type the endpoint serves). */
export function grantTypeRule(others: readonly Replacement[]): ParamRule {
  return {
    drop: 'malformed',
    replace: fc.oneof(
      fc.constantFrom('client_credentials', 'password', 'implicit', 'AUTHORIZATION_CODE', 'authorization_code ', 'urn:ietf:params:oauth:grant-type:jwt-bearer').map((value) => labelled(value, 'malformed')),
      hostileString.map((value) => labelled(value, 'malformed')),
      ...(others.length > 0 ? [fc.constantFrom(...others)] : []),
    ),
  }
}

/** A redirect URI other than the registered one: refused (RFC 6749 §4.1.3), or malformed when too long. */
export function redirectRule(drop: Label, registered: string): ParamRule {
  return {
    drop,
    replace: fc.oneof(
      fc.constantFrom(`${registered}/`, `${registered}?x=1`, registered.toUpperCase(), 'https://evil.example/callback', registered.replace('https:', 'http:')).map((value) => labelled(value, 'refused')),
      hostileString.map((value) => labelled(value, decodedAs(value).length > OPAQUE_MAX ? 'malformed' : 'refused')),
    ),
  }
}

/** RFC 6749 §3.3 scope syntax: NQCHAR tokens separated by single spaces. */
const SCOPE_SYNTAX = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/

/**
 * A requested `scope` against a grant of `granted`: within it is `neutral` (RFC 6749 §6 lets a
 * refresh narrow), beyond it `refused` (invalid_scope), bad syntax malformed.
 */
export function scopeReplacement(granted: readonly string[]): fc.Arbitrary<Replacement> {
  const judge = (value: string): Replacement => {
    const decoded = decodedAs(value)
    if (decoded.length > OPAQUE_MAX || !SCOPE_SYNTAX.test(decoded)) return labelled(value, 'malformed')
    return labelled(value, decoded.split(' ').every((token) => granted.includes(token)) ? 'neutral' : 'refused')
  }
  return fc.oneof(
    fc.subarray([...granted], { minLength: 1 }).map((tokens) => labelled(tokens.join(' '), 'neutral')),
    fc.constantFrom('assistant.admin', `${granted.join(' ')} assistant.admin`, `${granted[0] ?? 'a'}  x`, '"quoted"', ' leading', 'trailing ', 'a\\b').map(judge),
    hostileString.map(judge),
  )
}
