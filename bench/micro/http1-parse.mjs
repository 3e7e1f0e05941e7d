#!/usr/bin/env node
// Micro-benchmark of the HTTP/1.x request-head parser over dist/ (run `npx tsc -p tsconfig.json`
// first): ns per parse of a typical ~300-byte browser request head.
// Bounded: a fixed number of iterations, a few seconds on one core. Not a test.
import { parseRequestHead, DEFAULT_HEAD_LIMITS } from '../../dist/src/dataplane/http1/request-parser.js'

const head = Buffer.from(
  'GET /api/v1/items?page=2&sort=name HTTP/1.1\r\n' +
    'Host: api.example.test\r\n' +
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n' +
    'Accept: application/json, text/plain, */*\r\n' +
    'Accept-Language: en-US,en;q=0.5\r\n' +
    'Accept-Encoding: gzip, deflate, br\r\n' +
    'Connection: keep-alive\r\n' +
    'Cookie: session=4f1c2e9a8b7d6c5e\r\n' +
    '\r\n',
  'latin1',
)

function bench(name, iterations, fn) {
  for (let i = 0; i < Math.min(iterations, 50_000); i++) fn() // warm up
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) fn()
  const ns = Number(process.hrtime.bigint() - t0) / iterations
  console.log(`${name}: ${ns.toFixed(0)} ns/op (${(1e9 / ns / 1e6).toFixed(2)} M ops/s)`)
  return ns
}

let sink = 0
const nsParse = bench(`parseRequestHead, ${head.length}-byte head`, 500_000, () => {
  const r = parseRequestHead(head, 0, DEFAULT_HEAD_LIMITS)
  sink += r.kind === 'head' ? r.head.headBytes : 0
})
console.log(`  = ${((head.length * 1e9) / nsParse / 2 ** 20).toFixed(0)} MiB/s of head bytes`)

if (sink === 0) console.log('')
