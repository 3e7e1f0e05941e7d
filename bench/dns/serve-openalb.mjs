// Serves the benchmark zone with openalb's DNS server (compiled dist/) and prints its port.
// Usage: node bench/dns/serve-openalb.mjs <records>
import { DnsServer } from '../../dist/src/dns/server.js'
import { benchZone } from './zone.mjs'

const { zone, records } = benchZone(Number(process.argv[2] ?? 10000))
const server = new DnsServer()
server.update({
  zones: () => [zone],
  records: () => records,
  loadBalancer: () => undefined,
  loadBalancers: () => [],
})
const { udpPort } = await server.start({ host: '127.0.0.1', port: 0 })
process.stdout.write(`${udpPort}\n`)
process.on('SIGTERM', () => server.close().then(() => process.exit(0)))
