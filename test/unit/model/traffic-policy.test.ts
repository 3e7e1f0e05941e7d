import assert from 'node:assert/strict'
import { test } from 'node:test'
import { healthChecksOf, parseTrafficPolicyDocument } from '../../../src/model/traffic-policy.js'

const doc = (body: Record<string, unknown>, type = 'A') => JSON.stringify({ AWSPolicyFormatVersion: '2015-10-01', RecordType: type, ...body })
const refused = (text: string, message: RegExp) => {
  const parsed = parseTrafficPolicyDocument(text)
  assert.equal(parsed.ok, false)
  if (!parsed.ok) assert.match(parsed.message, message)
}

test('a traffic policy document: nested rules become one tree, health checks and weights carried', () => {
  const parsed = parseTrafficPolicyDocument(
    doc({
      StartRule: 'top',
      Endpoints: { a: { Type: 'value', Value: '192.0.2.1' }, lb: { Type: 'network-load-balancer', Value: 'dualstack.NLB-1.elb.us-east-1.amazonaws.com.' } },
      Rules: {
        top: { RuleType: 'failover', Primary: { RuleReference: 'w', HealthCheck: 'hc-1' }, Secondary: { EndpointReference: 'lb', EvaluateTargetHealth: false } },
        w: { RuleType: 'weighted', Items: [{ EndpointReference: 'a', Weight: '3', HealthCheck: 'hc-2' }] },
      },
    }),
  )
  assert.ok(parsed.ok)
  if (!parsed.ok) return
  assert.equal(parsed.type, 'A')
  assert.equal(parsed.tree.kind, 'failover')
  if (parsed.tree.kind !== 'failover') return
  assert.deepEqual(parsed.tree.secondary, { to: { kind: 'endpoint', endpoint: { type: 'load-balancer', dnsName: 'nlb-1.elb.us-east-1.amazonaws.com' } }, evaluateTargetHealth: false })
  assert.equal(parsed.tree.primary.to.kind, 'weighted')
  assert.deepEqual(healthChecksOf(parsed.tree), ['hc-1', 'hc-2'])
})

test('a traffic policy document Route 53 (or openalb) refuses is refused with the reason', () => {
  refused('{', /not valid JSON/)
  refused(JSON.stringify({ AWSPolicyFormatVersion: '2012-10-17', RecordType: 'A', StartEndpoint: 'e' }), /2015-10-01/)
  refused(doc({ StartEndpoint: 'e', StartRule: 'r' }), /exactly one of StartRule and StartEndpoint/)
  refused(doc({ StartEndpoint: 'missing' }), /not defined in Endpoints/)
  refused(doc({ StartEndpoint: 'e', Endpoints: { e: { Type: 'value', Value: '192.0.2.1' } } }, 'AAAA'), /not an IPv6 address/)
  refused(doc({ StartEndpoint: 'e', Endpoints: { e: { Type: 'cloudfront', Value: 'd111.cloudfront.net' } } }), /cloudfront endpoints are not served/)
  refused(doc({ StartRule: 'l', Rules: { l: { RuleType: 'latency', Regions: [] } } }), /latency rules are not answered/)
  refused(doc({ StartRule: 'w', Endpoints: { e: { Type: 'value', Value: '192.0.2.1' } }, Rules: { w: { RuleType: 'weighted', Items: [{ EndpointReference: 'e', Weight: '300' }] } } }), /Weight of 0-255/)
  refused(doc({ StartRule: 'm', Rules: { m: { RuleType: 'multivalue', Items: [{ RuleReference: 'm' }] } } }), /items are endpoints/)
  refused(doc({ StartRule: 'a', Rules: { a: { RuleType: 'failover', Primary: { RuleReference: 'b' }, Secondary: { RuleReference: 'b' } }, b: { RuleType: 'failover', Primary: { RuleReference: 'a' }, Secondary: { RuleReference: 'a' } } } }), /a -> b -> a/)
  refused(doc({ StartEndpoint: 'e', Endpoints: { e: { Type: 'application-load-balancer', Value: 'x.elb.amazonaws.com' } } }, 'TXT'), /A and AAAA only/)
})
