// README's examples must compile against the public API (issue: "a minimal party-A and party-B
// example that actually compiles").
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '')

describe('README examples', () => {
  it('has a party-A and a party-B example', () => {
    expect(blocks.some((code) => code.includes('createPartyA('))).toBe(true)
    expect(blocks.some((code) => code.includes('createPartyB('))).toBe(true)
  })

  it('type-checks every TypeScript example against the package exports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'readme-'))
    const files = blocks.map((code, i) => {
      const file = join(dir, `example-${i}.ts`)
      writeFileSync(file, code)
      return file
    })
    const program = ts.createProgram(files, {
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
      noEmit: true,
      skipLibCheck: true,
      baseUrl: root,
      paths: { 'reciprocal-oauth': ['src/index.ts'], 'reciprocal-oauth/*': ['src/*.ts'] },
    })
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    expect(diagnostics).toEqual([])
  })
})
