// A Cloudflare worker for the tests, run in workerd by miniflare (workerd.ts bundles it with the
// SDK): it exports the storage object, and answers three routes.
//   POST /storage  one storage operation through DurableObjectStorage: the contract suite's door
//   POST /stored   what the object of one key holds, read from its storage (no operation of ours)
//   POST /e2e      both parties, built in the worker over DurableObjectStorage, run the whole protocol
import { ClientSecretBasic, createAuthorizationServer, createPartyA, createPartyB, type JsonValue, staticClients, type Storage, systemRuntime } from 'reciprocal-oauth'
import { type DurableObjectNamespaceApi, type DurableObjectStateApi, DurableObjectStorage, ReciprocalStorageObject } from 'reciprocal-oauth/cloudflare'

/** The storage object, and one more door for the tests: `https://stored/` lists what it holds, with its alarm. */
export class InspectableStorageObject extends ReciprocalStorageObject {
  readonly #state: DurableObjectStateApi

  constructor(state: DurableObjectStateApi) {
    super(state)
    this.#state = state
  }

  override async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).host !== 'stored') return super.fetch(request)
    const { storage } = this.#state
    return Response.json({ entries: Object.fromEntries(await storage.list()), alarm: await storage.getAlarm() })
  }
}

interface Env {
  readonly STORAGE: DurableObjectNamespaceApi
}

/** One storage operation, as the tests send it: the TTL as text, because JSON has no NaN. */
export interface StorageCall {
  readonly prefix: string
  readonly op: 'get' | 'set' | 'add' | 'delete' | 'take'
  readonly key: string
  readonly value?: JsonValue
  readonly ttl?: string
}

/** What it resolved to, or what it threw (name, message and code: enough to match on). */
export type StorageResult = { readonly result?: JsonValue | boolean } | { readonly error: { readonly name: string; readonly message: string; readonly code?: string } }

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url)
    if (pathname === '/storage') return Response.json(await storageCall(env, (await request.json()) as StorageCall))
    if (pathname === '/stored') {
      const { key } = (await request.json()) as { key: string }
      return env.STORAGE.get(env.STORAGE.idFromName(key)).fetch('https://stored/', { method: 'POST', body: '' }) as Promise<Response>
    }
    if (pathname === '/e2e') return Response.json(await wholeProtocol(env, (await request.json()) as { prefix: string }))
    return new Response('not found', { status: 404 })
  },
}

async function storageCall(env: Env, { prefix, op, key, value = null, ttl }: StorageCall): Promise<StorageResult> {
  const storage = new DurableObjectStorage(env.STORAGE, { prefix })
  const seconds = ttl === undefined ? undefined : Number(ttl)
  try {
    if (op === 'set') await storage.set(key, value, seconds)
    else if (op === 'add') return { result: await storage.add(key, value, seconds) }
    else if (op === 'delete') await storage.delete(key)
    else {
      const result = await storage[op](key)
      return result === undefined ? {} : { result }
    }
    return {}
  } catch (error) {
    const { name, message, code } = error as Error & { code?: string }
    return { error: { name, message, ...(code === undefined ? {} : { code }) } }
  }
}

const A = 'https://assistant.example'
const B = 'https://music.example'
const OFFER = 'assistant.announce assistant.read'
const MUSIC_SCOPE = 'music.play music.read'
const SECRET_A_AT_B = 'assistant-secret-at-music-0123456789'
const SECRET_B_AT_A = 'music-secret-at-assistant-9876543210'

/**
 * Party A (an assistant) and party B (a music service) in this worker, each over its own prefix of
 * the Durable Object namespace, talking through a fetch that hands each request to the other
 * side's handler. The user links (draft steps A–G); what each step ended in is returned.
 */
async function wholeProtocol(env: Env, { prefix }: { prefix: string }) {
  const storageA: Storage = new DurableObjectStorage(env.STORAGE, { prefix: `${prefix}a:` })
  const storageB: Storage = new DurableObjectStorage(env.STORAGE, { prefix: `${prefix}b:` })
  const runtime = systemRuntime
  const handlers = new Map<string, (request: Request) => Promise<Response>>()
  const inWorker = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    return handlers.get(`${url.origin}${url.pathname}`)?.(request) ?? new Response('not found', { status: 404 })
  }
  const transport = { fetch: inWorker, timeoutMs: 5_000 }

  const assistantAs = createAuthorizationServer({
    issuer: A,
    tokenEndpoint: `${A}/token`,
    clients: staticClients([{ clientId: 'music', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRET_B_AT_A, scope: OFFER }]),
    storage: storageA,
    runtime,
  })
  const musicAs = createAuthorizationServer({
    issuer: B,
    tokenEndpoint: `${B}/token`,
    authorizationEndpoint: `${B}/authorize`,
    clients: staticClients([{ clientId: 'assistant', tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: SECRET_A_AT_B, redirectUris: [`${A}/callback`], scope: MUSIC_SCOPE }]),
    storage: storageB,
    runtime,
    reciprocalScope: () => OFFER,
  })
  const partyB = createPartyB({
    authorizationServer: musicAs,
    peers: { assistant: { as: { issuer: A, token_endpoint: `${A}/token` }, client: { client_id: 'music' }, clientAuth: ClientSecretBasic(SECRET_B_AT_A), ...transport } },
    storage: storageB,
    runtime,
  })
  const partyA = createPartyA({
    peers: {
      music: {
        peer: {
          as: { issuer: B, authorization_endpoint: `${B}/authorize`, token_endpoint: `${B}/token`, authorization_response_iss_parameter_supported: true },
          client: { client_id: 'assistant' },
          clientAuth: ClientSecretBasic(SECRET_A_AT_B),
          ...transport,
        },
        redirectUri: `${A}/callback`,
        scope: MUSIC_SCOPE,
        reciprocal: { peerClientId: 'music', offer: OFFER },
      },
    },
    authorizationServer: assistantAs,
    storage: storageA,
    runtime,
  })
  handlers.set(`${A}/token`, (request) => assistantAs.tokenEndpoint.fetch(request))
  handlers.set(`${B}/token`, (request) => musicAs.tokenEndpoint.fetch(request))

  const { linkId, url } = await partyA.startLink('music', 'alice-at-assistant')
  const check = await musicAs.authorization.validate(url)
  if (!check.ok) throw new Error('the authorization request was refused')
  const callback = await musicAs.authorization.approve(check.request, { subject: 'alice' })
  const afterCallback = await partyA.handleCallback(callback, 'alice-at-assistant')
  const afterConsent = await partyA.consent(linkId, { scope: 'assistant.announce' })
  const atB = await partyB.getLink('assistant', 'alice')
  const music = await musicAs.verifyAccessToken(await partyA.accessToken(linkId))
  const assistant = await assistantAs.verifyAccessToken(await partyB.accessToken('assistant', 'alice'))
  return { afterCallback: afterCallback.status, afterConsent, atB: atB?.status, music, assistant }
}
