// The code, the tests and the docs cite requirements as `SPEC R4.2`; docs/requirements.md is where
// those numbers are defined, so the repository stands on its own. A citation of a number the
// document does not define, or a "Tested by:" line naming a file that does not cite it, fails here.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const requirementsPath = join(root, 'docs', 'requirements.md')
const requirements = readFileSync(requirementsPath, 'utf8')

// One citation may list several numbers, also across a comment's line break:
// "SPEC R1.1–R1.2, R7.1", "SPEC R3.1,\n// R5.1–R5.3", "SPEC R4.2 / RFC 6749" (the RFC is not ours).
const NUMBER = String.raw`R\d+(?:\.\d+)?`
// A list separator, then what continues a comment on the next line ("//" or " *").
const SEPARATOR = String.raw`\s*(,|–|-|\/|and)\s*(?:(?:\/\/|\*)\s*)?`
const CITATION = new RegExp(`SPEC (${NUMBER}(?:${SEPARATOR}${NUMBER})*)`, 'g')
const LIST_ITEM = new RegExp(`(?:^|${SEPARATOR})(${NUMBER})`, 'g')

interface Citation {
  readonly file: string
  readonly line: number
  readonly number: string
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path, keep)
    return keep(entry.name) ? [path] : []
  })
}

/** The numbers a range stands for: R5.1–R5.3 is R5.1, R5.2, R5.3; R1–R4 is R1 to R4. */
function expandRange(from: string, to: string): string[] {
  const [fromSection, fromItem] = from.slice(1).split('.').map(Number)
  const [toSection, toItem] = to.slice(1).split('.').map(Number)
  if (fromSection === undefined || toSection === undefined) return [from, to]
  if (fromItem === undefined && toItem === undefined && fromSection < toSection) {
    return Array.from({ length: toSection - fromSection + 1 }, (_, i) => `R${fromSection + i}`)
  }
  if (fromItem !== undefined && toItem !== undefined && fromSection === toSection && fromItem < toItem) {
    return Array.from({ length: toItem - fromItem + 1 }, (_, i) => `R${fromSection}.${fromItem + i}`)
  }
  return [from, to]
}

function citationsIn(text: string, file: string): Citation[] {
  return [...text.matchAll(CITATION)].flatMap((match) => {
    const line = text.slice(0, match.index).split('\n').length
    const numbers: string[] = []
    // Each number with the separator before it; a dash closes a range opened by the number before.
    for (const [, separator, number] of (match[1] ?? '').matchAll(LIST_ITEM)) {
      if (number === undefined) continue
      const previous = numbers.at(-1)
      if (previous !== undefined && (separator === '–' || separator === '-')) numbers.push(...expandRange(previous, number).slice(1))
      else numbers.push(number)
    }
    return numbers.map((number) => ({ file, line, number }))
  })
}

function citedFiles(): string[] {
  const source = (name: string): boolean => /\.(ts|tsx|mts|js|mjs)$/.test(name)
  return [
    ...filesUnder(join(root, 'src'), source),
    ...filesUnder(join(root, 'test'), source),
    join(root, 'README.md'),
    // docs/api is typedoc's output (generated, and not committed).
    ...filesUnder(join(root, 'docs'), (name) => name.endsWith('.md')).filter((path) => !path.includes(join('docs', 'api'))),
  ]
}

function allCitations(): Citation[] {
  return citedFiles().flatMap((path) => citationsIn(readFileSync(path, 'utf8'), relative(root, path)))
}

/** The numbers docs/requirements.md defines: an explicit `<a id="R4.2">` or a heading `### R4.2 …`. */
function definedNumbers(markdown: string): Set<string> {
  const anchors = [...markdown.matchAll(/<a id="(R\d+(?:\.\d+)?)"><\/a>/g)].map((match) => match[1])
  const headings = [...markdown.matchAll(/^#{2,4} (R\d+(?:\.\d+)?)(?= |$)/gm)].map((match) => match[1])
  return new Set([...anchors, ...headings].filter((number): number is string => number !== undefined))
}

/** Each requirement's text: from its anchor to the next anchor. */
function sections(markdown: string): Map<string, string> {
  const parts = markdown.split(/(?=<a id="R\d+(?:\.\d+)?"><\/a>)/)
  const bySection = new Map<string, string>()
  for (const part of parts) {
    const number = /^<a id="(R\d+(?:\.\d+)?)">/.exec(part)?.[1]
    if (number !== undefined) bySection.set(number, part)
  }
  return bySection
}

const defined = definedNumbers(requirements)

describe('docs/requirements.md defines every requirement the repository cites', () => {
  it('finds citations in src, test, README.md and docs', () => {
    const files = new Set(allCitations().map((citation) => citation.file.split('/')[0]))
    expect([...files].sort()).toEqual(['README.md', 'docs', 'src', 'test'])
  })

  it('every "SPEC R…" citation names a requirement the document defines', () => {
    const undefinedCitations = allCitations()
      .filter((citation) => !defined.has(citation.number))
      .map((citation) => `${citation.file}:${citation.line} cites SPEC ${citation.number}`)
    expect(undefinedCitations).toEqual([])
  })

  it('reads every number of a list, and every number inside a range, across a line break, and not an RFC', () => {
    const cited = citationsIn('(SPEC R1.1–R1.3, R7.1) and (SPEC R3.1,\n// R5.1) and SPEC R2–R4 / RFC 6749', 'x')
    expect(cited.map((citation) => citation.number)).toEqual(['R1.1', 'R1.2', 'R1.3', 'R7.1', 'R3.1', 'R5.1', 'R2', 'R3', 'R4'])
  })

  it('refuses a citation of a number the document does not define', () => {
    // Split so that this file itself cites nothing undefined.
    const cited = citationsIn(`// SPEC ${'R'}9.9: not a requirement`, 'scratch.ts')
    expect(cited.filter((citation) => !defined.has(citation.number))).toHaveLength(1)
  })

  it('each requirement has a heading with its number and an explicit anchor', () => {
    for (const number of defined) {
      expect(requirements, number).toContain(`<a id="${number}"></a>`)
      expect(requirements, number).toMatch(new RegExp(`^#{2,3} ${number.replace('.', '\\.')} `, 'm'))
    }
  })

  it('each sub-requirement names its sources and the test files that cite it', () => {
    for (const [number, text] of sections(requirements)) {
      if (!number.includes('.')) continue
      expect(text, number).toMatch(/^Sources: .+/m)
      const testedBy = /^Tested by: (.+)$/m.exec(text)?.[1]
      expect(testedBy, number).toBeDefined()
      const files = [...(testedBy ?? '').matchAll(/`([^`]+\.test\.ts)`/g)].map((match) => match[1] ?? '')
      expect(files.length, number).toBeGreaterThan(0)
      for (const file of files) {
        const path = join(root, file)
        expect(existsSync(path), `${number}: ${file}`).toBe(true)
        const numbers = citationsIn(readFileSync(path, 'utf8'), file).map((citation) => citation.number)
        expect(numbers, `${number}: ${file} cites it`).toContain(number)
      }
    }
  })
})
