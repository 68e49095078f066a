// How our tests choose a real storage server (test/storage/backends.ts): skipped with a notice on a
// developer machine, a failure under CI=true.
import { describe, expect, it } from 'vitest'
import { isCi, realBackend } from './backends.js'

describe('real storage backends for the tests', () => {
  it('uses the URL in the backend’s variable', () => {
    expect(realBackend('postgres', { RECIPROCAL_TEST_POSTGRES_URL: 'postgres://127.0.0.1:5999/x', CI: 'true' })).toEqual({ url: 'postgres://127.0.0.1:5999/x' })
  })

  it('without the variable, skips with a notice naming the backend, the variable and how to start one', () => {
    const notices: string[] = []
    const backend = realBackend('redis', {}, (message) => notices.push(message))
    expect(backend.skipped).toMatch(/^Redis skipped: RECIPROCAL_TEST_REDIS_URL is not set .*eval "\$\(\.ci\/redis\.sh start\)"` starts/)
    expect(notices).toEqual([`[storage backends] ${backend.skipped}`])
  })

  it('without the variable under CI=true, fails instead of skipping', () => {
    expect(() => realBackend('postgres', { CI: 'true' }, () => {})).toThrow(/^CI=true: the PostgreSQL tests must run against a real PostgreSQL, but RECIPROCAL_TEST_POSTGRES_URL is not set/)
    expect(() => realBackend('postgres', { CI: 'true', RECIPROCAL_TEST_POSTGRES_URL: '' }, () => {})).toThrow(/RECIPROCAL_TEST_POSTGRES_URL/)
  })

  it('reads CI as CI systems set it: any value but empty, 0 or false', () => {
    expect([isCi({ CI: 'true' }), isCi({ CI: '1' }), isCi({ CI: 'false' }), isCi({ CI: '0' }), isCi({ CI: '' }), isCi({})]).toEqual([true, true, false, false, false, false])
  })
})
