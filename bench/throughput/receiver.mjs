// B's reciprocal grant receiver (`createReciprocalReceiver`), for a B that runs its own
// authorization server, each accepted code stored for later redemption. Mounted through both
// doors of the Node adapter: `toNodeListener(receiver.fetch)` (the Web door, a `Request` per call)
// and `toNodeListener(receiver)` (the lower door, what README mounts on Node).
import { MemoryStorage } from 'reciprocal-oauth'
import { createReciprocalReceiver } from 'reciprocal-oauth/server'
import { toNodeListener } from 'reciprocal-oauth/node'
import { listen, reciprocalPost, uniqueCode } from '../lib/fixtures.mjs'
import { issueMusicToken, musicServer } from '../lib/parties.mjs'

export async function startServers() {
  // Only Basic client authentication is used, so the audiences need no real port.
  const origin = 'http://127.0.0.1'
  const storage = new MemoryStorage()
  const musicAs = musicServer(origin, { extra: { storage } })
  const receiver = createReciprocalReceiver({
    clients: musicAs.clients,
    audiences: [origin, `${origin}/token`],
    verifyAccessToken: (token) => musicAs.verifyAccessToken(token),
    storage,
    // Stored for later redemption, as a deferred party B would.
    onCode: async ({ peerClientId, userId, code }) => {
      await storage.set(`bench-pending:${peerClientId}:${userId}:${code.slice(-12)}`, code, 600)
      return { ok: true }
    },
  })
  const web = await listen(toNodeListener(receiver.fetch))
  const raw = await listen(toNodeListener(receiver))
  const accessToken = await issueMusicToken(musicAs, origin, 'alice')
  return {
    // The access token travels with the URLs: the runner puts it in every request.
    urls: { web: web.url, raw: raw.url, accessToken },
    prepare: {},
    close: () => Promise.all([web.server.close(), raw.server.close()]),
  }
}

// The default `draft` error profile answers an unknown access token 400 `invalid_token`.
const post = (valid) => (i, urls) => reciprocalPost('/token', uniqueCode(i), valid ? urls.accessToken : `unknown-${i}`)

export const scenarios = [
  { name: 'receiver-web', label: "B's receiver, valid POST, Web door", server: 'web', request: post(true), expect: 200, vs: { oidc: 'oidc-reciprocal', ceiling: 'ceiling' } },
  { name: 'receiver-raw', label: "B's receiver, valid POST, lower door (default)", server: 'raw', request: post(true), expect: 200, vs: { oidc: 'oidc-reciprocal', ceiling: 'ceiling' } },
  { name: 'receiver-web-unknown', label: "B's receiver, unknown token, Web door", server: 'web', request: post(false), expect: 400, vs: { oidc: 'oidc-reciprocal-unknown', ceiling: 'ceiling' } },
  { name: 'receiver-raw-unknown', label: "B's receiver, unknown token, lower door (default)", server: 'raw', request: post(false), expect: 400, vs: { oidc: 'oidc-reciprocal-unknown', ceiling: 'ceiling' } },
]
