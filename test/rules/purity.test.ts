// DESIGN §1: the rules are pure — no storage, fetch, clock or randomness — so a reader can learn
// SPEC R4.2 and R5.1–R5.3 from them alone, and they are testable without a store.
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const dir = resolve(import.meta.dirname, '../../src/rules')
const files = readdirSync(dir).filter((name) => name.endsWith('.ts'))

describe('SPEC R4.2, R5.1–R5.3: src/rules is pure', () => {
  it('imports only the pure protocol layer, the error model, the layers below (lib/, core/) and its own files', () => {
    for (const name of files) {
      const imports = [...readFileSync(join(dir, name), 'utf8').matchAll(/^import .* from '([^']+)'/gm)].map((match) => match[1] ?? '')
      for (const path of imports) expect(path, `${name} imports ${path}`).toMatch(/^(\.\/[a-z-]+\.js|\.\.\/(protocol|lib|core)\/[a-z-]+\.js|\.\.\/errors\.js)$/)
    }
  })

  it('reads no clock, draws no random value, and awaits nothing', () => {
    for (const name of files) {
      const source = readFileSync(join(dir, name), 'utf8').replace(/\/\*\*[\s\S]*?\*\//g, '')
      expect(source, name).not.toMatch(/Date\.now|new Date|Math\.random|crypto\.|fetch\(|performance\.|await |async /)
    }
  })
})
