// The oidc-provider integration guide's code must compile against the public API, as README's does.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, typecheckSnippets } from '../helpers/typecheck.js'

const file = 'docs/integrations/oidc-provider.md'
const guide = readFileSync(join(ROOT, file), 'utf8')
const snippets = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => ({
  file,
  line: guide.slice(0, match.index).split('\n').length + 1,
  code: match[1] ?? '',
}))

describe('docs/integrations/oidc-provider.md', () => {
  it('type-checks its TypeScript blocks against the package exports and oidc-provider, reported at file:line', () => {
    expect(snippets.some((snippet) => snippet.code.includes('addReciprocalGrant(provider'))).toBe(true)
    expect(typecheckSnippets(snippets)).toEqual([])
  })
})
