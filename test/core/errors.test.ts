import { ErrorCode, ReciprocalError, type SerializedError } from 'reciprocal-oauth'
import { describe, expect, it } from 'vitest'

describe('ReciprocalError (SPEC R8.1)', () => {
  it('carries code, step, hint, retryable and peer', () => {
    const err = new ReciprocalError('The peer refused the reciprocal code', {
      code: ErrorCode.PeerRejected,
      step: 'deliver-code',
      hint: 'Check the client registration at the peer',
      retryable: true,
      peer: { status: 400, error: 'invalid_grant' },
    })
    expect(err).toBeInstanceOf(Error)
    expect(err).toBeInstanceOf(ReciprocalError)
    expect(err.name).toBe('ReciprocalError')
    expect(err.message).toBe('The peer refused the reciprocal code')
    expect(err.code).toBe('ERR_PEER_REJECTED')
    expect(err.step).toBe('deliver-code')
    expect(err.hint).toBe('Check the client registration at the peer')
    expect(err.retryable).toBe(true)
    expect(err.peer).toEqual({ status: 400, error: 'invalid_grant' })
  })

  it('defaults retryable to false, peer and cause to undefined', () => {
    const err = new ReciprocalError('x', { code: ErrorCode.Configuration, step: 'configuration', hint: 'h' })
    expect(err.retryable).toBe(false)
    expect(err.peer).toBeUndefined()
    expect(err.cause).toBeUndefined()
    expect('cause' in err).toBe(false)
  })

  it('keeps a cause', () => {
    const cause = new Error('connection reset')
    const err = new ReciprocalError('x', { code: ErrorCode.Network, step: 'redeem-code', hint: 'h', cause })
    expect(err.cause).toBe(cause)
  })

  it('has stable, unique ERR_ codes', () => {
    const codes = Object.values(ErrorCode)
    expect(new Set(codes).size).toBe(codes.length)
    for (const code of codes) expect(code).toMatch(/^ERR_[A-Z_]+$/)
  })
})

describe('ReciprocalError JSON', () => {
  const cause = new Error('token=SECRET-TOKEN')
  const err = new ReciprocalError('Refresh failed', {
    code: ErrorCode.NeedsReconsent,
    step: 'refresh',
    hint: 'Ask the user to link again',
    peer: { status: 400, error: 'invalid_grant' },
    cause,
  })

  it('toJSON has the documented fields and no stack or cause', () => {
    const json = err.toJSON()
    expect(json).toEqual({
      name: 'ReciprocalError',
      code: 'ERR_NEEDS_RECONSENT',
      step: 'refresh',
      message: 'Refresh failed',
      hint: 'Ask the user to link again',
      retryable: false,
      peer: { status: 400, error: 'invalid_grant' },
    })
    const text = JSON.stringify(err)
    expect(text).not.toMatch(/stack|cause|SECRET/)
  })

  it('leaves peer out when there is none', () => {
    const plain = new ReciprocalError('x', { code: ErrorCode.Timeout, step: 'deliver-code', hint: 'h', retryable: true })
    expect('peer' in plain.toJSON()).toBe(false)
  })

  it('round-trips through JSON.stringify / fromJSON', () => {
    const stored = JSON.parse(JSON.stringify(err)) as SerializedError
    const back = ReciprocalError.fromJSON(stored)
    expect(back).toBeInstanceOf(ReciprocalError)
    expect(back.toJSON()).toEqual(err.toJSON())
    expect(back.cause).toBeUndefined()
  })

  it('round-trips retryable: true and an absent peer', () => {
    const original = new ReciprocalError('x', { code: ErrorCode.PeerUnavailable, step: 'redeem-code', hint: 'h', retryable: true })
    const back = ReciprocalError.fromJSON(JSON.parse(JSON.stringify(original)) as SerializedError)
    expect(back.retryable).toBe(true)
    expect(back.peer).toBeUndefined()
    expect(back.toJSON()).toEqual(original.toJSON())
  })
})
