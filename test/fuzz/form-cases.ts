// Near-valid requests to the form endpoints (token, revocation, reciprocal grant): a valid request
// of a template with zero to four mutations, each labelled with what it makes of the request — so
// that a case knows whether it must succeed, must be refused without touching storage, or may be
// refused with a write (a leaked or replayed credential). Noise is `form-noise.ts`; the doors and
// what a case must get through each, `form-endpoint.ts`.
import fc from 'fast-check'
import { printable } from './harness.js'
import { BAD_CONTENT_TYPES, FORM_TYPE, GOOD_CONTENT_TYPES, INVALID_UTF8, formEncode, headerName, headerValue, hostileString, otherMethod, percentEncode, postMethod, utf8 } from './hostile.js'

/**
 * What a mutation makes of a request. `malformed`: the request is not a valid request of the
 * protocol (syntax, a missing or repeated parameter, broken client authentication) — an error and
 * no change in storage. `refused`: well-formed, refused without a change (a wrong secret, an
 * unknown code, a wrong verifier). `refused-may-write`: well-formed, refused, and the refusal may
 * write (a leaked code is consumed, a replayed one revokes its grant). `noop`: answered with
 * success and no change (revoking an unknown token). `neutral`: changes nothing of the outcome.
 */
export type Label = 'malformed' | 'refused' | 'refused-may-write' | 'noop' | 'neutral'

export type Param = readonly [name: string, value: string]

/** How the client authenticates: Authorization header values and body parameters. */
export interface Auth {
  readonly name: string
  readonly label: Label
  readonly headers: readonly string[]
  readonly params: readonly Param[]
  /** Secrets it carries inside a header (a Basic secret), to look for in answers. */
  readonly secrets?: readonly string[]
}

/** A replacement value of a parameter, with what it makes of the request. */
export interface Replacement {
  readonly value: string
  readonly label: Label
}

export interface ParamRule {
  /** What leaving the parameter out (or sending it empty, RFC 6749 §3.1) makes of the request. */
  readonly drop: Label
  /** Other values, each with its label. */
  readonly replace: fc.Arbitrary<Replacement>
}

/** A valid request to mutate. */
export interface FormTemplate {
  readonly name: string
  readonly params: readonly Param[]
  readonly rules: Readonly<Record<string, ParamRule>>
  /** Parameters the template lacks, and what adding each makes of it. */
  readonly optional: fc.Arbitrary<{ readonly name: string } & Replacement>
  /** The template's own client authentication (label `neutral`) and the variants to try. */
  readonly auth: fc.Arbitrary<Auth>
  /** The own authentication, used when no auth mutation is drawn. */
  readonly ownAuth: Auth
  /** What the template's request itself is, when it is not valid (a request of a client that may not use the grant). */
  readonly label?: Label
}

/** Names no unknown parameter may take: those of the protocol and of the mutations below. */
export const KNOWN_PARAMETERS = new Set([
  'grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'client_id', 'client_secret',
  'client_assertion', 'client_assertion_type', 'token', 'token_type_hint', 'access_token', 'x_fuzz_padding', 'x_fuzz_bad',
])

type Mutation =
  | { readonly kind: 'method'; readonly method: string }
  | { readonly kind: 'content-type'; readonly value: string | undefined }
  | { readonly kind: 'second content type'; readonly value: string }
  | { readonly kind: 'drop' | 'empty'; readonly name: string }
  | { readonly kind: 'repeat'; readonly name: string; readonly value: string | undefined }
  | { readonly kind: 'replace'; readonly name: string; readonly replacement: Replacement }
  | { readonly kind: 'optional'; readonly name: string; readonly replacement: Replacement }
  | { readonly kind: 'unknown'; readonly params: readonly Param[] }
  | { readonly kind: 'invalid-utf8'; readonly bytes: readonly number[]; readonly raw: boolean }
  | { readonly kind: 'pad'; readonly over: boolean; readonly amount: number }
  | { readonly kind: 'content-length'; readonly value: string }
  | { readonly kind: 'noise'; readonly headers: readonly Param[] }
  | { readonly kind: 'auth'; readonly auth: Auth }

