// Hostile input at party A's token endpoint (issue 9 item 7; SPEC R7.4, R7.5, R8.4; RFC 6749 §5.2):
// every grant it serves — the initial flow's code with PKCE, the reciprocal code B redeems (SPEC
// R4.1–R4.2), refresh (RFC 6749 §6), each client authentication method — with near-valid requests
// (one valid request, mutated) and pure noise, through both doors.
import { afterAll, beforeAll, describe, it } from 'vitest'
import { runFormCase } from './form-endpoint.js'
import { FUZZ_TIMEOUT_MS, Tally, fuzz, unhandledRejections } from './harness.js'
import { type PartyAServer, partyAServer, tokenEndpointCases, tokenEndpointTarget } from './party-a-server.js'

const FILE = 'test/fuzz/token-endpoint.test.ts'
const rejections = unhandledRejections()
const tally = new Tally("party A's token endpoint")
afterAll(() => console.log(tally.report()))

describe("hostile input at party A's token endpoint (SPEC R7.5, R7.4, R8.4; RFC 6749 §5.2)", () => {
  let fixture: PartyAServer
  beforeAll(async () => {
    fixture = await partyAServer()
  })

  it(
    'SPEC R7.5: any request gets a well-formed OAuth error or, only when valid, tokens; a malformed or refused one changes no storage (a leaked or replayed code may: RFC 9700 §4.5); nothing sent or stored leaks',
    async () => {
      const target = tokenEndpointTarget(fixture)
      await fuzz(FILE, tokenEndpointCases(fixture), (c) => runFormCase(target, c, tally, rejections.settle))
      tally.expectReached(['valid:200', 'malformed:400', 'malformed:401', 'malformed:405', 'refused:400', 'refused:401', 'refused-may-write:400'].map((kind) => `lower:${kind}`))
    },
    FUZZ_TIMEOUT_MS,
  )
})
