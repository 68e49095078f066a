// Summarises a V8 `.cpuprofile` (what `node --cpu-prof` writes): the frames with the most self
// time, and the self time per package, as shares of the busy (non-idle) time.
import { readFileSync } from 'node:fs'

/** Node's own code, by what it does: the Web `Request`/`Response` bridge apart from plain `http`. */
function nodeSubsystem(url) {
  if (/^node:internal\/crypto/.test(url)) return 'node: crypto (Web Crypto jobs included)'
  if (/^node:internal\/(deps\/undici|webstreams|abort_controller|worker\/js_transferable|event_target)/.test(url)) return 'node: Web Request/Response, streams, AbortSignal'
  if (/^node:(_http|http|net|internal\/(http|streams|stream_base|net))/.test(url)) return 'node: http, net, streams'
  return 'node: other'
}

/** The package a frame's script belongs to. */
function packageOf(url, functionName) {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)'
  if (url.startsWith('node:')) return nodeSubsystem(url)
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (module) return module[1]
  if (url.includes('/dist/')) return 'reciprocal-oauth (dist)'
  if (url.includes('/bench/')) return 'bench harness'
  return url
}

export function summariseProfile(path, top = 25) {
  const profile = JSON.parse(readFileSync(path, 'utf8'))
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map()
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const frames = new Map()
  const packages = new Map()
  let busy = 0
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame
    if (functionName === '(idle)') continue
    busy += micros
    const file = url.replace(/^.*\/(node_modules|dist|bench)\//, '$1/')
    const frame = `${functionName || '(anonymous)'}  ${file}${url ? `:${lineNumber + 1}` : ''}`
    frames.set(frame, (frames.get(frame) ?? 0) + micros)
    const pkg = packageOf(url, functionName)
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros)
  }
  const share = (entries) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => `${((100 * micros) / busy).toFixed(1).padStart(5)} %  ${name}`)
  return { busyMs: busy / 1000, frames: share(frames), packages: share(packages) }
}
