// Child process for the SIGKILL test: commits N security groups in one transaction.
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { sg } from '../contract/state.js'

const [dir, countText] = process.argv.slice(2)
const store = openSqliteStore(dir ?? '.', { pollIntervalMs: 1000 })
const view = await store.load()
const n = Number(countText)
const changes = Array.from({ length: n }, (_, i) => ({ op: 'put' as const, resource: sg(`sg-big-${view.revision}-${i}`) }))
process.stdout.write('committing\n')
await store.commit(view.revision, changes)
process.stdout.write('committed\n')
await store.close()
