// curl as the client: --http2 negotiates h2 through ALPN and gets the same answers as --http1.1.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import type { Action } from '../../../src/model/action.js'
import { needs } from '../../helpers/shared.js'
import { fixed, forward, freePort, listener, loadBalancer, rule, startBackend, startDataplane, state, targetGroup } from './fixtures.js'
import { certRefs, testCa } from './tls-fixtures.js'

const noCurl = needs('curl')

function curl(args: string[]): Promise<{ version: string; status: string; location: string; body: string }> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '-o', '-', '-w', '\n%{http_version} %{http_code} %{redirect_url}', ...args], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`))
      const nl = stdout.lastIndexOf('\n')
      const [version = '', status = '', location = ''] = stdout.slice(nl + 1).split(' ')
      resolve({ version, status, location, body: stdout.slice(0, nl) })
    })
  })
}

const redirect: Action = {
  type: 'redirect',
  order: 1,
  redirect: { protocol: '#{protocol}', port: '#{port}', host: '#{host}', path: '/new', query: '#{query}', statusCode: 'HTTP_302' },
}

test('curl --http2 negotiates h2 and gets the same routing as --http1.1', { skip: noCurl }, async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const backend = await startBackend(t, 'web', (req, res) => res.end(`target saw ${req.method} ${req.url} proto=${req.headers['x-forwarded-proto']}`))
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const port = await freePort()
  const l = listener(port, [forward(tg)], { protocol: 'HTTPS', certificates: certRefs(cert) })
  await startDataplane(
    t,
    state(
      1, loadBalancer(), tg, cert, l,
      rule(l, 1, [{ field: 'path-pattern', values: ['/fixed'] }], [fixed('403', 'not here')]),
      rule(l, 2, [{ field: 'path-pattern', values: ['/old'] }], [redirect]),
    ),
  )
  const base = ['--cacert', ca.rootFile, '--resolve', `api.example.test:${port}:127.0.0.1`]
  const url = (path: string): string => `https://api.example.test:${port}${path}`
  for (const path of ['/a/b?c=d', '/fixed', '/old?x=1']) {
    const h1 = await curl([...base, '--http1.1', url(path)])
    const h2 = await curl([...base, '--http2', url(path)])
    assert.equal(h1.version, '1.1')
    assert.equal(h2.version, '2')
    assert.deepEqual({ ...h2, version: '' }, { ...h1, version: '' }, path)
  }
  const r = await curl([...base, '--http2', url('/a/b?c=d')])
  assert.equal(r.body, 'target saw GET /a/b?c=d proto=https')
  assert.equal((await curl([...base, '--http2', url('/old?x=1')])).location, `https://api.example.test:${port}/new?x=1`)
})
