import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CountReader, Metrics } from '../../../src/metrics/metrics.js'
import { dimension } from '../../../src/model/dimension.js'

const LB = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web-lb/50dc6c495c0c9188'
const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web-lb/50dc6c495c0c9188/f2f7dc8efc522ab2'
const TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-tg/73e2d6bc24d8a067'

/** The value of one exposition line, e.g. line(text, 'openalb_http_redirect_count_total'). */
function value(text: string, series: string): number | undefined {
  const row = text.split('\n').find((l) => l.startsWith(`${series} `))
  return row === undefined ? undefined : Number(row.slice(series.length + 1))
}

test('ARNs become the CloudWatch dimension values ALB publishes', () => {
  assert.equal(dimension(LB), 'app/web-lb/50dc6c495c0c9188')
  assert.equal(dimension(LISTENER), 'app/web-lb/50dc6c495c0c9188/f2f7dc8efc522ab2')
  assert.equal(dimension(TG), 'targetgroup/web-tg/73e2d6bc24d8a067')
  assert.equal(dimension('web-tg'), 'web-tg')
})

test('requests are counted per balancer, listener and target group', async () => {
  const m = new Metrics()
  const forwarded = m.requests(LB, LISTENER, TG)
  forwarded.inc()
  forwarded.inc()
  m.requests(LB, LISTENER).inc()
  const text = await m.render()
  assert.equal(
    value(text, 'openalb_request_count_total{load_balancer="app/web-lb/50dc6c495c0c9188",listener="app/web-lb/50dc6c495c0c9188/f2f7dc8efc522ab2",target_group="targetgroup/web-tg/73e2d6bc24d8a067"}'),
    2,
  )
  assert.equal(
    value(text, 'openalb_request_count_total{load_balancer="app/web-lb/50dc6c495c0c9188",listener="app/web-lb/50dc6c495c0c9188/f2f7dc8efc522ab2",target_group=""}'),
    1,
  )
})

test('handles are made once per label set: the same object comes back', () => {
  const m = new Metrics()
  assert.equal(m.elbStatus(502), m.elbStatus(502))
  assert.equal(m.requests(LB, LISTENER, TG), m.requests(LB, LISTENER, TG))
  assert.equal(m.targetStatus(200), m.targetStatus(204))
  assert.notEqual(m.targetStatus(200), m.targetStatus(500))
})

