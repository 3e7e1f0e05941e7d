import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, get, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { DescribeListenerAttributesCommand, DescribeListenersCommand, DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client, ModifyListenerAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import pino from 'pino'
import { applyConfig } from '../../src/config/apply.js'
import { loadConfig } from '../../src/config/load.js'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { makeCa } from '../helpers/mtls-pki.js'
import { freePort } from '../helpers/ports.js'
import { needs } from '../helpers/shared.js'

interface Reply {
  ok: boolean
  status: number
  /** The response's header fields, lower-case names, each with all its values. */
  headers: Map<string, string[]>
  body: string
  out: string
}

/** curl over HTTPS (HTTP/1.1 or HTTP/2) or plain HTTP, the response head dumped to stdout before the body. */
function curl(url: string, http: '1.1' | '2', extra: string[] = []): Promise<Reply> {
  const args = ['-sS', '-k', '--max-time', '10', http === '2' ? '--http2' : '--http1.1', '-D', '-', ...extra, url]
  return new Promise((resolve) => {
    execFile('curl', args, { timeout: 15_000 }, (error, stdout, stderr) => {
      const headers = new Map<string, string[]>()
      const end = stdout.indexOf('\r\n\r\n')
      const lines = (end < 0 ? stdout : stdout.slice(0, end)).split('\r\n')
      const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0)
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':')
        if (colon < 0) continue
        const name = line.slice(0, colon).toLowerCase()
        headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()])
      }
      resolve({ ok: !error, status, headers, body: end < 0 ? '' : stdout.slice(end + 4), out: `${stdout}${stderr}` })
    })
  })
}

const one = (r: Reply, name: string): string | undefined => {
  const v = r.headers.get(name)
  assert.ok(v === undefined || v.length === 1, `${name} appears ${v?.length} times: ${r.out}`)
  return v?.[0]
}

