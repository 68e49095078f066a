// The guides' code blocks must compile against the public API, as README's do (issue 10, item 4):
// every ```ts block of every guide below is type-checked, each block a module of its own. A block
// imports what it uses from the package; a block that continues an earlier one may use the
// parties that one built (`partyA`, `partyB`, … declared in `guides-ambient.ts`). A block that is
// deliberately not checked — an excerpt with placeholders — is fenced ```ts no-check; typedoc
// still highlights it as TypeScript.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { typecheckSnippets } from '../helpers/typecheck.js'
import { GUIDES, tsBlocks, tsFences } from './guide-blocks.js'

describe('the guides in docs/', () => {
  const snippets = GUIDES.flatMap(tsBlocks)

  it('finds the blocks, and skips only those marked no-check', () => {
    expect(tsBlocks('docs/getting-started.md').length).toBeGreaterThan(0)
    expect(snippets.length).toBeGreaterThan(10)
    // Only two fences of TypeScript: checked, or marked not to be (a typo would skip a block silently).
    expect(GUIDES.flatMap(tsFences).filter((fence) => fence !== 'ts' && fence !== 'ts no-check')).toEqual([])
  })

  it('type-checks every ```ts block against the package exports, reported at file:line', { timeout: 120_000 }, () => {
    // A canary in the same program proves a call to a method that does not exist is caught, at its line.
    const canary = { file: 'canary.md', line: 3, code: "await partyA.getLink('x')\nawait partyA.deliver('x')" }
    const ambientModule = join(import.meta.dirname, 'guides-ambient.ts')
    expect(typecheckSnippets([...snippets, canary], { ambientModule })).toEqual(["canary.md:4: Property 'deliver' does not exist on type 'PartyA'."])
  })
})
