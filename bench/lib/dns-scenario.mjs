// The DNS scenario: runs bench/dns/run.mjs (its own benchmark, openalb against NSD) and reads the
// JSON it prints.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { launch, stop } from './processes.mjs'

const bench = fileURLToPath(new URL('..', import.meta.url))

export async function runDns({ seconds, dir, log }) {
  log(`== DNS: bench/dns/run.mjs --seconds ${seconds}`)
  const logFile = join(dir, 'dns.log')
  const proc = launch(process.execPath, [join(bench, 'dns', 'run.mjs'), '--seconds', String(seconds)], { pipe: true, logFile })
  let out = ''
  const ended = new Promise((resolve) => {
    proc.child.stdout.on('data', (d) => (out += d))
    proc.child.stdout.once('close', resolve)
  })
  // Four phases of `seconds` each plus start-up; anything far beyond that is a hang.
  const timer = setTimeout(() => stop(proc, 2000), (seconds * 4 + 60) * 1000)
  const [exit] = await Promise.all([proc.exited, ended])
  clearTimeout(timer)
  await stop(proc, 1000)
  const json = out.slice(out.indexOf('{'))
  const warnings = readFileSync(logFile, 'utf8').trim()
  if (warnings) log(warnings.replace(/^/gm, '  '))
  try {
    return { status: 'ok', ...JSON.parse(json) }
  } catch {
    return { status: `n/a (bench/dns/run.mjs exited with ${exit.signal ?? `code ${exit.code}`} without results; log: ${logFile})` }
  }
}
