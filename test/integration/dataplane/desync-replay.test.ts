// What reaches a target, byte for byte, when desync and smuggling shapes arrive (issue 15): the
// request-target shapes that used to pass as they came, then every case of the
// http-desync-guardian corpus (read in place from ../shared/corpora) in each mitigation mode. A raw
// TCP target records the bytes it receives; every head it sees must be canonical.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { test, type TestContext } from 'node:test'
import type { DesyncMitigationMode } from '../../../src/model/load-balancer.js'
import { sharedPath } from '../../helpers/shared.js'
import { forward, freePort, portOf, listener, loadBalancer, startDataplane, state, targetGroup } from './fixtures.js'

const MODES: readonly DesyncMitigationMode[] = ['monitor', 'defensive', 'strictest']

/** A target that records each request head it receives (as latin1) and answers 200 "ok", then closes. */
async function startRawTarget(t: TestContext): Promise<{ port: number; heads: string[] }> {
  const heads: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    let got = ''
    let answered = false
    s.setEncoding('latin1')
    s.on('data', (d: string) => {
      got += d
      const end = got.indexOf('\r\n\r\n')
      if (answered || end < 0) return
      answered = true
      heads.push(got.slice(0, end + 2))
      s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok')
    })
    s.on('error', () => {})
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  return { port: (server.address() as AddressInfo).port, heads }
}

async function balancer(t: TestContext, mode: DesyncMitigationMode): Promise<{ port: number; heads: string[] }> {
  const target = await startRawTarget(t)
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: target.port }])
  const dp = await startDataplane(t, state(1, loadBalancer({ desyncMitigationMode: mode }), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  return { port, heads: target.heads }
}

/**
 * Sends raw bytes, returns the first answer's status line once its head and content-length body are
 * in (or whatever came when the balancer closed, or after 3 s: every wait has a deadline).
 */
function send(port: number, raw: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    let text = ''
    const done = (): void => {
      clearTimeout(deadline)
      s.destroy()
      resolve(text.slice(0, Math.max(0, text.indexOf('\r\n'))) || text)
    }
    const deadline = setTimeout(done, 3000)
    s.setEncoding('latin1')
    s.on('data', (d: string) => {
      text += d
      const end = text.indexOf('\r\n\r\n')
      if (end < 0) return
      const cl = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))
      if (cl && text.length >= end + 4 + Number(cl[1])) done()
    })
    s.on('close', done)
    s.on('error', () => {})
    s.write(raw)
  })
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** RFC 3986 request-target bytes (obs-text allowed, as ALB forwards UTF-8 paths): no CTL, SP or DEL. */
const TARGET_BYTES = /^[\x21-\x7e\x80-\xff]+$/

/** Why a head a target received is not canonical HTTP/1.1, or undefined when it is. */
function unsafe(head: string): string | undefined {
  const lines = head.split('\r\n')
  lines.pop() // the empty string after the last CRLF
  const [requestLine = '', ...fields] = lines
  const parts = requestLine.split(' ')
  if (parts.length !== 3) return `request line is not three parts: ${JSON.stringify(requestLine)}`
  const [method = '', target = '', version] = parts
  if (!TOKEN.test(method)) return `method ${JSON.stringify(method)}`
  if (!TARGET_BYTES.test(target)) return `target ${JSON.stringify(target)}`
  if (version !== 'HTTP/1.1') return `version ${JSON.stringify(version)}`
  let cl = 0
  let te = 0
  for (const f of fields) {
    const colon = f.indexOf(':')
    const name = f.slice(0, colon)
    const value = f.slice(colon + 1)
    if (colon <= 0 || !TOKEN.test(name)) return `field line ${JSON.stringify(f)}`
    if (/[\0\r\n]/.test(value)) return `field value ${JSON.stringify(f)}`
    const lower = name.toLowerCase()
    if (lower === 'content-length') {
      cl++
      if (!/^ \d+$/.test(value)) return `content-length ${JSON.stringify(value)}`
    }
    if (lower === 'transfer-encoding') {
      te++
      if (value !== ' chunked') return `transfer-encoding ${JSON.stringify(value)}`
    }
  }
  if (cl > 1 || te > 1 || (cl > 0 && te > 0)) return `framing fields: ${cl} content-length, ${te} transfer-encoding`
  return undefined
}

interface Shape {
  desc: string
  raw: string
  /** The request line the target gets in the modes that forward it; undefined: refused in every mode. */
  forwarded?: string
  /** Refused in strictest only (acceptable or ambiguous in ALB's classes). */
  strictestRefuses?: boolean
}

