// docs/security.md names, for each threat, the test that shows the SDK meets it (issue 10, item
// 4), and docs/google-compatibility.md the tests of the profile: a file, `test/….test.ts`, then
// the titles of its tests in “…” (up to the next file, table cell or paragraph). Each named file
// must exist and hold a test of each title, as written in the source, so the pages cannot drift
// from the suite.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/typecheck.js'

const PAGES = ['docs/security.md', 'docs/google-compatibility.md']
/** A test file, then what follows it up to the next file, table cell or paragraph. */
const REFERENCE = /`(test\/[\w/.-]+\.test\.ts)`((?:(?!`test\/)[^|]|\n(?!\n))*)/g

/** Every (file, title) pair a page cites; `title` is undefined for a file cited without one. */
function references(markdown: string): Array<{ file: string; title?: string }> {
  return [...markdown.matchAll(REFERENCE)].flatMap(([, file = '', after = '']) => {
    const titles = [...after.matchAll(/“([^”]+)”/g)].map(([, title = '']) => title.replace(/\s+/g, ' '))
    return titles.length === 0 ? [{ file }] : titles.map((title) => ({ file, title }))
  })
}

/** The titles of a test file's `it`/`describe` calls, as literals in the source (escapes undone). */
function titlesIn(source: string): Set<string> {
  const literal = /\b(?:it|test|describe)(?:\.each\([\s\S]*?\))?\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|`([^`]*)`)/g
  return new Set([...source.matchAll(literal)].map((match) => (match[1] ?? match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1')))
}

describe('the tests docs/security.md and docs/google-compatibility.md cite', () => {
  const cited = PAGES.flatMap((page) => references(readFileSync(join(ROOT, page), 'utf8')).map((reference) => ({ page, ...reference })))

  it('security.md cites a test for each threat it lists', () => {
    expect(cited.filter(({ page, title }) => page === 'docs/security.md' && title !== undefined).length).toBeGreaterThan(40)
  })

  it('exist, by file and title', () => {
    const missing = cited.filter(({ file, title }) => !existsSync(join(ROOT, file)) || (title !== undefined && !titlesIn(readFileSync(join(ROOT, file), 'utf8')).has(title)))
    expect(missing).toEqual([])
  })

  it('catches a test that does not exist', () => {
    const [reference] = references('`test/e2e/adversarial.test.ts`: “SPEC R7.3: a code that was never minted is a feature”')
    expect(reference).toBeDefined()
    expect(titlesIn(readFileSync(join(ROOT, reference?.file ?? ''), 'utf8')).has(reference?.title ?? '')).toBe(false)
  })
})
