// RFC 6749 §4.1.2, §6, RFC 9700 §4.5, §4.14.2, SPEC R4.2: a request refused for a mistake of the
// rightful client does not consume its refresh token or authorization code, so the corrected
// retry works and is not mistaken for a replay. Only a true second use is a replay; a code
// presented by another client stays dead; of concurrent uses exactly one still wins.
import { DEFAULT_REFRESH_TOKEN_REUSE_GRACE_SECONDS } from 'reciprocal-oauth/server'
import { describe, expect, it } from 'vitest'
import { FULL_SCOPE, MUSIC_REDIRECT, VERIFIER, codeAndTokens, formPost, json, makeServer, otherAuth, s256 } from './fixtures.js'

type H = ReturnType<typeof makeServer>
type Tokens = { access_token: string; refresh_token: string; scope: string }

const refresh = (h: H, token: string, extra: Record<string, string> = {}) =>
  h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: token, ...extra }))
const redeem = (h: H, code: string, extra: Record<string, string> = {}, headers?: Record<string, string>) =>
  h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code, ...extra }, headers))
const live = async (h: H, token: string): Promise<boolean> => (await h.server.verifyAccessToken(token)) !== undefined

describe('RFC 9700 §4.14.2: a refused refresh does not burn the refresh token', () => {
  it('RFC 6749 §6: a refresh refused with invalid_scope leaves the token usable; the corrected refresh succeeds and the grant stays live', async () => {
    const h = makeServer()
    const first = await codeAndTokens(h, 'assistant.read')
    const tooWide = await refresh(h, first.refresh_token, { scope: 'assistant.read assistant.announce' })
    expect(tooWide.status).toBe(400)
    expect(json(tooWide).error).toBe('invalid_scope')

    const corrected = await refresh(h, first.refresh_token, { scope: 'assistant.read' })
    expect(corrected.status).toBe(200)
    const second = json(corrected) as Tokens
    // Not taken for a replay: nothing was revoked.
    expect(await live(h, first.access_token)).toBe(true)
    expect(await live(h, second.access_token)).toBe(true)
    expect((await refresh(h, second.refresh_token)).status).toBe(200)
  })

  it('RFC 9700 §4.14.2: after a refused refresh, a true second use of the rotated token is still a replay', async () => {
    const h = makeServer()
    const first = await codeAndTokens(h, 'assistant.read')
    await refresh(h, first.refresh_token, { scope: 'assistant.announce' })
    const second = json(await refresh(h, first.refresh_token)) as Tokens
    h.clock.advance(DEFAULT_REFRESH_TOKEN_REUSE_GRACE_SECONDS) // past the grace for a lost answer
    expect(json(await refresh(h, first.refresh_token)).error).toBe('invalid_grant')
    expect(await live(h, second.access_token)).toBe(false)
  })

  it('SPEC R4.2: 10 refused and 10 valid concurrent refreshes with one token: exactly one rotates', async () => {
    const h = makeServer()
    const first = await codeAndTokens(h, 'assistant.read')
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => refresh(h, first.refresh_token, i % 2 === 0 ? { scope: FULL_SCOPE } : {})),
    )
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    // Whether a refused one came before the rotation (invalid_scope) or after it (a replay) depends
    // on the interleaving; none of them succeeds.
    for (const refused of results.filter((_, i) => i % 2 === 0)) expect(refused.status).toBe(400)
  })
})

describe('RFC 9700 §4.5: a redemption refused for the rightful client’s mistake does not consume the code', () => {
  const mistakes = [
    { name: 'a wrong redirect_uri', mint: { redirectUri: MUSIC_REDIRECT }, wrong: { redirect_uri: `${MUSIC_REDIRECT}/x` }, right: { redirect_uri: MUSIC_REDIRECT } },
    { name: 'a missing redirect_uri', mint: { redirectUri: MUSIC_REDIRECT }, wrong: {}, right: { redirect_uri: MUSIC_REDIRECT } },
    { name: 'a redirect_uri the code was issued without', mint: {}, wrong: { redirect_uri: MUSIC_REDIRECT }, right: {} },
    { name: 'a missing code_verifier', mint: { codeChallenge: s256(VERIFIER) }, wrong: {}, right: { code_verifier: VERIFIER } },
    { name: 'a wrong code_verifier', mint: { codeChallenge: s256(VERIFIER) }, wrong: { code_verifier: 'x'.repeat(43) }, right: { code_verifier: VERIFIER } },
    { name: 'a code_verifier for a code without challenge', mint: {}, wrong: { code_verifier: VERIFIER }, right: {} },
  ] as const
  for (const mistake of mistakes) {
    it(`RFC 6749 §4.1.3: a redemption with ${mistake.name} is refused, then the corrected one succeeds and its grant stays live`, async () => {
      const h = makeServer()
      const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, ...mistake.mint })
      const refused = await redeem(h, code, mistake.wrong)
      expect(refused.status).toBe(400)
      expect(json(refused).error).toBe('invalid_grant')

      const corrected = await redeem(h, code, mistake.right)
      expect(corrected.status).toBe(200)
      const tokens = json(corrected) as Tokens
      expect(await live(h, tokens.access_token)).toBe(true)
      // The code is single use all the same: a second correct redemption is a replay.
      expect(json(await redeem(h, code, mistake.right)).error).toBe('invalid_grant')
      expect(await live(h, tokens.access_token)).toBe(false)
    })
  }

  it('RFC 9700 §4.5: a code presented by another client stays dead for its rightful client, even with a correct request', async () => {
    const h = makeServer()
    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, redirectUri: MUSIC_REDIRECT })
    expect(json(await redeem(h, code, { redirect_uri: MUSIC_REDIRECT }, otherAuth)).error).toBe('invalid_grant')
    expect(json(await redeem(h, code, { redirect_uri: MUSIC_REDIRECT })).error).toBe('invalid_grant')
  })

  it('SPEC R4.2: 10 redemptions with a wrong redirect_uri and 10 correct ones, concurrently: exactly one wins', async () => {
    const h = makeServer()
    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: FULL_SCOPE, redirectUri: MUSIC_REDIRECT })
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => redeem(h, code, { redirect_uri: i % 2 === 0 ? `${MUSIC_REDIRECT}/x` : MUSIC_REDIRECT })),
    )
    const winners = results.filter((r) => r.status === 200)
    expect(winners).toHaveLength(1)
    for (const loser of results.filter((r) => r.status !== 200)) expect(json(loser).error).toBe('invalid_grant')
    // One more correct redemption after the storm: a replay, whatever the interleaving was.
    await redeem(h, code, { redirect_uri: MUSIC_REDIRECT })
    expect(await live(h, (json(winners[0]!) as Tokens).access_token)).toBe(false)
  })
})
