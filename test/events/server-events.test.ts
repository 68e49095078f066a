// SPEC R8.1: the authorization server tells its observer about every protocol step, redacted
// (SPEC R7.4, R8.4), and the observer can never break the protocol.
import { ErrorCode, MemoryStorage, ReciprocalError, type ReciprocalEvent } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'
import { eventEmitter, observedError } from '../../src/core/events.js'
import { expectNothingSecretIn } from '../helpers/reachable-strings.js'
import { basic, codeAndTokens, formPost, json, makeServer, MUSIC, OTHER } from '../server/fixtures.js'

function observed() {
  const events: ReciprocalEvent[] = []
  return { events, onEvent: (event: ReciprocalEvent) => void events.push(event) }
}

describe('authorization-server events (SPEC R8.1)', () => {
  it('RFC 6749 §4.1.2: a code redeemed after it expired is refused as expired, not reported as a replay', async () => {
    const { events, onEvent } = observed()
    const h = makeServer({ onEvent })
    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: 'assistant.read', supersede: true })
    h.clock.advance(61) // past the default 60 s lifetime
    const refused = json(await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code })))
    expect(refused).toMatchObject({ error: 'invalid_grant' })
    expect(events.map((e) => e.type)).toEqual(['code-minted'])
  })

  it('code minted, code redeemed, token refreshed, grant cut, link revoked — with ids and scopes, no secret', async () => {
    const { events, onEvent } = observed()
    const h = makeServer({ onEvent })
    const first = await codeAndTokens(h, 'assistant.read', { supersede: true })
    const refreshed = json(await h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token: first.refresh_token })))
    await codeAndTokens(h, 'assistant.announce', { supersede: true }) // narrows: the first grant is cut
    await h.server.revokeLink('music', 'user-1')

    // SPEC R5.1: redeeming a superseding code cuts its version (the link's first has nothing below
    // it to cut, so no event); a narrowing code is cut at minting.
    expect(events.map((e) => e.type)).toEqual([
      'code-minted', 'code-redeemed', 'token-refreshed', 'grant-cut', 'code-minted', 'code-redeemed', 'link-revoked',
    ])
    expect(events[0]).toMatchObject({ source: 'authorization-server', at: h.clock.t, clientId: 'music', subject: 'user-1', scope: 'assistant.read', version: 1 })
    expect(events[1]).toMatchObject({ clientId: 'music', subject: 'user-1', scope: 'assistant.read', grantId: expect.any(String) })
    expect(events[3]).toMatchObject({ type: 'grant-cut', clientId: 'music', subject: 'user-1', version: 2 })
    expectNothingSecretIn(events, [first.access_token, first.refresh_token, String(refreshed.access_token), String(refreshed.refresh_token), MUSIC.clientSecret ?? ''])
  })

  it('RFC 6749 §4.1.2: a replayed code is reported as replay-detected, naming the revoked grant', async () => {
    const { events, onEvent } = observed()
    const h = makeServer({ onEvent })
    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: 'assistant.read' })
    await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
    await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))
    const redeemed = events.find((e) => e.type === 'code-redeemed')
    const replay = events.find((e) => e.type === 'replay-detected')
    expect(replay).toMatchObject({ credential: 'code', grantId: redeemed && 'grantId' in redeemed ? redeemed.grantId : 'missing' })
    expectNothingSecretIn(events, [code])
  })

  it('RFC 9700 §4.5: a code presented by another client is reported as code-misused, once, after it was consumed', async () => {
    const { events, onEvent } = observed()
    const h = makeServer({ onEvent })
    const { code } = await h.server.mintCode({ clientId: 'music', subject: 'user-1', scope: 'assistant.read' })
    const thief = { authorization: basic('other', OTHER.clientSecret ?? '') }
    expect(await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }, thief))).toMatchObject({ status: 400 })
    const minted = events.find((e) => e.type === 'code-minted')
    expect(events.filter((e) => e.type === 'code-misused')).toEqual([
      expect.objectContaining({ type: 'code-misused', clientId: 'music', presentedBy: 'other', subject: 'user-1', grantId: expect.any(String) }),
    ])
    expect(minted).toBeDefined()
    // The code is gone: the rightful client's redemption is now a replay, not a second misuse.
    expect(await h.server.tokenEndpoint.handle(formPost({ grant_type: 'authorization_code', code }))).toMatchObject({ status: 400 })
    expect(events.filter((e) => e.type === 'code-misused')).toHaveLength(1)
    expectNothingSecretIn(events, [code, OTHER.clientSecret ?? ''])
  })

  it('RFC 9700 §4.14.2: a rotated refresh token used again (past its grace period) is reported as replay-detected', async () => {
    const { events, onEvent } = observed()
    const h = makeServer({ onEvent, refreshTokenReuseGraceSeconds: 0 })
    const { refresh_token } = await codeAndTokens(h)
    await h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token }))
    await h.server.tokenEndpoint.handle(formPost({ grant_type: 'refresh_token', refresh_token }))
    expect(events.filter((e) => e.type === 'replay-detected')).toEqual([expect.objectContaining({ credential: 'refresh-token' })])
  })

  it('an observer that throws, or rejects, changes nothing', async () => {
    for (const onEvent of [() => { throw new Error('observer down') }, () => Promise.reject(new Error('observer down'))]) {
      const h = makeServer({ onEvent })
      const tokens = await codeAndTokens(h)
      expect(tokens.access_token).toEqual(expect.any(String))
    }
  })
})

describe('events carry errors redacted (SPEC R8.4)', () => {
  it('an unknown error keeps its name and code, never its message', () => {
    const error = Object.assign(new Error('duplicate key code:SECRET-CODE'), { code: 'E_DUP' })
    expect(observedError(error)).toEqual({ name: 'Error', code: 'E_DUP' })
    expect(observedError('SECRET-CODE')).toEqual({ name: 'string' })
    expect(observedError(Object.assign(new Error('x'), { name: 'Bad name SECRET' }))).toEqual({ name: 'Error' })
  })

  it('a ReciprocalError keeps its JSON form; the SDK’s coded errors keep their message', () => {
    const error = new ReciprocalError('Delivering failed', { code: ErrorCode.Timeout, step: 'deliver-code', hint: 'retry', retryable: true })
    expect(observedError(error)).toEqual(error.toJSON())
    expect(() => new MemoryStorage({ maxEntries: 0 })).toThrow()
    try {
      new MemoryStorage({ maxEntries: 0 })
    } catch (misuse) {
      expect(observedError(misuse)).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: 'maxEntries must be a positive integer' })
    }
  })

  it('no observer: emitting costs nothing and throws nothing', () => {
    expect(() => eventEmitter(undefined, { now: () => 0 }, 'http')({ type: 'link-revoked', clientId: 'c', subject: 's' })).not.toThrow()
  })
})