/** One request, as both doors receive it, with the labels that say what it must get. */
export interface FormCase {
  readonly template: string
  readonly method: string
  /** Header lines in order; a name may repeat. */
  readonly headers: readonly Param[]
  readonly body: string | Uint8Array
  /** How the lower door gets the headers: a `Headers` object, or a Node-style record. */
  readonly headerShape: 'headers' | 'record'
  /** Slot → label; the case's outcome follows from the labels (see {@link expectationOf}). */
  readonly labels: ReadonlyMap<string, Label>
  /** The mutations, for the counterexample and the tally. */
  readonly notes: readonly string[]
  /** Values the case sent that must appear in no answer, header or event. */
  readonly secrets: readonly string[]
  readonly chaos: boolean
}

/** Spellings of a header name: HTTP names are case-insensitive (RFC 9110 §5.1). */
export const casing = fc.constantFrom<(name: string) => string>(
  (name) => name,
  (name) => name.toUpperCase(),
  (name) => name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase()),
  (name) => [...name].map((char, i) => (i % 2 === 0 ? char.toUpperCase() : char)).join(''),
)

const unknownParam: fc.Arbitrary<Param> = fc.tuple(
  fc.oneof(hostileString, fc.constantFrom('foo', 'scope2', 'Grant_Type', 'CODE', 'client-id', 'resource', 'audience', 'nonce', 'x')),
  hostileString,
)

function mutationOf(template: FormTemplate): fc.Arbitrary<Mutation> {
  const names = template.params.map(([name]) => name)
  const name = fc.constantFrom(...names)
  return fc.oneof(
    { weight: 2, arbitrary: otherMethod.map((method): Mutation => ({ kind: 'method', method })) },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.constantFrom(...GOOD_CONTENT_TYPES, ...BAD_CONTENT_TYPES).map((value): Mutation => ({ kind: 'content-type', value })),
        fc.constant<Mutation>({ kind: 'content-type', value: undefined }),
        // RFC 9110 §5.3: Content-Type is no list; a second one makes the request ambiguous.
        fc.constantFrom(...GOOD_CONTENT_TYPES, ...BAD_CONTENT_TYPES).map((value): Mutation => ({ kind: 'second content type', value })),
      ),
    },
    { weight: 3, arbitrary: name.map((n): Mutation => ({ kind: 'drop', name: n })) },
    { weight: 1, arbitrary: name.map((n): Mutation => ({ kind: 'empty', name: n })) },
    { weight: 2, arbitrary: fc.tuple(name, fc.option(hostileString)).map(([n, value]): Mutation => ({ kind: 'repeat', name: n, value: value ?? undefined })) },
    {
      weight: 6,
      arbitrary: fc.oneof(
        ...names.map((n) => (template.rules[n]?.replace ?? fc.constant<Replacement>({ value: 'x', label: 'malformed' })).map((replacement): Mutation => ({ kind: 'replace', name: n, replacement }))),
      ),
    },
    { weight: 2, arbitrary: template.optional.map(({ name: n, ...replacement }): Mutation => ({ kind: 'optional', name: n, replacement })) },
    { weight: 3, arbitrary: fc.array(unknownParam, { minLength: 1, maxLength: 3 }).map((params): Mutation => ({ kind: 'unknown', params })) },
    { weight: 1, arbitrary: fc.record({ bytes: fc.constantFrom(...INVALID_UTF8), raw: fc.boolean() }).map(({ bytes, raw }): Mutation => ({ kind: 'invalid-utf8', bytes, raw })) },
    { weight: 1, arbitrary: fc.record({ over: fc.boolean(), amount: fc.integer({ min: 0, max: 300 }) }).map(({ over, amount }): Mutation => ({ kind: 'pad', over, amount })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.constantFrom('0', '1', '100000000', '16385', '99999999999999999999', '-1', '1e9', '12abc', ''), fc.nat().map(String))
        .map((value): Mutation => ({ kind: 'content-length', value })),
    },
    { weight: 2, arbitrary: fc.array(fc.tuple(headerName, headerValue), { minLength: 1, maxLength: 4 }).map((headers): Mutation => ({ kind: 'noise', headers })) },
    { weight: 6, arbitrary: template.auth.map((auth): Mutation => ({ kind: 'auth', auth })) },
  )
}

