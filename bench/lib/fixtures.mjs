// What every scenario family shares: the registrations, the secrets and the request shapes.
import { createServer } from 'node:http'

export const GRANT_TYPE_RECIPROCAL = 'urn:ietf:params:oauth:grant-type:reciprocal'
export const SECRETS = {
  assistantAtMusic: 'assistant-secret-at-music-0123456789',
  musicAtAssistant: 'music-secret-at-assistant-9876543210',
}
export const MUSIC_SCOPE = 'music.read music.play'
export const ASSISTANT_OFFER = 'assistant.announce'
/** A's redirect URI at B, for the codes B mints in the initial flow. */
export const CALLBACK = 'http://127.0.0.1/callback'

export const basic = (clientId, secret) => `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`

/** A POST of an `application/x-www-form-urlencoded` body, authenticated with HTTP Basic. */
export function formPost(path, fields, authorization) {
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
    body: new URLSearchParams(fields).toString(),
  }
}

/** Party A's reciprocal POST to B (draft step E), as the receiver sees it. */
export function reciprocalPost(path, code, accessToken) {
  return formPost(
    path,
    { grant_type: GRANT_TYPE_RECIPROCAL, client_id: 'assistant', code, access_token: accessToken },
    basic('assistant', SECRETS.assistantAtMusic),
  )
}

/** A fresh code-like string per request (the receiver refuses a code it has seen). */
export const uniqueCode = (i) => `bench-code-${process.pid}-${i}-${Math.random().toString(36).slice(2)}`

/** Listens on an ephemeral loopback port; resolves the server's origin. */
export async function listen(listener) {
  const server = createServer(listener)
  server.keepAliveTimeout = 60_000
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${server.address().port}` }
}

/**
 * Sends one request through an undici pool and reads the whole answer; resolves
 * `{ status, headers, text }`. Here, not in load.mjs, so that a family's file (loaded in its server
 * child too) need not import undici: importing it installs its own global dispatcher, which the
 * SDK's outbound `fetch` calls would then go through instead of Node's.
 */
export async function send(pool, request) {
  const { statusCode, headers, body } = await pool.request(request)
  return { status: statusCode, headers, text: await body.text() }
}

/** The answer's body as JSON, or `undefined`. */
export function json(text) {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
