// Rewrites the CommonJS declaration files (dist/*.d.cts) after tsup wrote them: npm runs it after
// `npm run build` (package.json "postbuild"; tsup's onSuccess does not wait for the declarations).
//
// Why: oauth4webapi and jose are ES modules only. A `.d.cts` file that imports them as tsup wrote
// it (`import * as oauth from 'oauth4webapi'`) is, to TypeScript with `module: node16`, a
// `require()` of an ES module: error TS1479 in every CommonJS consumer that checks libraries
// (`skipLibCheck: false`). At run time Node >= 20.19 (`engines`) does require them; the types only
// need to say how to resolve them. So each import becomes type-only with
// `resolution-mode: import` (TypeScript >= 5.3), and a value re-exported from them (the client
// authentications) becomes a constant of that value's type. The ESM declarations (.d.ts) stay as
// they are.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The ESM-only packages our declaration files import. */
const ESM_ONLY = ['oauth4webapi', 'jose']

const ATTRIBUTES = "with { 'resolution-mode': 'import' }"
const from = `from '(${ESM_ONLY.join('|')})'`

/** One `.d.cts` file's text with its imports of the ESM-only packages made type-only. */
export function rewriteCommonJsTypes(text, file) {
  let aliases = 0
  const rewritten = text
    // import * as oauth from 'oauth4webapi';
    .replace(new RegExp(`^import \\* as (\\w+) ${from};$`, 'gm'), (_, name, pkg) => `import type * as ${name} from '${pkg}' ${ATTRIBUTES};`)
    // import { JWTVerifyGetKey, KeyInput } from 'jose';
    .replace(new RegExp(`^import \\{([^}]*)\\} ${from};$`, 'gm'), (_, names, pkg) => `import type {${names}} from '${pkg}' ${ATTRIBUTES};`)
    // export { ClientSecretBasic, None } from 'oauth4webapi';  (values: constants of their types)
    .replace(new RegExp(`^export \\{([^}]*)\\} ${from};$`, 'gm'), (_, names, pkg) => {
      const values = names.split(',').map((name) => name.trim()).filter(Boolean)
      if (values.some((name) => !/^\w+$/.test(name))) throw new Error(`${file}: a renamed re-export from ${pkg}: extend build/commonjs-types.mjs`)
      const local = values.map((name) => [name, `${name}$esm${aliases++}`])
      return [
        `import type { ${local.map(([name, alias]) => `${name} as ${alias}`).join(', ')} } from '${pkg}' ${ATTRIBUTES};`,
        ...local.map(([name, alias]) => `declare const ${name}: typeof ${alias};`),
        `export { ${values.join(', ')} };`,
      ].join('\n')
    })
  // Any other form (a default import, a line break inside the braces) would be left as it was.
  const left = rewritten.split('\n').filter((line) => new RegExp(from).test(line) && !line.includes(ATTRIBUTES) && !/^\s*\*/.test(line))
  if (left.length > 0) throw new Error(`${file}: an import of an ESM-only package this script does not rewrite:\n${left.join('\n')}`)
  return rewritten
}

/** Rewrites every `.d.cts` file of a directory in place. */
export function rewriteCommonJsTypesIn(dir) {
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.d.cts'))) {
    const path = join(dir, name)
    const text = readFileSync(path, 'utf8')
    const rewritten = rewriteCommonJsTypes(text, path)
    if (rewritten !== text) writeFileSync(path, rewritten)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) rewriteCommonJsTypesIn('dist')
