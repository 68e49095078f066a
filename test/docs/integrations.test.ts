// The framework integration pages (docs/integrations/*.md) show code a user copies: every
// TypeScript block must compile against the package, the framework, and the names of
// integrations-ambient.ts (the parties an application defines).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, typecheckSnippets, type Snippet } from '../helpers/typecheck.js'

const PAGES = ['hono', 'express', 'fastify', 'cloudflare-worker', 'deno', 'bun'].map((name) => `docs/integrations/${name}.md`).filter((file) => existsSync(join(ROOT, file)))

const snippets: Snippet[] = PAGES.flatMap((file) => {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => ({ file, line: text.slice(0, match.index).split('\n').length + 1, code: match[1] ?? '' }))
})

describe('docs/integrations', () => {
  it('has a page with code for each integration written so far, linked from README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    for (const file of PAGES) {
      expect(snippets.some((snippet) => snippet.file === file), file).toBe(true)
      expect(readme, file).toContain(`(${file})`)
    }
  })

  it('type-checks every TypeScript block, reported at file:line', () => {
    expect(typecheckSnippets(snippets, { ambientModule: join(import.meta.dirname, 'integrations-ambient.ts') })).toEqual([])
  }, 120_000) // one TypeScript program over the frameworks' types: seconds, more on a loaded machine
})
