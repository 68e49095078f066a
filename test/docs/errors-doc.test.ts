// docs/errors.md must list every error code (issue 10, item 4): each `ErrorCode` in its table of
// `ReciprocalError` codes, with when it happens and what to do, and the other coded errors too.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ErrorCode, StorageFullError } from 'reciprocal-oauth'
import { MisuseCode } from '../../src/core/misuse.js'
import { ROOT } from '../helpers/typecheck.js'

const page = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8')
/** The table rows of the page: the code in the first cell, and how many cells follow it. */
const rows = new Map([...page.matchAll(/^\| `(ERR_[A-Z_]+)` \|(.*)\|$/gm)].map(([, code = '', rest = '']) => [code, rest.split(' | ').filter((cell) => cell.trim() !== '')]))

describe('docs/errors.md', () => {
  it.each(Object.values(ErrorCode))('SPEC R8.1: lists %s with when it happens, what to do, and whether to retry', (code) => {
    expect(rows.get(code)?.length).toBe(3)
  })

  it.each([...Object.values(MisuseCode), new StorageFullError(1).code])('lists %s with its class, when and what to do', (code) => {
    expect(rows.get(code)?.length).toBe(3)
  })

  it('lists no code the SDK does not have', () => {
    const known = new Set<string>([...Object.values(ErrorCode), ...Object.values(MisuseCode), new StorageFullError(1).code])
    expect([...rows.keys()].filter((code) => !known.has(code))).toEqual([])
  })
})
