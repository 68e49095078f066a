// The public API is a promise (issue 7 item 4): the root entry stays small, each subpath has one
// purpose, and helpers that are not protocol are exported from no entry at all.
import { resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const entries = {
  'reciprocal-oauth': 'src/index.ts',
  'reciprocal-oauth/client': 'src/client.ts',
  'reciprocal-oauth/redis': 'src/redis.ts',
  'reciprocal-oauth/cloudflare': 'src/cloudflare.ts',
  'reciprocal-oauth/server': 'src/server.ts',
  'reciprocal-oauth/machines': 'src/machines.ts',
  'reciprocal-oauth/node': 'src/node.ts',
  'reciprocal-oauth/postgres': 'src/postgres.ts',
  'reciprocal-oauth/testing': 'src/testing.ts',
  'reciprocal-oauth/oidc-provider': 'src/oidc-provider.ts',
} as const

function exportedNames(): Record<keyof typeof entries, string[]> {
  const files = Object.values(entries).map((file) => resolve(root, file))
  const program = ts.createProgram(files, { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true, skipLibCheck: true, types: [] })
  const checker = program.getTypeChecker()
  return Object.fromEntries(
    Object.entries(entries).map(([name, file]) => {
      const source = program.getSourceFile(resolve(root, file))
      const symbol = source && checker.getSymbolAtLocation(source)
      if (symbol === undefined) throw new Error(`no module symbol for ${file}`)
      return [name, checker.getExportsOfModule(symbol).map((s) => s.getName()).sort()]
    }),
  ) as Record<keyof typeof entries, string[]>
}

const names = exportedNames()

/** Each name every entry exports, with the declarations it stands for (an entry per entry and name). */
function exportedDeclarations(): Array<[string, ts.Declaration[]]> {
  const program = ts.createProgram(Object.values(entries).map((file) => resolve(root, file)), { noEmit: true, skipLibCheck: true, types: [], moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext })
  const checker = program.getTypeChecker()
  return Object.values(entries).flatMap((file) =>
    checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(resolve(root, file))!)!).map((exported): [string, ts.Declaration[]] => {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      return [exported.getName(), target.declarations ?? []]
    }),
  )
}

describe('the public API', () => {
  it('the root entry exports at most 40 names (values and types)', () => {
    expect(names['reciprocal-oauth'].length).toBeLessThanOrEqual(40)
  })

  it('exports no helper that is not protocol, from any entry', () => {
    const helpers = ['sha256', 'base64url', 'secretFromBytes', 'timingSafeEqual', 'headerValue', 'normalizeTokens', 'requestOptions', 'SECRET_BYTES', 'schemas']
    for (const [entry, exported] of Object.entries(names)) {
      expect({ entry, leaked: exported.filter((name) => helpers.includes(name)) }).toEqual({ entry, leaked: [] })
    }
  })

  it('gives one name one meaning across all entries', () => {
    // The same name may be re-exported by two entries only when it is the same declaration; the
    // collisions issue 7 lists (two PendingAuthorization, handleCallback twice) stay resolved. The
    // build's shared module (build/shared-module.ts) re-exports every entry with `export *`, too.
    const declarations = new Map<string, Set<string>>()
    for (const [name, declared] of exportedDeclarations()) {
      const where = declared.map((d) => `${d.getSourceFile().fileName}:${d.pos}`).join(',')
      declarations.set(name, (declarations.get(name) ?? new Set()).add(where))
    }
    const ambiguous = [...declarations].filter(([, where]) => where.size > 1).map(([name]) => name)
    expect(ambiguous).toEqual([])
  })

  it('every exported class names itself, so that no minifying build can rename it', () => {
    const unnamed = new Set<string>()
    for (const [name, declared] of exportedDeclarations()) {
      for (const declaration of declared) {
        if (!ts.isClassDeclaration(declaration)) continue
        const named = declaration.members.some(
          (member) =>
            ts.isPropertyDeclaration(member) &&
            member.name.getText() === 'name' &&
            member.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword) === true &&
            member.initializer?.getText() === `'${name}'`,
        )
        if (!named) unnamed.add(name)
      }
    }
    expect([...unnamed]).toEqual([])
  })
})
