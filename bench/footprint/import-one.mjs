// Child of import-time.mjs: imports one specifier in this fresh process and prints the CPU and
// wall time the import took, as JSON. The specifier resolves through package.json's "exports"
// (this file lies inside the package), so it loads dist/ exactly as a user's `import` does.
const specifier = process.argv[2]
const cpu = process.cpuUsage()
const wall = performance.now()
await import(specifier)
const wallMs = performance.now() - wall
const { user, system } = process.cpuUsage(cpu)
console.log(JSON.stringify({ specifier, cpuMs: (user + system) / 1000, wallMs }))
