// The console's HTML and CSS beside its compiled scripts (dist/src/console/), which the control endpoint serves.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const from = join(root, 'src', 'console')
const to = join(root, 'dist', 'src', 'console')
mkdirSync(to, { recursive: true })
for (const f of readdirSync(from)) if (/\.(html|css|svg)$/.test(f)) copyFileSync(join(from, f), join(to, f))
