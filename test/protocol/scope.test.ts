import { formatScope, intersectScopes, isScopeSubset, isValidScope, parseScope } from 'reciprocal-oauth/machines'
import { describe, expect, it } from 'vitest'
import { normalizeTokens } from '../../src/protocol/scope.js'

describe('isValidScope (RFC 6749 §3.3 syntax, SPEC R1.2)', () => {
  it.each([
    'a',
    'music.read music.play',
    'https://api.example.com/scope',
    'urn:example:scope openid',
    // every allowed printable character: %x21 / %x23-5B / %x5D-7E
    "!#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~",
  ])('accepts %j', (scope) => {
    expect(isValidScope(scope)).toBe(true)
  })

  it.each([
    ['the empty string', ''],
    ['a double quote', 'a"b'],
    ['a backslash', 'a\\b'],
    ['a double space', 'a  b'],
    ['a leading space', ' a'],
    ['a trailing space', 'a '],
    ['only a space', ' '],
    ['a tab', 'a\tb'],
    ['a newline', 'a\nb'],
    ['a NUL', 'a\u0000'],
    ['DEL', 'a\u007f'],
    ['non-ASCII', 'musique.écoute'],
    ['a non-breaking space', 'a\u00a0b'],
  ])('refuses %s', (_label, scope) => {
    expect(isValidScope(scope)).toBe(false)
  })
})

describe('parseScope', () => {
  it('returns sorted, de-duplicated tokens', () => {
    expect(parseScope('b a b c')).toEqual(['a', 'b', 'c'])
  })

  it('keeps case: scope tokens are case-sensitive', () => {
    expect(parseScope('Read read')).toEqual(['Read', 'read'])
  })

  it.each(['', 'a\tb', 'a  b', ' a', 'a\\b', 'a"b'])('returns undefined for invalid %j', (scope) => {
    expect(parseScope(scope)).toBeUndefined()
  })
})

describe('normalizeTokens and formatScope', () => {
  it('sorts and removes duplicates', () => {
    expect(normalizeTokens(['z', 'a', 'z'])).toEqual(['a', 'z'])
    expect(normalizeTokens(new Set(['b', 'a']))).toEqual(['a', 'b'])
  })

  it('formats with single spaces in a stable order', () => {
    expect(formatScope(['b', 'a', 'b'])).toBe('a b')
    expect(formatScope([])).toBe('')
  })

  it('round-trips through parseScope', () => {
    const scope = formatScope(['music.play', 'music.read', 'assistant.announce'])
    expect(isValidScope(scope)).toBe(true)
    expect(formatScope(parseScope(scope) ?? [])).toBe(scope)
  })
})

describe('intersectScopes (SPEC R1.3, R7.6)', () => {
  it('offers only what both sides have', () => {
    expect(intersectScopes(['a', 'b', 'c'], ['b', 'c', 'd'])).toEqual(['b', 'c'])
  })

  it('never returns a token absent from either side (SPEC R1.3: never more)', () => {
    const requested = ['admin', 'music.read', 'music.read']
    const configured = ['music.read', 'music.play']
    const offered = intersectScopes(requested, configured)
    expect(offered).toEqual(['music.read'])
    expect(isScopeSubset(offered, requested)).toBe(true)
    expect(isScopeSubset(offered, configured)).toBe(true)
  })

  it('is empty when nothing is shared, or either side is empty', () => {
    expect(intersectScopes(['a'], ['b'])).toEqual([])
    expect(intersectScopes([], ['b'])).toEqual([])
    expect(intersectScopes(['a'], [])).toEqual([])
  })

  it('is symmetric and normalised', () => {
    expect(intersectScopes(['c', 'a', 'b'], ['b', 'a'])).toEqual(intersectScopes(['b', 'a'], ['c', 'a', 'b']))
    expect(intersectScopes(['c', 'a', 'a', 'b'], ['b', 'a', 'c'])).toEqual(['a', 'b', 'c'])
  })

  it('matches tokens case-sensitively', () => {
    expect(intersectScopes(['Read'], ['read'])).toEqual([])
  })
})

describe('isScopeSubset (SPEC R7.6)', () => {
  it('accepts a subset, an equal set and the empty set', () => {
    expect(isScopeSubset(['a'], ['a', 'b'])).toBe(true)
    expect(isScopeSubset(['b', 'a'], ['a', 'b'])).toBe(true)
    expect(isScopeSubset([], ['a'])).toBe(true)
    expect(isScopeSubset([], [])).toBe(true)
  })

  it('refuses a wider scope', () => {
    expect(isScopeSubset(['a', 'z'], ['a', 'b'])).toBe(false)
    expect(isScopeSubset(['a'], [])).toBe(false)
  })

  it('ignores duplicates', () => {
    expect(isScopeSubset(['a', 'a'], ['a'])).toBe(true)
  })
})
