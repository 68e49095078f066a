// `npm run demo`: the headless two-party demo (exit code 0 only if everything worked).
// `npm run demo -- --serve [--port-a 3000] [--port-b 3001]`: both services for a browser.
import { parseArgs } from 'node:util'
import { runHeadlessDemo } from './demo.js'
import { DEMO_PASSWORD, startServices } from './services.js'

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    'port-a': { type: 'string', default: '3000' },
    'port-b': { type: 'string', default: '3001' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (values.help) {
  console.log('usage: npm run demo [-- --serve [--port-a 3000] [--port-b 3001]]')
} else if (!values.serve) {
  process.exitCode = await runHeadlessDemo()
} else {
  const port = (value: string, name: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number`)
    return n
  }
  const services = await startServices({ portAssistant: port(values['port-a'], 'port-a'), portMusic: port(values['port-b'], 'port-b') })
  console.log('Reciprocal OAuth demo, serving:')
  console.log(`  voice assistant (party A)  ${services.assistantOrigin}`)
  console.log(`  music service   (party B)  ${services.musicOrigin}   log in as alice / ${DEMO_PASSWORD}`)
  console.log(`\nOpen ${services.assistantOrigin}/ and click "Link your music service". Ctrl-C stops both.`)
  const stop = async (): Promise<void> => {
    await services.close()
    console.log('\nStopped both services.')
    process.exit(0)
  }
  process.once('SIGINT', () => void stop())
  process.once('SIGTERM', () => void stop())
}