/** Near-valid requests: a template with mutations — none in a fifth of them, one in half. */
export function nearValidCases(templates: readonly FormTemplate[], limitBytes: number): fc.Arbitrary<FormCase> {
  // One arbitrary per template, built once: building them per case costs more than running it.
  return fc.oneof(...templates.map((template) => casesOf(template, limitBytes)))
}

function casesOf(template: FormTemplate, limitBytes: number): fc.Arbitrary<FormCase> {
  const mutation = mutationOf(template)
  return fc
    .record({
      mutations: fc.oneof(
        { weight: 2, arbitrary: fc.constant([]) },
        { weight: 5, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 1 }) },
        { weight: 3, arbitrary: fc.array(mutation, { minLength: 2, maxLength: 4 }) },
      ),
      method: postMethod,
      encoding: fc.constantFrom<'percent' | 'form' | 'every-byte'>('percent', 'form', 'every-byte'),
      messySeparators: fc.boolean(),
      headerShape: fc.constantFrom<'headers' | 'record'>('headers', 'record'),
      bodyType: fc.constantFrom<'string' | 'bytes'>('string', 'bytes'),
      nameCase: casing,
    })
    .map((drawn) => buildCase(template, drawn, limitBytes))
}

interface Drawn {
  readonly mutations: readonly Mutation[]
  readonly method: string
  readonly encoding: 'percent' | 'form' | 'every-byte'
  readonly messySeparators: boolean
  readonly headerShape: 'headers' | 'record'
  readonly bodyType: 'string' | 'bytes'
  readonly nameCase: (name: string) => string
}

