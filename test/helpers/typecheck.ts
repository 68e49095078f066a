// Type-checks documentation snippets (README blocks, JSDoc `@example`s) against the package's
// public entries, with one TypeScript program for all of them. The snippets are virtual files: no
// temporary directory, and a diagnostic is reported at the snippet's own file and line.
import { readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import ts from 'typescript'

export const ROOT = resolve(import.meta.dirname, '../..')
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  readonly name: string
  readonly exports: Record<string, unknown>
}

/** A snippet of TypeScript and where it came from (`line`: the file's line of the snippet's first line). */
export interface Snippet {
  readonly file: string
  readonly line: number
  readonly code: string
}

/**
 * The package's entry points, read from `package.json` `exports`, each mapped to its source:
 * `reciprocal-oauth/node` → `src/adapters/node.ts` (from `./dist/adapters/node.d.ts`).
 */
export function entryPoints(): Map<string, string> {
  const entries = new Map<string, string>()
  for (const [subpath, target] of Object.entries(PACKAGE.exports)) {
    const types = /"types":\s*"\.\/dist\/([^"]+)\.d\.ts"/.exec(JSON.stringify(target))?.[1]
    if (types === undefined) continue
    entries.set(subpath === '.' ? PACKAGE.name : `${PACKAGE.name}${subpath.slice(1)}`, join(ROOT, 'src', `${types}.ts`))
  }
  return entries
}

const entries = entryPoints()

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  types: ['node'],
  noEmit: true,
  skipLibCheck: true,
  paths: Object.fromEntries([...entries].map(([name, file]) => [name, [file]])),
}

export interface TypecheckOptions {
  /** Import every public name of every entry point that the snippet does not declare itself. */
  readonly importPublicNames?: boolean
  /** Also import the names exported by the snippet's own source file (an `@internal` example uses its module). */
  readonly importOwnModule?: boolean
  /** A module whose exports every snippet imports too: the snippets' free variables (`storage`, `app`, …). */
  readonly ambientModule?: string
  /**
   * Make each snippet the body of an async function (its own imports hoisted above it), so an
   * example may `await` and `return` as the code it illustrates would.
   */
  readonly asFunctionBody?: boolean
}

/**
 * Type-checks `snippets` as modules, with one program over all of them. Returns one line per
 * error, `file:line: message`, at the snippet's own file and line; `[]` when every snippet compiles.
 */
export function typecheckSnippets(snippets: readonly Snippet[], options: TypecheckOptions = {}): string[] {
  const host = cachingHost()
  const specifier = (file: string): string => file.replace(/\.ts$/, '.js')
  const ambient = options.ambientModule === undefined ? [] : [options.ambientModule]
  const publicEntries = options.importPublicNames === true ? [...entries.values()] : []
  const ownModule = (snippet: Snippet): string[] => (options.importOwnModule === true ? [join(ROOT, snippet.file)] : [])
  const names = exportedNames(host, [...new Set([...publicEntries, ...snippets.flatMap(ownModule), ...ambient])])
  const virtual = new Map<string, { readonly snippet: Snippet; readonly text: string }>()
  snippets.forEach((snippet, i) => {
    const { imports, body } = options.asFunctionBody === true ? hoistImports(snippet.code) : { imports: [], body: snippet.code }
    // Each name once, from the first module that has it: the public entries, then the snippet's own module, then the ambient one.
    const taken = declaredNames(snippet.code)
    const implicit = [...publicEntries, ...ownModule(snippet), ...ambient].flatMap((file) => {
      const fresh = (names.get(file) ?? []).filter((name) => !taken.has(name))
      for (const name of fresh) taken.add(name)
      const from = [...entries].find(([, entry]) => entry === file)?.[0] ?? specifier(file)
      return fresh.length === 0 ? [] : [`import { ${fresh.join(', ')} } from '${from}';`]
    })
    // The header is one line, so a snippet's line n is the virtual file's line n + 1.
    const header = [...implicit, ...imports, options.asFunctionBody === true ? 'export async function example() {' : ''].join(' ')
    const text = `${header}\n${options.asFunctionBody === true ? `${body}\n}` : body}`
    virtual.set(join(ROOT, 'test', '.snippets', `snippet-${i}.ts`), { snippet, text })
  })
  const program = ts.createProgram([...ambient, ...virtual.keys()], COMPILER_OPTIONS, overlay(host, virtual))
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...[...ambient, ...virtual.keys()].flatMap((path) => {
      const file = program.getSourceFile(path)
      return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]
    }),
  ]
  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    if (diagnostic.file === undefined || diagnostic.start === undefined) return message
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
    const origin = virtual.get(diagnostic.file.fileName)
    if (origin === undefined) return `${relative(ROOT, diagnostic.file.fileName)}:${line + 1}: ${message}`
    return `${origin.snippet.file}:${origin.snippet.line + Math.max(line - 1, 0)}: ${message}`
  })
}