test('listener attributes: response headers on every answer (target, fixed, redirect, error page; HTTP/1.1 and HTTP/2), the Server field off, mTLS header renamed; ModifyListenerAttributes over the SDK takes effect', { skip: needs('curl') || needs('openssl') }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-lattr-'))
  // The target sends its own X-Frame-Options and Server, and echoes the request's headers.
  const target = createServer((req, res) =>
    res.writeHead(200, { 'content-type': 'application/json', 'x-frame-options': 'ALLOWALL', server: 'target/1', 'x-target': 'kept' }).end(JSON.stringify(req.headers)),
  )
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
  const lb = await startOpenalb({ dataDir: dir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'warn' }) })
  t.after(async () => {
    await lb.close()
    target.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const ca = makeCa(dir, 'Clients Root')
  const client = ca.issue('client')
  const [httpsPort, httpPort] = [await freePort(), await freePort()]
  const file = join(dir, 'openalb.yaml')
  writeFileSync(
    file,
    `
certificates:
  - { name: site, domainName: site.example.test }
targetGroups:
  - { name: echo, protocol: HTTP, port: ${(target.address() as AddressInfo).port}, targetType: ip, targets: [{ id: 127.0.0.1 }] }
  - { name: empty, protocol: HTTP, port: 80, targetType: ip }
loadBalancers:
  - name: alb
    listeners:
      - port: ${httpsPort}
        protocol: HTTPS
        certificates: [site]
        mutualAuthentication: { mode: passthrough }
        attributes:
          serverEnabled: false
          responseHeaders:
            strictTransportSecurity: max-age=31536000; includeSubDomains
            xContentTypeOptions: nosniff
            xFrameOptions: DENY
            accessControlAllowOrigin: https://app.example.test
          mtlsHeaderNames: { clientcert: X-Client-Chain }
        defaultActions: [{ type: forward, targetGroup: echo }]
        rules:
          - priority: 1
            conditions: [{ field: path-pattern, values: [/fixed] }]
            actions: [{ type: fixed-response, fixedResponse: { statusCode: "418", contentType: text/plain, messageBody: tea } }]
          - priority: 2
            conditions: [{ field: path-pattern, values: [/away] }]
            actions: [{ type: redirect, redirect: { host: elsewhere.example.test, statusCode: HTTP_302 } }]
          - priority: 3
            conditions: [{ field: path-pattern, values: [/none] }]
            actions: [{ type: forward, targetGroup: empty }]
      - port: ${httpPort}
        protocol: HTTP
        attributes:
          responseHeaders: { xContentTypeOptions: nosniff }
        defaultActions: [{ type: forward, targetGroup: echo }]
`,
  )
  await applyConfig(lb.control, loadConfig(file))
  const https = `https://127.0.0.1:${httpsPort}`
  await eventually(async () => (await curl(`${https}/`, '1.1')).status === 200, { message: 'the HTTPS listener forwards', timeoutMs: 20_000 })

  for (const http of ['1.1', '2'] as const) {
    const r = await curl(`${https}/`, http, ['--cert', client.certPath, '--key', client.keyPath, '-H', 'X-Client-Chain: forged'])
    assert.equal(r.status, 200, r.out)
    assert.equal(one(r, 'strict-transport-security'), 'max-age=31536000; includeSubDomains', `HTTP/${http}`)
    assert.equal(one(r, 'x-content-type-options'), 'nosniff')
    assert.equal(one(r, 'access-control-allow-origin'), 'https://app.example.test')
    // The listener's value replaces the target's; the target's other fields and its Server pass.
    assert.equal(one(r, 'x-frame-options'), 'DENY')
    assert.equal(one(r, 'x-target'), 'kept')
    assert.equal(one(r, 'server'), 'target/1')
    // The renamed mTLS header carries the client's chain; the client's own copy never reaches the target.
    const seen = JSON.parse(r.body) as IncomingHttpHeaders
    assert.match(decodeURIComponent(String(seen['x-client-chain'])), /^-----BEGIN CERTIFICATE-----/, `HTTP/${http}: ${r.body}`)
    assert.equal(seen['x-amzn-mtls-clientcert'], undefined)
    const forged = JSON.parse((await curl(`${https}/`, http, ['-H', 'X-Client-Chain: forged'])).body) as IncomingHttpHeaders
    assert.equal(forged['x-client-chain'], undefined, 'a client without a certificate cannot forge the renamed header')

    // The balancer's own answers get the headers too, and no Server field (server.enabled false).
    for (const [path, status] of [['/fixed', 418], ['/away', 302], ['/none', 503]] as const) {
      const own = await curl(`${https}${path}`, http)
      assert.equal(own.status, status, own.out)
      assert.equal(one(own, 'x-frame-options'), 'DENY', `${path} over HTTP/${http}`)
      assert.equal(one(own, 'strict-transport-security'), 'max-age=31536000; includeSubDomains')
      assert.equal(own.headers.get('server'), undefined, `${path} over HTTP/${http}: ${own.out}`)
      assert.ok(own.headers.has('date'))
    }
  }

  // A node client on the HTTP listener: its one header, no HSTS over plain HTTP, the balancer's Server on its own answers.
  const nodeGet = (path: string) =>
    new Promise<IncomingHttpHeaders>((resolve, reject) => get({ host: '127.0.0.1', port: httpPort, path, agent: false }, (res) => res.resume().on('end', () => resolve(res.headers))).on('error', reject))
  await eventually(async () => (await nodeGet('/'))['x-content-type-options'] === 'nosniff', { message: 'the HTTP listener adds its header' })
  const plain = await nodeGet('/')
  assert.equal(plain['strict-transport-security'], undefined)
  assert.equal(plain['x-frame-options'], 'ALLOWALL', 'a header the listener does not set is the target\'s')

  // The same listener through the AWS API: what the file set, then a change the data plane takes.
  const elb = new ElasticLoadBalancingV2Client({ endpoint: lb.controlUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  t.after(() => elb.destroy())
  const balancer = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['alb'] }))).LoadBalancers?.[0]
  const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: balancer?.LoadBalancerArn }))).Listeners ?? []
  const httpsArn = listeners.find((l) => l.Port === httpsPort)?.ListenerArn
  const attrs = new Map(((await elb.send(new DescribeListenerAttributesCommand({ ListenerArn: httpsArn }))).Attributes ?? []).map((a) => [a.Key, a.Value]))
  assert.equal(attrs.get('routing.http.response.server.enabled'), 'false')
  assert.equal(attrs.get('routing.http.response.x_frame_options.header_value'), 'DENY')
  assert.equal(attrs.get('routing.http.request.x_amzn_mtls_clientcert.header_name'), 'X-Client-Chain')
  assert.equal(attrs.get('routing.http.request.x_amzn_mtls_clientcert_leaf.header_name'), 'X-Amzn-Mtls-Clientcert-Leaf')
  await elb.send(
    new ModifyListenerAttributesCommand({
      ListenerArn: httpsArn,
      Attributes: [
        { Key: 'routing.http.response.x_frame_options.header_value', Value: '' },
        { Key: 'routing.http.response.server.enabled', Value: 'true' },
        { Key: 'routing.http.response.access_control_max_age.header_value', Value: '600' },
      ],
    }),
  )
  await eventually(async () => one(await curl(`${https}/fixed`, '2'), 'access-control-max-age') === '600', { message: 'the data plane takes the change' })
  for (const http of ['1.1', '2'] as const) {
    const own = await curl(`${https}/fixed`, http)
    assert.equal(one(own, 'server'), 'awselb/2.0', `HTTP/${http}`)
    assert.equal(own.headers.get('x-frame-options'), undefined)
    assert.equal(one(own, 'x-content-type-options'), 'nosniff', 'the headers not named stay')
    assert.equal(one(await curl(`${https}/`, http), 'x-frame-options'), 'ALLOWALL', 'the target\'s own again')
  }
})
