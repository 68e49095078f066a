// The CommonJS declaration files import the ESM-only oauth4webapi and jose in a form that a
// CommonJS TypeScript consumer with `module: node16` accepts (no TS1479): build/commonjs-types.mjs.
// The consumer matrix (`npm run check:package`) type-checks the real files; this pins the rewrite.
import { describe, expect, it } from 'vitest'
import { rewriteCommonJsTypes } from '../../build/commonjs-types.mjs'

describe('CommonJS declarations of ESM-only dependencies (build/commonjs-types.mjs)', () => {
  it('makes namespace and named imports type-only, resolved as ESM', () => {
    const text = "import * as oauth from 'oauth4webapi';\nimport { JSONWebKeySet, CryptoKey } from 'jose';\nimport { S as Storage } from './storage-B36L9QoN.cjs';\n"
    expect(rewriteCommonJsTypes(text, 'a.d.cts')).toBe(
      "import type * as oauth from 'oauth4webapi' with { 'resolution-mode': 'import' };\n" +
        "import type { JSONWebKeySet, CryptoKey } from 'jose' with { 'resolution-mode': 'import' };\n" +
        "import { S as Storage } from './storage-B36L9QoN.cjs';\n",
    )
  })

  it('re-exports a value as a constant of its type, so that CommonJS code can still call it', () => {
    const text = "export { ClientSecretBasic, None } from 'oauth4webapi';\n"
    expect(rewriteCommonJsTypes(text, 'index.d.cts')).toBe(
      "import type { ClientSecretBasic as ClientSecretBasic$esm0, None as None$esm1 } from 'oauth4webapi' with { 'resolution-mode': 'import' };\n" +
        'declare const ClientSecretBasic: typeof ClientSecretBasic$esm0;\n' +
        'declare const None: typeof None$esm1;\n' +
        'export { ClientSecretBasic, None };\n',
    )
  })

  it('leaves comments that name the packages alone', () => {
    const text = " * import { decodeJwt } from 'jose'\n"
    expect(rewriteCommonJsTypes(text, 'a.d.cts')).toBe(text)
  })

  it('fails the build on a form it does not rewrite, rather than ship it', () => {
    expect(() => rewriteCommonJsTypes("import jose from 'jose';\n", 'a.d.cts')).toThrow(/does not rewrite/)
    expect(() => rewriteCommonJsTypes("export { None as NoAuth } from 'oauth4webapi';\n", 'a.d.cts')).toThrow(/renamed re-export/)
  })
})
