// A node:test reporter that writes the path of every test file with a failure, one per line
// (scripts/test.mjs runs those files once more, alone).
export default async function* failedFiles(source) {
  const files = new Set()
  for await (const event of source) {
    if (event.type === 'test:fail' && event.data.file) files.add(event.data.file)
  }
  if (files.size > 0) yield `${[...files].join('\n')}\n`
}
