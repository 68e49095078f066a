// The code blocks of the guides in docs/, for guides.test.ts and getting-started.test.ts.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, type Snippet } from '../helpers/typecheck.js'

/** The guides: each ```ts block of theirs must type-check (each is also in typedoc.json's `projectDocuments`). */
export const GUIDES = ['docs/getting-started.md', 'docs/party-a.md', 'docs/party-b.md', 'docs/update-flow.md', 'docs/security.md', 'docs/google-compatibility.md']

/** The ```ts blocks of one Markdown file (not ```ts no-check), each at the line of its first code line. */
export function tsBlocks(file: string): Snippet[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => ({
    file,
    line: text.slice(0, match.index).split('\n').length + 1,
    code: match[1] ?? '',
  }))
}

/** Every fence that opens a TypeScript block (`ts`, `ts no-check`, …) in one Markdown file. */
export function tsFences(file: string): string[] {
  return [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^```(ts\S*.*)$/gm)].map((match) => match[1] ?? '')
}
