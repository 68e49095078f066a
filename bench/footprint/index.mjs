// The footprint bench: bundle size per role, import time per entry, memory per linked user.
// `npm run bench:footprint` (builds first); `node bench/footprint/index.mjs --help` for options.
// `measureFootprint` is what a larger bench calls; it runs the memory part in a child process
// because that needs `--expose-gc`.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { formatImports, measureImports } from './import-time.mjs'
import { formatMemory } from './memory.mjs'
import { formatSizes, measureSizes, overBudget } from './sizes.mjs'

const memoryScript = fileURLToPath(new URL('./memory.mjs', import.meta.url))

/**
 * All three measurements. `links`: the memory checkpoints; `budgetSeconds`: the time the memory
 * part may take (a checkpoint it would not reach in time is reported as not measured);
 * `importRuns`: fresh processes per entry.
 */
export async function measureFootprint({ links = [1_000, 10_000, 100_000], budgetSeconds = 60, importRuns = 7, concurrency = 16 } = {}) {
  const sizes = await measureSizes()
  const imports = measureImports({ runs: importRuns })
  const memory = JSON.parse(
    execFileSync(process.execPath, ['--expose-gc', memoryScript, '--json', '--links', links.join(','), '--budget-seconds', String(budgetSeconds), '--concurrency', String(concurrency)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    }),
  )
  return { sizes, sizesOverBudget: overBudget(sizes).map((r) => r.role), imports, memory }
}

/** The three tables of {@link measureFootprint}'s result, as Markdown. */
export function formatFootprint({ sizes, imports, memory }) {
  return [
    '### Bundle size per role (esbuild, minified, gzip -9, dependencies included)',
    formatSizes(sizes),
    '',
    '### Import time (fresh node per import, median)',
    formatImports(imports),
    '',
    `### Memory per linked user (both parties, memory store, ${memory.concurrency} links in flight)`,
    formatMemory(memory),
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      links: { type: 'string', default: '1000,10000,100000' },
      'budget-seconds': { type: 'string', default: '60' },
      'import-runs': { type: 'string', default: '7' },
      concurrency: { type: 'string', default: '16' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log('node bench/footprint/index.mjs [--links 1000,10000,100000] [--budget-seconds 60|Infinity] [--import-runs 7] [--concurrency 16]')
    process.exit(0)
  }
  const result = await measureFootprint({
    links: values.links.split(',').map(Number),
    budgetSeconds: Number(values['budget-seconds']),
    importRuns: Number(values['import-runs']),
    concurrency: Number(values.concurrency),
  })
  console.log(formatFootprint(result))
  console.log(JSON.stringify({ footprint: result }))
}
