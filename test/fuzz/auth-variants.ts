// Client authentication as a hostile or careless client sends it (RFC 6749 §2.3, RFC 7617, RFC
// 7523 §2.2): the valid forms the endpoints must accept, and the variants they must refuse —
// each labelled with what it makes of the request.
import fc from 'fast-check'
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/protocol/client-credentials.js'
import type { Auth, Label } from './form-cases.js'
import { MALFORMED_BASIC, basicHeader, canary, hostileString } from './hostile.js'

/** A client and how it authenticates. */
export type Credentials =
  | { readonly method: 'client_secret_basic' | 'client_secret_post'; readonly id: string; readonly secret: string }
  | { readonly method: 'none'; readonly id: string }
  | { readonly method: 'private_key_jwt'; readonly id: string; readonly assertion: string }

/** The client's own, valid authentication. */
export function ownAuth(client: Credentials): Auth {
  switch (client.method) {
    case 'client_secret_basic':
      return { name: 'own', label: 'neutral', headers: [basicHeader(client.id, client.secret)], params: [], secrets: [client.secret] }
    case 'client_secret_post':
      return { name: 'own', label: 'neutral', headers: [], params: [['client_id', client.id], ['client_secret', client.secret]] }
    case 'none':
      return { name: 'own', label: 'neutral', headers: [], params: [['client_id', client.id]] }
    case 'private_key_jwt':
      return { name: 'own', label: 'neutral', headers: [], params: [['client_assertion_type', JWT_BEARER_ASSERTION_TYPE], ['client_assertion', client.assertion]] }
  }
}

const auth = (name: string, label: Label, headers: readonly string[], params: readonly (readonly [string, string])[] = [], secrets: readonly string[] = []): Auth => ({
  name,
  label,
  headers,
  params,
  secrets,
})

/**
 * The variants of a client's authentication: its own in other valid spellings (`neutral`), a
 * wrong secret or an unknown client (`refused`), another registered client with its valid
 * credentials (`otherLabel`: what presenting this request's credential as another client makes of
 * it), and the malformed ones — none at all, a broken or foreign header, two methods at once, a
 * body `client_id` that contradicts the header (SPEC R7.11).
 */
export function authVariants(own: Credentials, other: Credentials & { readonly method: 'client_secret_basic' | 'client_secret_post' }, otherLabel: Label): fc.Arbitrary<Auth> {
  const mine = ownAuth(own)
  const common: fc.Arbitrary<Auth>[] = [
    fc.constant(mine),
    fc.constant({ ...ownAuth(other), name: 'another registered client', label: otherLabel }),
    canary.map((secret) => auth('unknown client', 'refused', [basicHeader(`unknown-${secret.slice(4, 10)}`, secret)], [], [secret])),
    fc.constant(auth('no client authentication', 'malformed', [])),
    fc.constantFrom(...MALFORMED_BASIC).map((header) => auth('malformed Authorization header', 'malformed', [header], mine.params)),
    hostileString.map((header) => auth('hostile Authorization header', 'malformed', [header], mine.params)),
    fc.constant(auth('two Authorization headers', 'malformed', [basicHeader(own.id, 'x'), ...(mine.headers.length > 0 ? mine.headers : ['Bearer abc'])], mine.params)),
    // RFC 9110 §5.3: Authorization is no list; two of them are ambiguous whichever comes first.
    fc.constant(auth('two Authorization headers, the valid one first', 'malformed', [...(mine.headers.length > 0 ? mine.headers : [basicHeader(own.id, 'x')]), 'Bearer abc'], mine.params)),
    fc.constant(auth('Bearer instead of client authentication', 'malformed', ['Bearer abcdefghijklmnop'], mine.params)),
    fc.constant(auth('assertion with the wrong type', 'malformed', [], [['client_id', own.id], ['client_assertion_type', 'urn:example:other'], ['client_assertion', 'a.b.c']])),
  ]
  switch (own.method) {
    case 'client_secret_basic':
      return fc.oneof(
        ...common,
        fc.constant(auth('lower-case scheme', 'neutral', [basicHeader(own.id, own.secret, 'basic')])),
        fc.constant(auth('upper-case scheme, three spaces', 'neutral', [basicHeader(own.id, own.secret, 'BASIC', 3)])),
        fc.constant(auth('trailing spaces', 'neutral', [`${basicHeader(own.id, own.secret)}   `])),
        fc.constant(auth('with the same body client_id', 'neutral', mine.headers, [['client_id', own.id]])),
        canary.map((secret) => auth('wrong secret', 'refused', [basicHeader(own.id, secret)], [], [secret])),
        fc.constant(auth('own secret in the body', 'refused', [], [['client_id', own.id], ['client_secret', own.secret]])),
        fc.constant(auth('as a public client', 'refused', [], [['client_id', own.id]])),
        fc.constant(auth('Basic and a body secret', 'malformed', mine.headers, [['client_secret', own.secret]])),
        fc.constant(auth('body client_id of another client', 'malformed', mine.headers, [['client_id', other.id]])),
        fc.constant(auth('Basic and an assertion', 'malformed', mine.headers, [['client_assertion_type', JWT_BEARER_ASSERTION_TYPE], ['client_assertion', 'a.b.c']])),
      )
    case 'client_secret_post':
      return fc.oneof(
        ...common,
        canary.map((secret) => auth('wrong secret', 'refused', [], [['client_id', own.id], ['client_secret', secret]])),
        fc.constant(auth('secret without client_id', 'malformed', [], [['client_secret', own.secret]])),
        fc.constant(auth('own secret in Basic', 'refused', [basicHeader(own.id, own.secret)])),
        fc.constant(auth('as a public client', 'refused', [], [['client_id', own.id]])),
      )
    case 'none':
      return fc.oneof(
        ...common,
        canary.map((secret) => auth('with a secret', 'refused', [], [['client_id', own.id], ['client_secret', secret]])),
        fc.constant(auth('in Basic with an empty secret', 'refused', [basicHeader(own.id, '')])),
      )
    case 'private_key_jwt':
      return fc.oneof(
        ...common,
        fc.constant(auth('with its own client_id', 'neutral', [], [['client_id', own.id], ...mine.params])),
        fc.constant(auth('with the client_id of another client', 'refused', [], [['client_id', other.id], ...mine.params])),
        canary.map((garbage) => auth('a forged assertion', 'refused', [], [['client_assertion_type', JWT_BEARER_ASSERTION_TYPE], ['client_assertion', `eyJhbGciOiJFUzI1NiJ9.${garbage}.sig`]])),
        fc.constant(auth('assertion without its type', 'malformed', [], [['client_assertion', own.assertion]])),
      )
  }
}
