import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, formPost, json, makeServer } from './fixtures.js'

describe('SPEC R4.2: single use under concurrency', () => {
  it('SPEC R4.2: of 50 concurrent redemptions of one code exactly one succeeds', async () => {
    const h = makeServer()
    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, supersede: true })
    const results = await Promise.all(
      Array.from({ length: 50 }, () => h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))),
    )
    const winners = results.filter((r) => r.status === 200)
    expect(winners).toHaveLength(1)
    for (const loser of results.filter((r) => r.status !== 200)) {
      expect(loser.status).toBe(400)
      expect(json(loser).error).toBe('invalid_grant')
    }
    // After the storm, one more replay: whatever the interleaving was, the winner's tokens are revoked.
    await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
    const token = json(winners[0]!).access_token as string
    expect(await h.server.verifyAccessToken(token)).toBeUndefined()
  })

  it('SPEC R4.2: of 50 concurrent refreshes with one refresh token exactly one rotates, and reuse kills the grant', async () => {
    const h = makeServer()
    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE })
    const first = json(await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code })))
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string })),
      ),
    )
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    // One more reuse after the storm, so the outcome does not depend on the interleaving.
    await h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string }))
    // Reuse of a rotated refresh token revoked the grant: nothing issued in it still works.
    expect(await h.server.verifyAccessToken(first.access_token as string)).toBeUndefined()
    for (const r of results.filter((x) => x.status === 200)) {
      expect(await h.server.verifyAccessToken(json(r).access_token as string)).toBeUndefined()
    }
  })

  it('SPEC R5.3: concurrent superseding mints get distinct, increasing versions', async () => {
    const h = makeServer()
    const minted = await Promise.all(
      Array.from({ length: 20 }, () => h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, supersede: true })),
    )
    const versions = minted.map((m) => m.version ?? 0).sort((a, b) => a - b)
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    // Only the newest can be redeemed.
    const outcomes = await Promise.all(
      minted.map((m) => h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code: m.code }))),
    )
    const okVersions = minted.filter((_, i) => outcomes[i]!.status === 200).map((m) => m.version)
    expect(okVersions).toEqual([20])
  })
})
