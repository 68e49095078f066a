/**
 * Scope algebra (RFC 6749 §3.3): a scope is a space-delimited list of case-sensitive tokens whose
 * order does not matter. The SDK keeps scopes as sorted, de-duplicated token arrays internally and
 * as strings on the wire.
 *
 * @module
 */

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/**
 * Whether `value` is a syntactically valid scope string: tokens separated by single spaces
 * (RFC 6749 §3.3). The empty string is not a scope.
 *
 * @example
 * ```ts
 * isValidScope('music.read music.play') // true
 * isValidScope('a  b') // false: a double space
 * ```
 * @group Scope
 */
export function isValidScope(value: string): boolean {
  if (value.length === 0) return false
  return value.split(' ').every((token) => SCOPE_TOKEN.test(token))
}

/**
 * Parses a scope string into its sorted, de-duplicated tokens. Returns `undefined` for a string
 * that is not RFC 6749 §3.3 syntax.
 *
 * @example
 * ```ts
 * parseScope('b a b') // ['a', 'b']
 * parseScope('a\tb') // undefined
 * ```
 * @group Scope
 */
export function parseScope(value: string): string[] | undefined {
  if (!isValidScope(value)) return undefined
  return normalizeTokens(value.split(' '))
}

/**
 * Sorts and de-duplicates scope tokens.
 *
 * @example
 * ```ts
 * normalizeTokens(['music.read', 'assistant.announce', 'music.read']) // ['assistant.announce', 'music.read']
 * ```
 * @group Scope
 */
export function normalizeTokens(tokens: Iterable<string>): string[] {
  return [...new Set(tokens)].sort()
}

/**
 * Renders tokens as a normalised scope string (sorted, single spaces).
 *
 * @example
 * ```ts
 * formatScope(['b', 'a']) // 'a b'
 * ```
 * @see RFC 6749 §3.3
 * @group Scope
 */
export function formatScope(tokens: Iterable<string>): string {
  return normalizeTokens(tokens).join(' ')
}

/**
 * The tokens present in both scopes, normalised. Used so that what is offered or granted is never
 * wider than what was configured or requested (SPEC R1.3, R7.6).
 *
 * @example
 * ```ts
 * intersectScopes(['a', 'b', 'c'], ['b', 'c', 'd']) // ['b', 'c']
 * ```
 * @group Scope
 */
export function intersectScopes(a: readonly string[], b: readonly string[]): string[] {
  const other = new Set(b)
  return normalizeTokens(a.filter((token) => other.has(token)))
}

/**
 * Whether every token of `inner` is in `outer`.
 *
 * @example
 * ```ts
 * isScopeSubset(['a'], ['a', 'b']) // true
 * isScopeSubset(['a', 'z'], ['a', 'b']) // false
 * ```
 * @see RFC 6749 §3.3, SPEC R7.6
 * @group Scope
 */
export function isScopeSubset(inner: readonly string[], outer: readonly string[]): boolean {
  const set = new Set(outer)
  return inner.every((token) => set.has(token))
}
