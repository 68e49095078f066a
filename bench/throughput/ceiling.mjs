// The ceiling: a bare `node:http` server that reads and parses the same form as the receiver and
// answers `200 {}`; and the floor of the full flow: the same number of bare round trips.
import { listen, reciprocalPost, send, uniqueCode } from '../lib/fixtures.mjs'

/** HTTP round trips in one full A–G flow (see flow.mjs). */
export const FLOW_ROUND_TRIPS = 6

export async function startServers() {
  const bare = await listen(async (request, response) => {
    let text = ''
    request.setEncoding('utf8')
    for await (const chunk of request) text += chunk
    new URLSearchParams(text)
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    response.end('{}')
  })
  return { urls: { bare: bare.url }, prepare: {}, close: () => bare.server.close() }
}

export const scenarios = [
  {
    name: 'ceiling',
    label: 'bare node:http, same form → 200 {}',
    server: 'bare',
    request: (i) => reciprocalPost('/token', uniqueCode(i), 'bench-access-token'),
    expect: 200,
  },
  {
    name: 'floor-flow',
    label: `floor: ${FLOW_ROUND_TRIPS} bare round trips in a row, one at a time`,
    server: 'bare',
    loops: 1,
    unit: async ({ pool }, i) => {
      for (let step = 0; step < FLOW_ROUND_TRIPS; step++) {
        const { status } = await send(pool('bare'), reciprocalPost('/token', uniqueCode(i), 'bench-access-token'))
        if (status !== 200) return `status ${status}`
      }
      return true
    },
  },
]
