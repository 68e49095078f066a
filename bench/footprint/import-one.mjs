// Child of import-time.mjs: imports one specifier in this fresh process and prints the CPU and
// wall time the import took, as JSON. A package specifier resolves through package.json's
// "exports" (this file lies inside the package), so it loads dist/ as a user's `import` does; an
// absolute path (one of several builds compared) is imported as that file.
import { isAbsolute } from 'node:path'
import { pathToFileURL } from 'node:url'

const specifier = process.argv[2]
const target = isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier
const cpu = process.cpuUsage()
const wall = performance.now()
await import(target)
const wallMs = performance.now() - wall
const { user, system } = process.cpuUsage(cpu)
console.log(JSON.stringify({ specifier, cpuMs: (user + system) / 1000, wallMs }))
