// The layers of src/ (README "Layers"), bottom to top. An import may only point to its own layer
// or to one below it; `npm run check:layers` fails the build on any arrow that runs upwards.
//
//   lib/, core/                 private helpers; shared vocabulary, ports and errors
//   protocol/                   pure wire rules
//   machines/, rules/           pure state machines and authorization-server rules
//   http/, storage/             the two HTTP doors shared by every handler; storage adapters
//   client/, server/            client steps, authorization- and resource-server handlers
//   drivers/                    party A and party B
//   adapters/, testing/         runtime adapters (Node); the storage contract suite
//   src/*.ts                    the package's entry points
const layers = [
  ['lib', 'core'],
  ['protocol'],
  ['machines', 'rules'],
  ['http', 'storage'],
  ['client', 'server'],
  ['drivers'],
  ['adapters', 'testing'],
]

const folder = (name) => `^src/${name}/`
const above = (index) => layers.slice(index + 1).flat()

/** One rule per layer: nothing in it imports a folder of a layer above it. */
const upward = layers.map((names, index) => ({
  name: `no-upward-from-${names.join('-')}`,
  comment: `${names.join(', ')} may not import ${above(index).join(', ') || 'an entry point'}: arrows point down only.`,
  severity: 'error',
  from: { path: `^src/(${names.join('|')})/` },
  to: { path: [`^src/(${above(index).join('|') || '$^'})/`, '^src/[^/]+\\.ts$'] },
}))

/**
 * Folders of one layer are independent of each other (client never reaches into server, …); in
 * the bottom layer, helpers and vocabulary may use each other (no cycle, though).
 */
const sideways = layers
  .filter((names) => names.length > 1 && !names.includes('lib'))
  .flatMap((names) =>
    names.map((name) => ({
      name: `no-sideways-from-${name}`,
      comment: `${name} may not import its sibling layer folders ${names.filter((n) => n !== name).join(', ')}.`,
      severity: 'error',
      from: { path: folder(name) },
      to: { path: `^src/(${names.filter((n) => n !== name).join('|')})/` },
    })),
  )

module.exports = {
  forbidden: [
    ...upward,
    ...sideways,
    {
      name: 'no-node-builtins-in-the-core',
      comment: 'Web standards only: node: imports belong in adapters/ (DESIGN §1).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/adapters/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      comment: 'A cycle is an arrow pointing up somewhere.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'jose-on-first-use',
      comment: "jose loads on first use (lib/jose.ts): only private_key_jwt and JWT access tokens need it, and importing it costs more CPU than the rest of the package (docs/benchmarks.md). Types may be imported.",
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^node_modules/jose/', dependencyTypesNot: ['type-only', 'type-import', 'dynamic-import'] },
    },
    {
      name: 'jose-by-subpath',
      comment: "Import jose's functions by subpath (jose/jwt/verify): its root loads all of jose, about 30 ms more CPU per process (docs/benchmarks.md). Types may come from the root.",
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^node_modules/jose/dist/webapi/index\\.js$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    // exportsFields: packages' subpath exports (`jose/jwt/verify`) resolve as Node and bundlers resolve them.
    enhancedResolveOptions: { extensions: ['.ts', '.js'], conditionNames: ['import', 'default'], exportsFields: ['exports'] },
  },
}
