// docs/getting-started.md's program runs as it is written (issue 10, item 4): the smallest party
// A and party B link both ways in one process, B calls A's API, and A unlinks. The block is
// written to a temporary file and imported, so `reciprocal-oauth` resolves as in every test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { tsBlocks } from './guide-blocks.js'

const program = tsBlocks('docs/getting-started.md').find((block) => block.code.includes('createPartyB('))
const dir = mkdtempSync(join(tmpdir(), 'getting-started-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('docs/getting-started.md', () => {
  it('links both ways with one flow and one consent (SPEC R1–R4), B calls A, and A unlinks (SPEC R5.2)', async () => {
    expect(program).toBeDefined()
    const file = join(dir, 'link.ts')
    writeFileSync(file, program?.code ?? '')
    const printed: string[] = []
    const log = vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => void printed.push(values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(' ')))
    try {
      await import(file)
    } finally {
      log.mockRestore()
    }
    expect(printed).toEqual(['awaiting-consent', 'reciprocal-granted', 'linked', '200 {"announcedFor":"alice"}', 'string', 'unlinked'])
  })
})
