// README's examples must compile against the public API (issue: "a minimal party-A and party-B
// example that actually compiles").
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, typecheckSnippets } from './helpers/typecheck.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => ({
  file: 'README.md',
  line: readme.slice(0, match.index).split('\n').length + 1,
  code: match[1] ?? '',
}))
const blocks = snippets.map((snippet) => snippet.code)

describe('README examples', () => {
  it('has a party-A and a party-B example', () => {
    expect(blocks.some((code) => code.includes('createPartyA('))).toBe(true)
    expect(blocks.some((code) => code.includes('createPartyB('))).toBe(true)
  })

  it('type-checks every TypeScript example against the package exports, reported at file:line', () => {
    expect(typecheckSnippets(snippets)).toEqual([])
  })
})
