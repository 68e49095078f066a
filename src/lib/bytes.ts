/**
 * Reading HTTP bodies from streams with a size limit, and joining their chunks: for request
 * bodies at our endpoints (SPEC R7.5) and for our peers' answers (a peer is not trusted to
 * answer small).
 *
 * @module
 */

/**
 * One `Uint8Array` holding `chunks` in order.
 *
 * @example
 * ```ts
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]) // Uint8Array [1, 2, 3]
 * ```
 * @internal
 */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0)
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/**
 * The whole stream as bytes, or `'too-large'` as soon as it passes `limitBytes` (the stream is
 * then cancelled: nothing more is read or buffered).
 *
 * @internal
 */
export async function readLimited(
  stream: ReadableStream<Uint8Array> | null,
  limitBytes: number,
): Promise<Uint8Array<ArrayBuffer> | 'too-large'> {
  if (stream === null) return new Uint8Array(0)
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > limitBytes) {
        // Stop the producer: nothing more of this body will be read or buffered.
        await reader.cancel().catch(() => undefined /* expected: a stream we give up on; its failure changes nothing */)
        return 'too-large'
      }
      chunks.push(value)
    }
  } finally {
    reader.releaseLock()
  }
  return concatBytes(chunks)
}
