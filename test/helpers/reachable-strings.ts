// Test helper (SPEC R7.4, R8.4): every string reachable from a value — own properties, enumerable
// or not, string- or symbol-keyed, `cause` chains and nested objects — so that a test can assert
// that no thrown error carries a secret anywhere, not only in its message.
import { expect } from 'vitest'

/** Objects whose contents live in internal slots, invisible to a property walk: an error must not hold one. */
const OPAQUE = [
  typeof Response === 'function' ? Response : undefined,
  typeof Request === 'function' ? Request : undefined,
  typeof ReadableStream === 'function' ? ReadableStream : undefined,
].filter((type): type is NonNullable<typeof type> => type !== undefined)

export function reachableStrings(root: unknown): string[] {
  const found: string[] = []
  const seen = new Set<object>()
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      found.push(value)
      return
    }
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return
    seen.add(value)
    if (OPAQUE.some((type) => value instanceof type)) found.push(`<opaque ${value.constructor.name}>`)
    if (value instanceof URL) found.push(value.href)
    if (value instanceof URLSearchParams) found.push(value.toString())
    if (value instanceof Headers || value instanceof Map) for (const [k, v] of value) visit(k), visit(v)
    if (value instanceof Set) for (const item of value) visit(item)
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key)
      // Data properties only: a getter is not called (it could have effects); none of ours has one.
      if (descriptor !== undefined && 'value' in descriptor) visit(descriptor.value)
    }
  }
  visit(root)
  return found
}

/** Asserts that no secret appears in any string reachable from `value`, and no opaque container either. */
export function expectNothingSecretIn(value: unknown, secrets: readonly string[]): void {
  const strings = reachableStrings(value)
  for (const text of strings) {
    expect(text).not.toMatch(/^<opaque /)
    for (const secret of secrets) expect(text, 'a reachable string carries a secret').not.toContain(secret)
  }
}
