// SPEC R8.1: nothing fails silently. Every `catch` in src/ either tells the observer
// (`unexpectedFailure(…)` or `unexpected(…)`, or a driver's `report`), lets the error go on (`throw`), or says in a `// expected:` comment
// why what it catches is a classified outcome (a malformed input, an observer's own failure).
import { readdir, readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'

/** The text of each catch handler: from `catch` to its matching closing brace or parenthesis. */
function catchBlocks(source: string): Array<{ line: number; text: string }> {
  const blocks: Array<{ line: number; text: string }> = []
  for (const match of source.matchAll(/\bcatch\b\s*(\([^)]*\))?\s*([{(])/g)) {
    const open = match[2] as '{' | '('
    const close = open === '{' ? '}' : ')'
    let depth = 0
    let end = match.index + match[0].length - 1
    for (; end < source.length; end++) {
      if (source[end] === open) depth++
      else if (source[end] === close && --depth === 0) break
    }
    blocks.push({ line: source.slice(0, match.index).split('\n').length, text: source.slice(match.index, end + 1) })
  }
  return blocks
}

const ACCOUNTED = [/(\/\/|\/\*) expected: \S/, /\bunexpectedFailure\(/, /\bunexpected\(/, /\breport\b/, /\bthrow\b/]

describe('SPEC R8.1: no catch in src/ swallows an unexpected failure', () => {
  it('every catch emits, rethrows, or says why it is expected', async () => {
    const files = (await readdir('src', { recursive: true })).filter((file) => file.endsWith('.ts'))
    const silent: string[] = []
    for (const file of files) {
      const source = await readFile(`src/${file}`, 'utf8')
      // Doc comments show catch blocks in examples; they are not code.
      const code = source.replace(/\/\*\*[\s\S]*?\*\//g, (doc) => doc.replace(/[^\n]/g, ' '))
      for (const { line, text } of catchBlocks(code)) {
        if (!ACCOUNTED.some((pattern) => pattern.test(text))) silent.push(`src/${file}:${line}`)
      }
    }
    expect(silent).toEqual([])
  })

  it('the scanner finds a silent catch', () => {
    const blocks = catchBlocks('try { a() } catch { return 1 }\np.catch(() => undefined)')
    expect(blocks.map((b) => ACCOUNTED.some((pattern) => pattern.test(b.text)))).toEqual([false, false])
  })
})
