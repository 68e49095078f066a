// Turns the rounds into medians and within-round ratios: a Markdown table and one JSON line.
import { median } from './stats.mjs'

/** Within each round `ours ÷ other` of req/s, then the median over rounds. */
const ratio = (rounds, ours, other, field = 'rps') => median(rounds.map((round) => round[ours]?.[field] / round[other]?.[field]))

/**
 * The summary of one scenario: the medians of its figures, and its ratios — `vsOidc` and
 * `vsCeiling` in throughput (higher is better), `p50VsFloor` in latency (lower is better), and
 * `vsComposite`: its time per request over the sum of the named scenarios' (e.g. the receiver
 * alone plus one redemption).
 */
export function summarise({ scenarios, rounds }) {
  const out = {}
  for (const s of scenarios) {
    const of = (field) => median(rounds.map((round) => round[s.name]?.[field]))
    out[s.name] = {
      label: s.label,
      rps: of('rps'),
      p50: of('p50'),
      p99: of('p99'),
      cpuUs: of('cpuUs'),
      vsOidc: s.vs?.oidc && ratio(rounds, s.name, s.vs.oidc),
      vsCeiling: s.vs?.ceiling && ratio(rounds, s.name, s.vs.ceiling),
      p50VsFloor: s.vs?.floor && ratio(rounds, s.name, s.vs.floor, 'p50'),
      vsComposite:
        s.vs?.composite &&
        median(rounds.map((round) => 1 / round[s.name]?.rps / s.vs.composite.reduce((sum, name) => sum + 1 / round[name]?.rps, 0))),
      unexpected: rounds.reduce((sum, round) => sum + (round[s.name]?.unexpected ?? 0), 0),
      rounds: rounds.map((round) => round[s.name]),
    }
  }
  return out
}

const fixed = (value, digits) => (value === undefined || value === null || Number.isNaN(value) ? '—' : value.toFixed(digits))
const thousands = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—')

/** The Markdown table of the summary. */
export function table(summary) {
  const lines = [
    '| scenario | req/s | p50 ms | p99 ms | CPU µs/req | ours ÷ oidc-provider | ours ÷ ceiling | misses |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const [name, s] of Object.entries(summary)) {
    lines.push(
      `| ${s.label} (\`${name}\`) | ${thousands(s.rps)} | ${fixed(s.p50, 2)} | ${fixed(s.p99, 2)} | ${thousands(s.cpuUs)} | ${fixed(s.vsOidc, 2)} | ${fixed(s.vsCeiling, 2)} | ${s.unexpected} |`,
    )
  }
  const notes = Object.entries(summary).flatMap(([name, s]) => [
    ...(s.p50VsFloor ? [`- \`${name}\`: p50 ${fixed(s.p50VsFloor, 2)}× the floor's`] : []),
    ...(s.vsComposite ? [`- \`${name}\`: time per request ${fixed(s.vsComposite, 2)}× the sum of its parts' alone`] : []),
  ])
  return [...lines, ...(notes.length ? ['', ...notes] : [])].join('\n')
}
