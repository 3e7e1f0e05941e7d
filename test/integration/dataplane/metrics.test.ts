import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Metrics } from '../../../src/metrics/metrics.js'
import { MetricsSink } from '../../../src/dataplane/metrics-sink.js'
import { fixed, forward, freePort, get, listener, loadBalancer, securityGroup, startBackend, startDataplane, state, targetGroup } from './fixtures.js'

test('requests, ELB and target codes, connections and rejections reach the Prometheus metrics', async (t) => {
  const metrics = new Metrics()
  const backend = await startBackend(t, 'web')
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const empty = targetGroup('empty', [])
  const port = await freePort()
  const denied = await freePort()
  const sg = securityGroup('sg', [{ protocol: 'tcp', fromPort: port, toPort: port, cidrs: ['0.0.0.0/0'], sourceGroups: [] }])
  const l = listener(port, [forward(tg)])
  await startDataplane(
    t,
    state(1, sg, loadBalancer({}, { securityGroups: [sg.id] }), tg, empty, l, listener(denied, [forward(empty)])),
    { metrics: new MetricsSink(metrics) },
  )
  await get(port, '/')
  await get(port, '/')
  await assert.rejects(get(denied, '/'))
  const text = await metrics.render()
  assert.match(text, /openalb_request_count_total\{[^}]*target_group="targetgroup\/web\/[0-9a-f]+"[^}]*\} 2/)
  assert.match(text, /openalb_httpcode_target_count_total\{class="2XX"\} 2/)
  assert.match(text, /openalb_rejected_connection_count_total\{reason="security_group"\} 1/)
  assert.match(text, /openalb_new_connection_count_total 2/)
  void fixed
})

test('a request that loses invalid header fields counts in DroppedInvalidHeaderRequestCount; a clean one does not', async (t) => {
  const metrics = new Metrics()
  const backend = await startBackend(t, 'web')
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const port = await freePort()
  await startDataplane(t, state(1, loadBalancer({ dropInvalidHeaderFields: true }), tg, listener(port, [forward(tg)])), { metrics: new MetricsSink(metrics) })
  await get(port, '/', { x_under: '1' })
  await get(port, '/', { 'x-ok': '1' })
  assert.equal(backend.seen[0]?.headers['x_under'], undefined)
  assert.match(await metrics.render(), /openalb_dropped_invalid_header_request_count_total 1\n/)
})
