// The shell blocks of a docs page, grouped into runs, with the page's docs-test markers.
// A reader pastes a page's blocks in order into one shell; a run is that shell. Markers are HTML
// comments, invisible on the rendered page:
//   <!-- docs-test: fresh -->          the blocks after it start again from nothing (a new run)
//   <!-- docs-test: skip REASON -->    the next block is not run, for REASON (required)
//   <!-- docs-test: aws-cli -->        the next block is run by a test of its own that names the page
//                                      (docs-tutorial.test.ts, docs-classic.test.ts), not here
//   <!-- docs-test: before CMD -->     CMD (or the comment's further lines) runs before the next block
//   <!-- docs-test: expect TEXT -->    the previous block's output contains TEXT (/RE/ for a regex)

/** The skip reason of a block marked aws-cli: its own test runs it. */
export const AWS_CLI_OWN_TEST = 'the AWS CLI walkthrough, run by its own test'

export interface DocBlock {
  /** 1-based line of the block's first command in the page. */
  line: number
  code: string
  /** Why the block is not run here, if it is not. */
  skip?: string
  /** Hidden setup run before the block, with the page line it came from. */
  before: { line: number; code: string }[]
  expects: { line: number; text: string }[]
}

export interface DocRun {
  page: string
  /** Line of the run's first block or fresh marker. */
  line: number
  blocks: DocBlock[]
}

const FENCE = /^(\s*)```(sh|bash|shell)\s*$/
const MARKER = /^\s*<!--\s*docs-test:\s*(\S+)\s*([\s\S]*?)\s*(-->)?\s*$/

export function docRuns(page: string, markdown: string): DocRun[] {
  const lines = markdown.split('\n')
  const runs: DocRun[] = [{ page, line: 1, blocks: [] }]
  let pendingSkip: string | undefined
  let pendingBefore: DocBlock['before'] = []
  const line = (i: number) => lines[i] ?? ''
  for (let i = 0; i < lines.length; i++) {
    const marker = MARKER.exec(line(i))
    if (marker) {
      const kind = marker[1] ?? ''
      const closed = marker[3]
      let body = marker[2] ?? ''
      const at = i + 1
      if (!closed) {
        const rest: string[] = []
        while (++i < lines.length && !/-->\s*$/.test(line(i))) rest.push(line(i))
        if (i >= lines.length) throw new Error(`${page}:${at}: docs-test marker never closed with -->`)
        rest.push(line(i).replace(/-->\s*$/, ''))
        body = [body, ...rest].filter((l) => l.trim() !== '').join('\n')
      }
      const run = runs[runs.length - 1]!
      if (kind === 'fresh') runs.push({ page, line: at, blocks: [] })
      else if (kind === 'skip') {
        if (!body) throw new Error(`${page}:${at}: docs-test skip needs a reason`)
        pendingSkip = body
      } else if (kind === 'aws-cli') pendingSkip = AWS_CLI_OWN_TEST
      else if (kind === 'before') pendingBefore.push({ line: at, code: body })
      else if (kind === 'expect') {
        const last = run.blocks[run.blocks.length - 1]
        if (!last) throw new Error(`${page}:${at}: docs-test expect comes before any block`)
        last.expects.push({ line: at, text: body })
      } else throw new Error(`${page}:${at}: unknown docs-test marker "${kind}"`)
      continue
    }
    const fence = FENCE.exec(line(i))
    if (!fence) continue
    const indent = (fence[1] ?? '').length
    const start = i + 1
    const code: string[] = []
    while (++i < lines.length && !/^\s*```\s*$/.test(line(i))) code.push(line(i).slice(Math.min(indent, line(i).search(/\S|$/))))
    if (i >= lines.length) throw new Error(`${page}:${start}: code block never closed`)
    runs[runs.length - 1]!.blocks.push({ line: start + 1, code: code.join('\n'), skip: pendingSkip, before: pendingBefore, expects: [] })
    pendingSkip = undefined
    pendingBefore = []
  }
  if (pendingSkip || pendingBefore.length) throw new Error(`${page}: a docs-test marker at the end of the page has no block after it`)
  return runs.filter((r) => r.blocks.length > 0)
}

/** An expect marker's text as a test: /RE/flags is a regex, anything else a substring. */
export function expectation(text: string): (output: string) => boolean {
  const re = /^\/(.*)\/([a-z]*)$/s.exec(text)
  if (re) {
    const rx = new RegExp(re[1] ?? '', re[2])
    return (out) => rx.test(out)
  }
  return (out) => out.includes(text)
}

/** `openalb up` lines (also `npx openalb up`, with VAR=value prefixes): a reader runs them in another terminal. */
const UP_LINE = /^(\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:npx\s+)?openalb\s+up\b.*?)\s*&?\s*(#.*)?$/

/**
 * The control address an `openalb up` line serves on: --control, else --node-address with 4566,
 * else 127.0.0.1:4566, as `openalb up --help` says.
 */
export function controlAddress(upLine: string): { host: string; port: number } {
  const control = /--control[ =](\S+)/.exec(upLine)?.[1]
  if (control) {
    const m = /^(.*):(\d+)$/.exec(control)
    if (m) return { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(m[2]) }
  }
  const node = /--node-address[ =](\S+)/.exec(upLine)?.[1]
  return { host: node ?? '127.0.0.1', port: 4566 }
}

/**
 * A block as the run's shell executes it: each `openalb up` line goes to the background (as the
 * reader's second terminal) and the next line waits until its control endpoint accepts; paths
 * under /tmp/ move under the run's own directory.
 */
export function runnable(code: string, tmp: string): string {
  return code
    .split('\n')
    .map((line) => {
      const up = UP_LINE.exec(line)
      if (!up || line.trimStart().startsWith('#')) return line
      const command = up[1] ?? ''
      const { host, port } = controlAddress(command)
      return `${command} & docs_wait_port ${host} ${port}`
    })
    .join('\n')
    .replace(/(^|[\s='"@(:])\/tmp\//g, `$1${tmp}/`)
}