function buildCase(template: FormTemplate, drawn: Drawn, limitBytes: number): FormCase {
  const labels = new Map<string, Label>(template.label === undefined ? [] : [['template', template.label]])
  const notes: string[] = []
  const params: [string, string][] = template.params.map(([n, v]) => [n, v])
  const extra: [string, string][] = []
  let method = drawn.method
  let contentType: string | undefined = FORM_TYPE
  let secondContentType: string | undefined
  let auth = template.ownAuth
  let invalid: { bytes: readonly number[]; raw: boolean } | undefined
  let pad: { over: boolean; amount: number } | undefined
  const headers: [string, string][] = []
  const first = (n: string): number => params.findIndex(([name]) => name === n)

  for (const mutation of drawn.mutations) {
    switch (mutation.kind) {
      case 'method':
        method = mutation.method
        labels.set('method', 'malformed')
        notes.push(`method ${JSON.stringify(method)}`)
        break
      case 'content-type':
        contentType = mutation.value
        notes.push(`content-type ${JSON.stringify(contentType)}`)
        break
      case 'second content type':
        secondContentType = mutation.value
        notes.push(`second content-type ${JSON.stringify(mutation.value)}`)
        break
      case 'drop':
      case 'empty': {
        if (first(mutation.name) < 0) break
        const rule = template.rules[mutation.name]
        if (mutation.kind === 'drop') {
          for (let i = params.length - 1; i >= 0; i--) if (params[i]?.[0] === mutation.name) params.splice(i, 1)
          labels.delete(`repeat:${mutation.name}`)
        } else {
          params[first(mutation.name)] = [mutation.name, '']
        }
        labels.set(`param:${mutation.name}`, rule?.drop ?? 'malformed')
        notes.push(`${mutation.kind} ${mutation.name}`)
        break
      }
      case 'repeat': {
        const at = first(mutation.name)
        if (at < 0) break
        params.push([mutation.name, mutation.value ?? params[at]?.[1] ?? ''])
        labels.set(`repeat:${mutation.name}`, 'malformed')
        notes.push(`repeat ${mutation.name}`)
        break
      }
      case 'replace':
      case 'optional': {
        const at = first(mutation.name)
        if (at < 0) params.push([mutation.name, mutation.replacement.value])
        else params[at] = [mutation.name, mutation.replacement.value]
        labels.set(`param:${mutation.name}`, mutation.replacement.value === '' ? (template.rules[mutation.name]?.drop ?? 'neutral') : mutation.replacement.label)
        notes.push(`${mutation.kind} ${mutation.name}: ${mutation.replacement.label}`)
        break
      }
      case 'unknown': {
        const taken = new Set([...params, ...extra].map(([n]) => n))
        for (const [n, v] of mutation.params) {
          const decoded = new TextDecoder().decode(utf8(n))
          if (KNOWN_PARAMETERS.has(decoded) || taken.has(decoded)) continue
          taken.add(decoded)
          extra.push([decoded, v])
        }
        notes.push('unknown parameters')
        break
      }
      case 'invalid-utf8':
        invalid = mutation
        labels.set('utf8', 'malformed')
        notes.push(`invalid UTF-8 (${mutation.raw ? 'raw' : 'escaped'})`)
        break
      case 'pad':
        pad = mutation
        notes.push(mutation.over ? 'padded over the limit' : 'padded to the limit')
        break
      case 'content-length':
        headers.push(['content-length', mutation.value])
        notes.push(`content-length ${mutation.value}`)
        break
      case 'noise':
        for (const header of mutation.headers) {
          // Noise never names a header the endpoints read: those have mutations of their own.
          if (!/^(authorization|content-type|content-length|transfer-encoding|host)$/i.test(header[0])) headers.push([header[0], header[1]])
        }
        notes.push('header noise')
        break
      case 'auth':
        auth = mutation.auth
        labels.set('auth', mutation.auth.label)
        notes.push(`auth ${mutation.auth.name}`)
        break
    }
  }

  for (const value of auth.headers) headers.push([drawn.nameCase('authorization'), value])
  // RFC 6749 §3.2: one content type, a form; none, another, or two (RFC 9110 §5.3: no list) is malformed.
  const contentTypes = [contentType, secondContentType].filter((value) => value !== undefined)
  for (const value of contentTypes) headers.push([drawn.nameCase('content-type'), value])
  if (contentTypes.length !== 1 || !GOOD_CONTENT_TYPES.includes(contentTypes[0] ?? '')) labels.set('content-type', 'malformed')
  const all = [...params, ...auth.params, ...extra]
  const encode = (text: string): string => (drawn.encoding === 'form' ? formEncode(text) : percentEncode(text, drawn.encoding === 'every-byte'))
  const separator = drawn.messySeparators ? '&&' : '&'
  let text = (drawn.messySeparators ? '&' : '') + all.map(([n, v]) => `${encode(n)}=${encode(v)}`).join(separator)
  if (invalid !== undefined && !invalid.raw) text += `&x_fuzz_bad=${invalid.bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('')}`
  if (pad !== undefined) {
    const size = utf8(text).byteLength + (invalid?.raw === true ? invalid.bytes.length + 12 : 0) + '&x_fuzz_padding='.length
    const target = pad.over ? limitBytes + 1 + pad.amount : limitBytes - pad.amount
    if (target > size) text += `&x_fuzz_padding=${'p'.repeat(target - size)}`
  }
  let body: string | Uint8Array = text
  if (invalid?.raw === true) body = new Uint8Array([...utf8(`${text}&x_fuzz_bad=`), ...invalid.bytes])
  else if (drawn.bodyType === 'bytes') body = utf8(text)
  const size = typeof body === 'string' ? utf8(body).byteLength : body.byteLength
  if (size > limitBytes) labels.set('size', 'malformed')

  const sent = all.filter(([n]) => SECRET_PARAMETERS.has(n)).map(([, v]) => v)
  for (const value of auth.headers) sent.push(value.replace(/^\S+\s+/, ''))
  sent.push(...(auth.secrets ?? []))
  return printable({
    template: template.name,
    method,
    headers,
    body,
    headerShape: drawn.headerShape,
    labels,
    notes,
    secrets: sent.filter(isSecretLike),
    chaos: false,
  })
}

/** The parameters whose values are secrets: a code, a token, a secret, a verifier, an assertion. */
const SECRET_PARAMETERS = new Set(['code', 'code_verifier', 'refresh_token', 'client_secret', 'client_assertion', 'token', 'access_token'])

/** A value worth looking for in an answer: long enough that finding it is not chance. */
function isSecretLike(value: string): boolean {
  return value.length >= 16 && /^[A-Za-z0-9._~+/=-]+$/.test(value)
}