test('balancer-generated responses count by exact code, target responses by class', async () => {
  const m = new Metrics()
  m.elbStatus(502).inc()
  m.elbStatus(502).inc()
  m.elbStatus(503).inc()
  m.elbStatus(460).inc()
  for (const s of [200, 201, 302, 404, 500, 503]) m.targetStatus(s).inc()
  const text = await m.render()
  assert.equal(value(text, 'openalb_httpcode_elb_count_total{code="502"}'), 2)
  assert.equal(value(text, 'openalb_httpcode_elb_count_total{code="503"}'), 1)
  assert.equal(value(text, 'openalb_httpcode_elb_count_total{code="460"}'), 1)
  assert.equal(value(text, 'openalb_httpcode_target_count_total{class="2XX"}'), 2)
  assert.equal(value(text, 'openalb_httpcode_target_count_total{class="3XX"}'), 1)
  assert.equal(value(text, 'openalb_httpcode_target_count_total{class="4XX"}'), 1)
  assert.equal(value(text, 'openalb_httpcode_target_count_total{class="5XX"}'), 2)
  assert.match(text, /# TYPE openalb_httpcode_elb_count_total counter/)
})

test('target response time is a histogram with cumulative buckets, sum and count', async () => {
  const m = new Metrics()
  const rt = m.targetResponseTime(TG)
  rt.observe(0.003)
  rt.observe(0.2)
  rt.observe(120)
  const text = await m.render()
  const tg = 'target_group="targetgroup/web-tg/73e2d6bc24d8a067"'
  assert.match(text, /# TYPE openalb_target_response_time_seconds histogram/)
  assert.equal(value(text, `openalb_target_response_time_seconds_bucket{${tg},le="0.001"}`), 0)
  assert.equal(value(text, `openalb_target_response_time_seconds_bucket{${tg},le="0.005"}`), 1)
  assert.equal(value(text, `openalb_target_response_time_seconds_bucket{${tg},le="0.25"}`), 2)
  assert.equal(value(text, `openalb_target_response_time_seconds_bucket{${tg},le="60"}`), 2)
  assert.equal(value(text, `openalb_target_response_time_seconds_bucket{${tg},le="+Inf"}`), 3)
  assert.equal(value(text, `openalb_target_response_time_seconds_count{${tg}}`), 3)
  assert.ok(Math.abs((value(text, `openalb_target_response_time_seconds_sum{${tg}}`) ?? 0) - 120.203) < 1e-9)
})

test('healthy and unhealthy host counts are gauges per target group, dropped with the group', async () => {
  const m = new Metrics()
  m.setHostCounts(TG, 2, 1)
  m.setHostCounts(TG, 1, 2)
  const tg = 'target_group="targetgroup/web-tg/73e2d6bc24d8a067"'
  let text = await m.render()
  assert.equal(value(text, `openalb_healthy_host_count{${tg}}`), 1)
  assert.equal(value(text, `openalb_unhealthy_host_count{${tg}}`), 2)
  m.forgetTargetGroup(TG)
  text = await m.render()
  assert.equal(value(text, `openalb_healthy_host_count{${tg}}`), undefined)
})

test('connection, action, TLS, desync and byte metrics render with their values', async () => {
  const m = new Metrics()
  m.newConnections.inc()
  m.newConnections.inc()
  m.activeConnections.inc()
  m.activeConnections.inc()
  m.activeConnections.dec()
  m.rejectedConnection('security_group').inc()
  m.targetConnectionError(TG).inc()
  m.targetTlsNegotiationError(TG).inc()
  m.redirects.inc()
  m.fixedResponses.inc(3)
  m.desyncNonCompliant('Ambiguous').inc()
  m.clientTlsNegotiationErrors.inc()
  m.processedBytes.inc(1500)
  m.unhealthyRouting(TG).inc()
  m.nonStickyRequests.inc()
  const text = await m.render()
  const tg = 'target_group="targetgroup/web-tg/73e2d6bc24d8a067"'
  const expected: [string, number][] = [
    ['openalb_new_connection_count_total', 2],
    ['openalb_active_connection_count', 1],
    ['openalb_rejected_connection_count_total{reason="security_group"}', 1],
    [`openalb_target_connection_error_count_total{${tg}}`, 1],
    [`openalb_target_tls_negotiation_error_count_total{${tg}}`, 1],
    ['openalb_http_redirect_count_total', 1],
    ['openalb_http_fixed_response_count_total', 3],
    ['openalb_desync_mitigation_noncompliant_request_count_total{classification="Ambiguous"}', 1],
    ['openalb_client_tls_negotiation_error_count_total', 1],
    ['openalb_processed_bytes_total', 1500],
    [`openalb_unhealthy_routing_request_count_total{${tg}}`, 1],
    ['openalb_non_sticky_request_count_total', 1],
  ]
  for (const [series, n] of expected) assert.equal(value(text, series), n, series)
})

test('metrics without labels are exported at zero before anything happens', async () => {
  const text = await new Metrics().render()
  assert.equal(value(text, 'openalb_new_connection_count_total'), 0)
  assert.equal(value(text, 'openalb_processed_bytes_total'), 0)
  assert.equal(value(text, 'openalb_httpcode_target_count_total{class="5XX"}'), 0)
  assert.match(text, /# HELP openalb_request_count_total Requests processed \(RequestCount\)\./)
})

test('process metrics are opt-in and carry the openalb_ prefix', async () => {
  const text = await new Metrics({ processMetrics: true }).render()
  assert.match(text, /^openalb_process_cpu_user_seconds_total /m)
})

test('the counts a worker reports, summed over workers, answer the CloudWatch sources as one process would', () => {
  const LISTENER2 = `${LISTENER.slice(0, -1)}3`
  const fill = (m: Metrics, n: number) => {
    m.requests(LB, LISTENER, TG).inc(n)
    m.requests(LB, LISTENER2, TG).inc(2 * n)
    m.requests(LB, LISTENER).inc(5)
    m.targetGroupStatusClasses(TG)[1]?.inc(n)
    m.targetResponseTime(TG).observe(0.25 * n)
  }
  const one = new Metrics()
  fill(one, 3)
  fill(one, 4)
  const w1 = new Metrics()
  const w2 = new Metrics()
  fill(w1, 3)
  fill(w2, 4)
  const summed = new CountReader(() => {
    const out = new Map(w1.counts())
    for (const [k, v] of w2.counts()) out.set(k, (out.get(k) ?? 0) + v)
    return out
  })
  assert.equal(summed.requestCount(LB, TG), one.requestCount(LB, TG))
  assert.equal(summed.requestCount(LB, TG), 21)
  assert.equal(summed.balancerRequestCount(LB), one.balancerRequestCount(LB))
  assert.equal(summed.balancerRequestCount(LB), 31)
  assert.equal(summed.targetGroupStatusCount(TG, '2XX'), one.targetGroupStatusCount(TG, '2XX'))
  assert.equal(summed.targetGroupStatusCount(TG, '2XX'), 7)
  assert.deepEqual(summed.targetResponseTimeTotals(TG), one.targetResponseTimeTotals(TG))
  assert.deepEqual(summed.targetResponseTimeTotals(TG), { sum: 1.75, count: 2 })
})
