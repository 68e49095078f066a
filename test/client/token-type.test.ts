// Token sets keep their token type (issue 7, item 6: the seam for DPoP, RFC 9449).
import { ErrorCode } from 'reciprocal-oauth'
import { normalizeTokenType, tokenSetFromResponse, tokenTypeOf } from 'reciprocal-oauth/client'
import type * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'

const NOW = 1_700_000_000
/** A response as oauth4webapi hands it over: it lower-cases `token_type`. */
const response = (tokenType: string): oauth.TokenEndpointResponse =>
  ({ access_token: 'at', token_type: tokenType.toLowerCase(), expires_in: 60 }) as oauth.TokenEndpointResponse

describe('token sets keep their token type (RFC 6749 §7.1)', () => {
  it('RFC 6749 §7.1: the type is case-insensitive and kept in its registered spelling', () => {
    expect(['bearer', 'BEARER', 'Bearer'].map(normalizeTokenType)).toEqual(['Bearer', 'Bearer', 'Bearer'])
    expect(['dpop', 'DPOP', 'DPoP'].map(normalizeTokenType)).toEqual(['DPoP', 'DPoP', 'DPoP'])
    expect(normalizeTokenType('N_A')).toBe('n_a')
  })

  it('RFC 6750: a Bearer response gives a token set of type Bearer', () => {
    expect(tokenSetFromResponse(response('Bearer'), { now: NOW, step: 'refresh' })).toEqual({ accessToken: 'at', tokenType: 'Bearer', expiresAt: NOW + 60 })
  })

  it('RFC 9449 §5: a DPoP token is refused by default (the SDK sends no proofs), and kept as DPoP by a caller that accepts it', () => {
    expect(() => tokenSetFromResponse(response('DPoP'), { now: NOW, step: 'refresh' })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidResponse }))
    const tokens = tokenSetFromResponse(response('DPoP'), { now: NOW, step: 'refresh', tokenTypes: ['Bearer', 'dpop'] })
    expect(tokens.tokenType).toBe('DPoP')
    expect(tokenTypeOf(tokens)).toBe('DPoP')
  })

  it('a token set stored before it kept a type is Bearer', () => {
    expect(tokenTypeOf({ accessToken: 'at' })).toBe('Bearer')
  })
})
