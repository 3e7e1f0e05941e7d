#!/usr/bin/env -S node --max-semi-space-size=2
// The `openalb` command: runs the compiled CLI (npm run build produces dist/).
// A small young generation keeps RSS low with thousands of idle connections, at no measured
// cost per request (docs/bench.md); `node bin/openalb.js` without the flag works the same.
import { existsSync } from 'node:fs'

const entry = new URL('../dist/src/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  console.error('openalb is not built yet: run `npm run build` (or `npm install`) in the repository first')
  process.exit(1)
}
const { main } = await import(entry.href)
process.exitCode = await main(process.argv.slice(2))
