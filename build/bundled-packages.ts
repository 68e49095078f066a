/**
 * The packages bundled into dist/ (tsup's `noExternal`, tree-shaken) rather than imported from
 * node_modules at run time: importing each cost Node more CPU than the code we use of it
 * (valibot is one 200 KB file; @noble/hashes' sha2 is four modules with SHA-512 tables; see
 * docs/benchmarks.md, "Import time"). They are devDependencies. Each one's license is copied next
 * to the code that contains it, as the MIT license asks of every copy.
 */
import { copyFile, mkdir } from 'node:fs/promises'

/** Each bundled package and its license file. */
export const BUNDLED_PACKAGES: Readonly<Record<string, string>> = {
  valibot: 'LICENSE.md',
  '@noble/hashes': 'LICENSE',
}

/** Copies each bundled package's license to dist/licenses/. */
export async function copyBundledLicenses(): Promise<void> {
  await mkdir('dist/licenses', { recursive: true })
  await Promise.all(
    Object.entries(BUNDLED_PACKAGES).map(([name, license]) => copyFile(`node_modules/${name}/${license}`, `dist/licenses/${name.replace('/', '__')}.txt`)),
  )
}
