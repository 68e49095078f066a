/**
 * The values and keys the storage contract suite stores: each one a way an adapter has been known
 * to change what it was given (a JSON column that reorders keys, a text column that refuses
 * `\u0000`, a `char(n)` key that ignores trailing spaces, a `LIKE` that treats `_` as a wildcard).
 *
 * @module
 */
import type { JsonValue } from '../core/storage.js'

/** Values that must come back as the same JSON text, with what each one checks. @internal */
export const ROUND_TRIP_VALUES: ReadonlyArray<readonly [string, JsonValue]> = [
  ['nested objects and arrays', { a: { b: { c: [1, [2, [3, { d: 'e' }]]] } }, list: [{ x: 1 }, { y: [] }] }],
  ['object keys in insertion order, not sorted (a jsonb column sorts them)', { zebra: 1, apple: 2, mango: { z: 1, a: 2 }, b: 3, aa: 4 }],
  ['unicode: accents, CJK, emoji, combining marks, right-to-left', 'Grüße, 東京, 🎵🔊, e\u0301, שלום'],
  ['control characters, NUL and a lone surrogate (escaped by JSON.stringify)', 'nul\u0000tab\tnewline\nbell\u0007lone\ud800end'],
  ['quotes, backslashes and SQL/JSON-looking text', `'; DROP TABLE t; -- "quoted" \\back\\slash {"not":"json"} $1 %_`],
  ['numbers: integers, negatives, fractions, exponents, the largest safe integer', [0, 1, -1, 1.5, 0.1 + 0.2, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]],
  ['booleans', [true, false]],
  ['null inside objects and arrays', { a: null, b: [null, { c: null }] }],
  ['the empty string', ''],
  ['a string that is JSON text', '{"a":1}'],
  ['a bare number', 42],
  ['a bare boolean', false],
  ['the empty object and the empty array', { empty: {}, none: [] }],
  ['an undefined property is dropped, as JSON.stringify drops it', { kept: 1, dropped: undefined }],
]

/** About 64 KB of JSON: a record with many entries and one long string. @internal */
export const LARGE_VALUE: JsonValue = {
  entries: Array.from({ length: 400 }, (_, i) => ({ id: `entry-${i}`, scope: 'music.play music.read', n: i })),
  blob: 'x'.repeat(64 * 1024 - 400 * 60) + 'é',
}

/** Keys that a careless adapter would confuse with one another. @internal */
export const UNUSUAL_KEYS: readonly string[] = [
  'code:abc',
  'code:ABC',
  'code:abc ',
  'code:abc:def',
  'code:ab_',
  'code:a%c',
  'link:Grüße/東京/🎵',
  `token:${'k'.repeat(500)}`,
]
