// The main job (`npm run demo`) as a test: the headless two-party demo must succeed, print every
// step of the draft, and print no secret, code or token.
import { describe, expect, it } from 'vitest'
import { runHeadlessDemo } from '../../examples/voice-and-music/src/demo.js'

describe('the two-party demo (npm run demo)', () => {
  it('links both ways, updates by voice, and exits 0 with a readable, redacted trace', async () => {
    const lines: string[] = []
    const code = await runHeadlessDemo((line) => lines.push(line))
    const output = lines.join('\n')
    expect(code, output).toBe(0)
    for (const step of ['[A]', '[B]', '[C-D]', '[E]', '[F-G]', '[API]']) expect(output).toContain(step)
    expect(output).toMatch(/music → assistant +POST \/api\/announce +→ 403/)
    expect(output).toMatch(/^OK: /m)
    // Codes and tokens are 43-character base64url strings; client secrets are UUIDs.
    expect(output).not.toMatch(/[A-Za-z0-9_-]{40,}/)
    expect(output).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)
  })

  it('a failure names the failing step and the typed error, and exits non-zero', async () => {
    const lines: string[] = []
    // The music service cannot reach the assistant's token endpoint: it cannot redeem the code.
    const code = await runHeadlessDemo((line) => lines.push(line), {
      wrapFetch: (actor, inner) =>
        actor === 'music'
          ? async (input, init) => {
              if (new URL(input instanceof Request ? input.url : String(input)).pathname === '/token') throw new TypeError('fetch failed')
              return inner(input, init)
            }
          : inner,
    })
    const output = lines.join('\n')
    expect(code).toBe(1)
    expect(output).toContain('FAILED at step E: the reciprocal code was not delivered')
    expect(output).toMatch(/ERR_PEER_UNAVAILABLE in step "deliver-code"/)
    expect(output).toMatch(/hint: /)
  })
})
