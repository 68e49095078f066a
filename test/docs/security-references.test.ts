// docs/security.md names, for each threat, the test that shows the SDK meets it (issue 10, item
// 4): `test/….test.ts`: “title”. Each named file must exist and hold a test of that title, as
// written in the source, so the page cannot drift from the suite.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/typecheck.js'

const REFERENCE = /`(test\/[\w/.-]+\.test\.ts)`: ((?:“[^”]+”(?:, )?)+)/g

/** Every (file, title) pair docs/security.md cites. */
function references(markdown: string): Array<{ file: string; title: string }> {
  return [...markdown.matchAll(REFERENCE)].flatMap(([, file = '', titles = '']) => [...titles.matchAll(/“([^”]+)”/g)].map(([, title = '']) => ({ file, title })))
}

/** The titles of a test file's `it`/`describe` calls, as literals in the source (escapes undone). */
function titlesIn(source: string): Set<string> {
  const literal = /\b(?:it|test|describe)(?:\.each\([\s\S]*?\))?\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|`([^`]*)`)/g
  return new Set([...source.matchAll(literal)].map((match) => (match[1] ?? match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1')))
}

describe('docs/security.md', () => {
  const cited = references(readFileSync(join(ROOT, 'docs/security.md'), 'utf8'))

  it('cites a test for each threat it lists', () => {
    expect(cited.length).toBeGreaterThan(40)
  })

  it('names only tests that exist, by file and title', () => {
    const missing = cited.filter(({ file, title }) => !existsSync(join(ROOT, file)) || !titlesIn(readFileSync(join(ROOT, file), 'utf8')).has(title))
    expect(missing).toEqual([])
  })

  it('catches a test that does not exist', () => {
    const [reference] = references('`test/e2e/adversarial.test.ts`: “SPEC R7.3: a code that was never minted is a feature”')
    expect(reference).toBeDefined()
    expect(titlesIn(readFileSync(join(ROOT, reference?.file ?? ''), 'utf8')).has(reference?.title ?? '')).toBe(false)
  })
})
