// Test helper: party A's authorization server (B is its client) and party B's (A is its client)
// in one process, over the storages a test gives (counted, or plain), with the requests the
// reciprocal leg makes through their lower doors.
import { createAuthorizationServer, staticClients, type Storage } from 'reciprocal-oauth'
import { GRANT_TYPE_RECIPROCAL, type RawHttpRequest } from 'reciprocal-oauth/server'
import { basic, type TestClock, testRuntime } from '../server/fixtures.js'

export const A_SECRET = 'assistant-secret'
export const B_SECRET = 'music-secret'

/** A POST of a form, authenticated with `authorization`, as a lower door takes it. */
export function form(fields: Record<string, string>, authorization: string): RawHttpRequest {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization }, body: new URLSearchParams(fields).toString() }
}

/** Both authorization servers on `clock`, A's over `storages.a` and B's over `storages.b`. */
export function inProcessParties(clock: TestClock, storages: { readonly a: Storage; readonly b: Storage }) {
  const runtime = testRuntime(clock)
  const server = (origin: string, clientId: string, secret: string, scope: string, storage: Storage) =>
    createAuthorizationServer({
      issuer: origin,
      tokenEndpoint: `${origin}/token`,
      clients: staticClients([{ clientId, tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: secret, scope }]),
      storage,
      runtime,
    })
  const assistantAs = server('https://assistant.example', 'music', B_SECRET, 'assistant.announce', storages.a)
  const musicAs = server('https://music.example', 'assistant', A_SECRET, 'music.play', storages.b)
  /** A's access token at B for `subject`. */
  const tokenAtB = async (subject: string): Promise<string> => {
    const { code } = await musicAs.mintCode({ clientId: 'assistant', subject, scope: 'music.play' })
    const result = await musicAs.tokenEndpoint.handle(form({ grant_type: 'authorization_code', code }, basic('assistant', A_SECRET)))
    return (JSON.parse(result.body) as { access_token: string }).access_token
  }
  /** A's reciprocal code for B, about `subject`. */
  const reciprocalCode = async (subject: string): Promise<string> =>
    (await assistantAs.mintCode({ clientId: 'music', subject, scope: 'assistant.announce', supersede: true })).code
  /** A's reciprocal POST to B (draft step E). */
  const reciprocalPost = (code: string, accessToken: string): RawHttpRequest =>
    form({ grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code, access_token: accessToken }, basic('assistant', A_SECRET))
  return { clock, runtime, assistantAs, musicAs, tokenAtB, reciprocalCode, reciprocalPost }
}
