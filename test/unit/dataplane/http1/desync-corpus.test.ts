// Every case of aws/http-desync-guardian's corpus, read in place from ../shared/corpora (never
// copied into the repository), sent as raw bytes through the request parser, which must classify
// it as the guardian does. The corpus states the verdict for fields already parsed; the raw
// request is built the way the guardian's own test builds its raw twin
// ("METHOD URI VERSION\r\n" + "name: value\r\n"... + "\r\n").
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { sharedPath } from '../../../helpers/shared.js'
import { DEFAULT_HEAD_LIMITS, parseRequestHead } from '../../../../src/dataplane/http1/request-parser.js'

interface CorpusCase {
  id: string
  name: string
  method: string
  uri: string
  version: string
  headers: [string, string][]
  tier: string
  reason: string
}

/**
 * Where openalb answers differently on purpose. Each entry is what the parser gives instead.
 */
const DELIBERATE: Record<string, { got: string; why: string }> = {
  'ambiguous#12': {
    got: 'severe ChunkedNotLast',
    why: 'Transfer-Encoding: gzip without chunked last: RFC 9112 6.3 says the length cannot be known, 400 and close',
  },
  'real-life-test-cases#15': {
    got: 'severe ChunkedNotLast',
    why: 'Transfer-Encoding: identity (no chunked): as above, 400',
  },
  'rfc-compliant#14': {
    got: 'severe MissingUri',
    why: '"GET  HTTP/1.1" has an empty request-target, which cannot be routed or forwarded: 400',
  },
  'edge-cases#8': {
    got: 'severe AmbiguousUri',
    why: 'a target holding HTAB is refused with 400 in every mode (RFC 9112 3.2; targets split request lines at HTAB differently), issue 15',
  },
  'uri-specific-test-cases#1': {
    got: 'severe BadUri',
    why: '"/endpoint_a<TAB>HTTP/1.1": a parser splitting at HTAB reads a version there, the smuggling shape of #8; 400 in every mode',
  },
  'uri-specific-test-cases#3': {
    got: 'severe AmbiguousUri',
    why: 'a control byte (\\x01) in the target is refused with 400 in every mode: nothing ambiguous reaches a target (issue 15)',
  },
}

/** Code points up to 0xFF are one byte (the corpus's convention); others are UTF-8. */
function toBytes(s: string): number[] {
  const out: number[] = []
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (c <= 0xff) out.push(c)
    else out.push(...Buffer.from(ch, 'utf8'))
  }
  return out
}

function rawRequest(c: CorpusCase): Buffer {
  let text = `${c.method} ${c.uri} ${c.version}\r\n`
  for (const [name, value] of c.headers) text += `${name}: ${value}\r\n`
  // RFC 9112 3.2 makes Host mandatory in HTTP/1.1 (400 without it), which the guardian does not
  // check; the corpus omits it, so a compliant Host goes last, where it changes no verdict.
  if (!c.headers.some(([n]) => n.toLowerCase() === 'host')) text += 'Host: example.test\r\n'
  text += '\r\n'
  return Buffer.from(toBytes(text))
}

function verdictOf(c: CorpusCase): string {
  const r = parseRequestHead(rawRequest(c), 0, DEFAULT_HEAD_LIMITS)
  if (r.kind === 'head') return `${r.head.classification} ${r.head.classificationReason ?? 'Compliant'}`
  // A request that cannot be forwarded is answered 400/501/505 and closed: severe, with its reason.
  if (r.kind === 'error') return `severe ${r.reason}`
  return 'incomplete'
}

const file = sharedPath('corpora', 'http-desync-guardian', 'cases.json')
const skip = file === undefined ? 'SKIPPED: ../shared/corpora/http-desync-guardian/cases.json is absent' : false
if (skip) console.warn(skip)
const cases: CorpusCase[] = file === undefined ? [] : (JSON.parse(readFileSync(file, 'utf8')) as { cases: CorpusCase[] }).cases

test('the http-desync-guardian corpus is classified as the guardian does', { skip }, async (t) => {
  let agree = 0
  for (const c of cases) {
    const want = `${c.tier.toLowerCase()} ${c.reason}`
    const got = verdictOf(c)
    if (got === want) agree++
    await t.test(`${c.id}: ${c.name}`, () => {
      const deliberate = DELIBERATE[c.id]
      if (deliberate !== undefined) assert.equal(got, deliberate.got, `deliberate difference: ${deliberate.why}`)
      else assert.equal(got, want)
    })
  }
  const ratio = `${agree}/${cases.length} (${((100 * agree) / cases.length).toFixed(1)}%)`
  t.diagnostic(`agreement with the guardian's verdicts: ${ratio}`)
  console.log(`http-desync-guardian corpus: ${ratio} classified exactly as the guardian does`)
  assert.equal(agree + Object.keys(DELIBERATE).length, cases.length)
})