const SHAPES: Shape[] = [
  { desc: 'a tab before a version in the target (/endpoint_a\\tHTTP/1.1)', raw: 'GET /endpoint_a\tHTTP/1.1 HTTP/1.1\r\nHost: a\r\n\r\n' },
  { desc: 'a tab inside the target (/foo/bar\\t/baz)', raw: 'GET /foo/bar\t/baz HTTP/1.1\r\nHost: a\r\n\r\n' },
  { desc: 'a control byte \\x01 in the target', raw: 'GET /endpoint_a\x01x HTTP/1.1\r\nHost: a\r\n\r\n' },
  { desc: 'DEL in the target', raw: 'GET /a\x7fb HTTP/1.1\r\nHost: a\r\n\r\n' },
  {
    desc: 'a tab smuggling a second request line (the corpus\'s severe BadUri)',
    raw: 'GET /endpoint_a\tHTTP/1.1\r\nHost:localhost\r\n\r\nGET\t/endpoint_b\t HTTP/1.1\r\nHost: a\r\n\r\n',
  },
  {
    desc: 'unescaped spaces in the query are percent-encoded',
    raw: 'GET /a?x=not escaped spaces HTTP/1.1\r\nHost: a\r\n\r\n',
    forwarded: 'GET /a?x=not%20escaped%20spaces HTTP/1.1',
    strictestRefuses: true,
  },
  {
    desc: 'an empty version (HTTP/0.9 style) is forwarded with one canonical request line',
    raw: 'GET /foo/bar \r\nX-My-Header: some value\r\n\r\n',
    forwarded: 'GET /foo/bar HTTP/1.1',
    strictestRefuses: true,
  },
  {
    desc: 'an empty version with Content-Length',
    raw: 'POST /foo/bar \r\nContent-Length: 5\r\n\r\nhello',
    forwarded: 'POST /foo/bar HTTP/1.1',
    strictestRefuses: true,
  },
  {
    desc: 'an empty version with Transfer-Encoding',
    raw: 'POST /foo/bar \r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    forwarded: 'POST /foo/bar HTTP/1.1',
    strictestRefuses: true,
  },
]

for (const mode of MODES) {
  test(`${mode}: request-target shapes are refused with 400 or reach the target in one canonical form`, async (t) => {
    const lb = await balancer(t, mode)
    for (const shape of SHAPES) {
      const before = lb.heads.length
      const status = await send(lb.port, Buffer.from(shape.raw, 'latin1'))
      const seen = lb.heads.slice(before)
      const refused = shape.forwarded === undefined || (mode === 'strictest' && shape.strictestRefuses === true)
      if (refused) {
        assert.equal(status, 'HTTP/1.1 400 Bad Request', shape.desc)
        assert.deepEqual(seen, [], `${shape.desc}: nothing reaches the target`)
      } else {
        assert.equal(status, 'HTTP/1.1 200 OK', shape.desc)
        assert.equal(seen.length, 1, shape.desc)
        assert.equal(seen[0]!.slice(0, seen[0]!.indexOf('\r\n')), shape.forwarded, shape.desc)
        assert.equal(unsafe(seen[0]!), undefined, shape.desc)
      }
    }
  })
}

interface CorpusCase {
  id: string
  method: string
  uri: string
  version: string
  headers: [string, string][]
  tier: string
}

/** The corpus's raw twin of a case (as the guardian's own test builds it), with a Host when it has none. */
function rawRequest(c: CorpusCase): Buffer {
  let text = `${c.method} ${c.uri} ${c.version}\r\n`
  for (const [name, value] of c.headers) text += `${name}: ${value}\r\n`
  if (!c.headers.some(([n]) => n.toLowerCase() === 'host')) text += 'Host: example.test\r\n'
  const bytes: number[] = []
  for (const ch of `${text}\r\n`) {
    const code = ch.codePointAt(0)!
    if (code <= 0xff) bytes.push(code)
    else bytes.push(...Buffer.from(ch, 'utf8'))
  }
  return Buffer.from(bytes)
}

const file = sharedPath('corpora', 'http-desync-guardian', 'cases.json')
const skip = file === undefined ? 'SKIPPED: ../shared/corpora/http-desync-guardian/cases.json is absent' : false
if (skip) console.warn(skip)
const cases: CorpusCase[] = file === undefined ? [] : (JSON.parse(readFileSync(file, 'utf8')) as { cases: CorpusCase[] }).cases

/** Compliant to the guardian, refused by openalb: "GET  HTTP/1.1" has no target to route (400). */
const COMPLIANT_REFUSED = ['rfc-compliant#14']

for (const mode of MODES) {
  test(`${mode}: the http-desync-guardian corpus replayed: every head a target gets is canonical`, { skip }, async (t) => {
    const lb = await balancer(t, mode)
    let forwarded = 0
    const refusedCompliant: string[] = []
    for (const c of cases) {
      const before = lb.heads.length
      await send(lb.port, rawRequest(c))
      const seen = lb.heads.slice(before)
      forwarded += seen.length
      if (c.tier === 'Compliant' && seen.length === 0) refusedCompliant.push(c.id)
      for (const head of seen) assert.equal(unsafe(head), undefined, `${c.id} (${c.tier}) reached the target unsafely`)
      // ALB refuses severe requests in defensive mode and everything but compliant in strictest.
      if (c.tier === 'Severe' && mode !== 'monitor') assert.deepEqual(seen, [], `${c.id} is severe: refused in ${mode}`)
      if (c.tier !== 'Compliant' && mode === 'strictest') assert.deepEqual(seen, [], `${c.id} is ${c.tier}: refused in strictest`)
    }
    t.diagnostic(`${forwarded} of ${cases.length} cases reached the target, all canonical`)
    // Every compliant case reaches the target (a balancer refusing everything would pass the rest).
    assert.deepEqual(refusedCompliant, COMPLIANT_REFUSED)
  })
}
