// size-limit's view of each role (bench/footprint/roles.json): everything the role can ever load —
// jose, which the SDK imports on first use, included — bundled in one file by esbuild from the
// built dist/, minified and gzipped. Its limits are `sizeLimit` in bench/footprint/size-budgets.json;
// `budgets` there holds what each role loads at start (bench/footprint/sizes.mjs). A role that
// pulls in code it never calls — jose's signing code in the receiver alone, unused valibot schemas
// — goes over its limit: this is where tree-shaking is checked.
const { roles } = require('./bench/footprint/roles.json')
const { sizeLimit } = require('./bench/footprint/size-budgets.json')

/** The built file of a package entry: `reciprocal-oauth` → dist/index.js, `reciprocal-oauth/server` → dist/server.js. */
const built = (entry) => `dist/${entry.split('/')[1] ?? 'index'}.js`

module.exports = Object.entries(roles).map(([name, { from, names }]) => ({
  name,
  path: built(from),
  import: `{ ${names.join(', ')} }`,
  gzip: true,
  limit: `${sizeLimit[name]} B`,
  // tsup's chunks import each other bare; with `sideEffects: false` esbuild drops those imports
  // (rightly: the chunks only declare) and warns once per import. Errors still print.
  modifyEsbuildConfig: (config) => ({ ...config, logLevel: 'error' }),
}))
