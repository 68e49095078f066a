// Issue 10 item 4: the API reference documents every export with an example and the requirement or
// RFC section it implements. This walks each public entry's exports with the TypeScript compiler
// API (as public-api.test.ts does) and reads the JSDoc comment right above each declaration.
// That the examples compile is examples-typecheck.test.ts's job; that a `SPEC R…` citation
// names a defined requirement is requirements.test.ts's (both read the same comments in src/).
import { existsSync, readFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
// The entries the API reference documents: typedoc's own list, so a new subpath is covered as
// soon as it is in the reference.
const entries: string[] = (JSON.parse(readFileSync(resolve(root, 'typedoc.json'), 'utf8')) as { entryPoints: string[] }).entryPoints

/**
 * The citation forms a JSDoc comment may use to say what it implements. An export that implements
 * no protocol rule (a storage adapter, the runtime, the Node adapter, a test helper) cites the
 * docs page that states the rule it serves, with `@see docs/<page>.md`.
 */
const CITATION_FORMS: Record<string, RegExp> = {
  'SPEC R<n> (docs/requirements.md)': /\bSPEC R\d+(?:\.\d+)?\b/,
  'RFC <nnnn> §<x>': /\bRFC \d{4} §\d/,
  "draft-ietf-oauth-reciprocal-04 §<x> (the draft's section)": /\bdraft-ietf-oauth-reciprocal-04 §\d/,
  'a link to an RFC or draft section (rfc-editor.org/rfc/rfc<nnnn>#section-<x>, …reciprocal-04#section-<x>)':
    /https:\/\/(?:www\.rfc-editor\.org\/rfc\/rfc\d{4}|datatracker\.ietf\.org\/doc\/html\/draft-ietf-oauth-reciprocal-04)#section-\d/,
  '@see docs/<page>.md': /@see\b[^\n]*\bdocs\/[\w/-]+\.md\b/,
}

interface DocumentedExport {
  readonly name: string
  readonly where: string
  /** The JSDoc comments of every declaration of the name (an overloaded function has several). */
  readonly jsdoc: string
}

/** The `/** … *\/` comment right above a declaration (a variable's is above its statement). */
function jsdocOf(declaration: ts.Node): string {
  const node = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration
  const text = node.getSourceFile().text
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []
  const last = ranges.filter((range) => text.startsWith('/**', range.pos)).at(-1)
  return last === undefined ? '' : text.slice(last.pos, last.end)
}

function publicExports(): DocumentedExport[] {
  const program = ts.createProgram(
    entries.map((file) => resolve(root, file)),
    { noEmit: true, skipLibCheck: true, types: [], moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext },
  )
  const checker = program.getTypeChecker()
  const byName = new Map<string, DocumentedExport>()
  for (const file of entries) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(resolve(root, file))!)!
    for (const exported of checker.getExportsOfModule(module)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const declarations = target.declarations ?? []
      const first = declarations[0]
      const where = first === undefined ? file : relative(root, first.getSourceFile().fileName)
      // A name re-exported from a dependency (oauth4webapi's client authentications) is documented
      // on our `export { … } from` statement: the dependency's own comment cites nothing of ours.
      const specifier = exported.declarations?.find(ts.isExportSpecifier)
      const reexport = specifier !== undefined && where.includes('node_modules') ? jsdocOf(specifier.parent.parent) : ''
      byName.set(exported.getName(), { name: exported.getName(), where, jsdoc: [reexport, ...declarations.map(jsdocOf)].join('\n') })
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))
}

const exported = publicExports()
const listed = (missing: DocumentedExport[]): string[] => missing.map((entry) => `${entry.name} (${entry.where})`)

describe('every public export has JSDoc with an example and what it implements (issue 10 item 4)', () => {
  it('walks the exports of every public entry', () => {
    expect(entries).toEqual(expect.arrayContaining(['src/index.ts', 'src/client.ts', 'src/server.ts', 'src/machines.ts', 'src/node.ts', 'src/testing.ts']))
    expect(exported.length).toBeGreaterThan(200)
    expect(exported.map((entry) => entry.name)).toContain('createPartyA')
  })

  it('every export has JSDoc', () => {
    expect(listed(exported.filter((entry) => entry.jsdoc.trim() === ''))).toEqual([])
  })

  it('every export has an @example', () => {
    expect(listed(exported.filter((entry) => !/^\s*\*\s*@example\b/m.test(entry.jsdoc)))).toEqual([])
  })

  it(`every export cites what it implements, in one of these forms: ${Object.keys(CITATION_FORMS).join('; ')}`, () => {
    const uncited = exported.filter((entry) => !Object.values(CITATION_FORMS).some((form) => form.test(entry.jsdoc)))
    expect(listed(uncited)).toEqual([])
  })

  it('every docs page a @see names exists', () => {
    const pages = exported.flatMap((entry) => [...entry.jsdoc.matchAll(/@see\b[^\n]*?\b(docs\/[\w-]+\.md)\b/g)].map((match) => `${entry.name}: ${match[1]}`))
    expect(pages.filter((page) => !existsSync(resolve(root, page.split(': ')[1] ?? '')))).toEqual([])
  })

  it('accepts each citation form, and refuses an RFC without a section or a bare "see the docs"', () => {
    const cites = (jsdoc: string): boolean => Object.values(CITATION_FORMS).some((form) => form.test(jsdoc))
    expect(['* SPEC R4.2', '* @see RFC 6749 §5.2', '* @see draft-ietf-oauth-reciprocal-04 §2.2.2', '* @see docs/storage.md', '* @see https://www.rfc-editor.org/rfc/rfc7009#section-2'].map(cites)).toEqual([true, true, true, true, true])
    expect(['* @see RFC 6749', '* see the docs', '* R4.2', '* @see https://www.rfc-editor.org/rfc/rfc7009'].map(cites)).toEqual([false, false, false, false])
  })
})
