// Every `@example` in the JSDoc of `src/` must compile against the public API (issue 7, item 7),
// as the README's examples do: an example that calls a method that does not exist fails here.
// Each example is a module that imports every public name it does not declare itself; its free
// variables (`storage`, `clientSecret`, `app`, …) are declared once in `examples-ambient.ts`.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, typecheckSnippets, type Snippet } from '../helpers/typecheck.js'

/** The ```ts blocks inside the `@example` tags of the JSDoc comments of one source file. */
function jsdocExamples(file: string, text: string): Snippet[] {
  const snippets: Snippet[] = []
  const lines = text.split('\n')
  let inExample = false
  let block: { line: number; code: string[] } | undefined
  lines.forEach((raw, index) => {
    const jsdoc = /^\s*\*(?: |$)(.*)$/.exec(raw)
    if (jsdoc === null) {
      inExample = false // the comment ended
      return
    }
    const line = jsdoc[1] ?? ''
    if (block !== undefined) {
      if (line.trimEnd() === '```') {
        snippets.push({ file, line: block.line, code: block.code.join('\n') })
        block = undefined
      } else {
        block.code.push(line)
      }
    } else if (/^@\w+/.test(line)) {
      inExample = line.startsWith('@example')
    } else if (inExample && /^```tsx?$/.test(line.trimEnd())) {
      block = { line: index + 2, code: [] }
    }
  })
  return snippets
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

const examples = sourceFiles(join(ROOT, 'src')).flatMap((path) => jsdocExamples(relative(ROOT, path), readFileSync(path, 'utf8')))

describe('JSDoc @example blocks', () => {
  it('finds the examples (a ```ts block after @example)', () => {
    expect(examples.length).toBeGreaterThan(100)
    expect(examples.some((example) => example.file === 'src/core/runtime.ts' && example.code.includes('systemRuntime.now()'))).toBe(true)
  })

  it('type-check every example against the public entries, reported at file:line', { timeout: 120_000 }, () => {
    // A canary in the same program proves a call to a method that does not exist is caught, at its line.
    const canary = { file: 'canary.ts', line: 7, code: "const link = await partyA.getLink('x')\nawait partyA.deliver('x')" }
    const ambientModule = join(import.meta.dirname, 'examples-ambient.ts')
    const errors = typecheckSnippets([...examples, canary], { importPublicNames: true, importOwnModule: true, ambientModule, asFunctionBody: true })
    expect(errors).toEqual(["canary.ts:8: Property 'deliver' does not exist on type 'PartyA'."])
  })
})