/** The snippet's import declarations, and its code with each of them blanked (lines kept). */
function hoistImports(code: string): { imports: string[]; body: string } {
  const source = ts.createSourceFile('snippet.ts', code, ts.ScriptTarget.ES2022)
  const imports: string[] = []
  let body = code
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue
    const text = code.slice(statement.getStart(source), statement.end)
    imports.push(text.replace(/\s+/g, ' ').replace(/;?$/, ';'))
    body = body.replace(text, text.replace(/[^\n]/g, ' '))
  }
  return { imports, body }
}

/** The names each module exports (by file). */
function exportedNames(host: ts.CompilerHost, files: readonly string[]): Map<string, readonly string[]> {
  const program = ts.createProgram(files, COMPILER_OPTIONS, host)
  const checker = program.getTypeChecker()
  return new Map(
    files.map((file) => {
      const source = program.getSourceFile(file)
      const module = source === undefined ? undefined : checker.getSymbolAtLocation(source)
      const exported = module === undefined ? [] : checker.getExportsOfModule(module).map((symbol) => symbol.name)
      return [file, exported.filter((name) => name !== 'default')]
    }),
  )
}

/** The names a snippet declares at its top level: imports, variables, functions, classes, types. */
function declaredNames(code: string): Set<string> {
  const names = new Set<string>()
  const bind = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text)
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name)
  }
  for (const statement of ts.createSourceFile('snippet.ts', code, ts.ScriptTarget.ES2022).statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause
      if (clause?.name !== undefined) names.add(clause.name.text)
      const bindings = clause?.namedBindings
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) names.add(bindings.name.text)
      if (bindings !== undefined && ts.isNamedImports(bindings)) for (const element of bindings.elements) names.add(element.name.text)
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) bind(declaration.name)
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name !== undefined
    ) {
      names.add(statement.name.text)
    }
  }
  return names
}

/** A compiler host that parses each real file once, for both programs (the entries', the snippets'). */
function cachingHost(): ts.CompilerHost {
  const host = ts.createCompilerHost(COMPILER_OPTIONS, true)
  const parsed = new Map<string, ts.SourceFile | undefined>()
  return {
    ...host,
    getSourceFile: (path, language, onError, create) => {
      if (!parsed.has(path)) parsed.set(path, host.getSourceFile(path, language, onError, create))
      return parsed.get(path)
    },
  }
}

/** `host`, with the virtual snippet files on top of the file system. */
function overlay(host: ts.CompilerHost, files: ReadonlyMap<string, { readonly text: string }>): ts.CompilerHost {
  return {
    ...host,
    fileExists: (path) => files.has(path) || host.fileExists(path),
    readFile: (path) => files.get(path)?.text ?? host.readFile(path),
    getSourceFile: (path, language, onError, create) => {
      const file = files.get(path)
      return file === undefined ? host.getSourceFile(path, language, onError, create) : ts.createSourceFile(path, file.text, language)
    },
  }
}
