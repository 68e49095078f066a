import { resolveReciprocalScope } from 'reciprocal-oauth/machines'
import { describe, expect, it } from 'vitest'

const offer = 'calendar.read calendar.write contacts.read'

describe('resolveReciprocalScope (SPEC R1.2, R1.3)', () => {
  it('SPEC R1.2: the token response wins over the authorization response and configuration', () => {
    expect(
      resolveReciprocalScope({ fromTokenResponse: 'calendar.read', fromAuthorizationResponse: 'contacts.read', configured: 'calendar.write', offer }),
    ).toEqual({ ok: true, requested: ['calendar.read'], offered: ['calendar.read'], source: 'token-response' })
  })

  it('SPEC R1.2: the authorization response wins over configuration', () => {
    expect(resolveReciprocalScope({ fromAuthorizationResponse: 'contacts.read', configured: 'calendar.write', offer })).toEqual({
      ok: true,
      requested: ['contacts.read'],
      offered: ['contacts.read'],
      source: 'authorization-response',
    })
  })

  it('SPEC R1.3: without a request from B, the configured scope applies', () => {
    expect(resolveReciprocalScope({ fromTokenResponse: undefined, configured: 'calendar.write calendar.read', offer })).toEqual({
      ok: true,
      requested: ['calendar.read', 'calendar.write'],
      offered: ['calendar.read', 'calendar.write'],
      source: 'configuration',
    })
  })

  it('SPEC R1.3: a request wider than the offer is cut down to the intersection, never more', () => {
    const result = resolveReciprocalScope({ fromTokenResponse: 'calendar.read admin photos.delete contacts.read', offer })
    expect(result).toEqual({
      ok: true,
      requested: ['admin', 'calendar.read', 'contacts.read', 'photos.delete'],
      offered: ['calendar.read', 'contacts.read'],
      source: 'token-response',
    })
  })

  it('SPEC R1.3: nothing-to-offer when the request and the offer do not intersect, or the offer is empty', () => {
    expect(resolveReciprocalScope({ fromTokenResponse: 'admin', offer })).toEqual({ ok: false, reason: 'nothing-to-offer' })
    expect(resolveReciprocalScope({ fromTokenResponse: 'calendar.read', offer: '' })).toEqual({ ok: false, reason: 'nothing-to-offer' })
  })

  it('none-requested when no source asks for anything', () => {
    expect(resolveReciprocalScope({ offer })).toEqual({ ok: false, reason: 'none-requested' })
  })

  it('malformed when the winning request is not RFC 6749 §3.3 syntax, without falling back', () => {
    for (const bad of ['', 'a  b', 'a\tb', 'quote"d', ' calendar.read']) {
      expect(resolveReciprocalScope({ fromTokenResponse: bad, configured: 'calendar.read', offer })).toEqual({ ok: false, reason: 'malformed' })
    }
    expect(resolveReciprocalScope({ fromAuthorizationResponse: 'a\\b', offer })).toEqual({ ok: false, reason: 'malformed' })
  })

  it('de-duplicates and sorts the requested tokens', () => {
    const result = resolveReciprocalScope({ fromTokenResponse: 'contacts.read calendar.read contacts.read', offer })
    expect(result).toMatchObject({ requested: ['calendar.read', 'contacts.read'], offered: ['calendar.read', 'contacts.read'] })
  })

  it('throws a TypeError for a malformed configured offer (a programming error)', () => {
    expect(() => resolveReciprocalScope({ fromTokenResponse: 'a', offer: 'a  b' })).toThrow(TypeError)
  })
})
