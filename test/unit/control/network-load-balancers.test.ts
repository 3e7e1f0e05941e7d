import assert from 'node:assert/strict'
import { test } from 'node:test'
import { IncompatibleProtocolsError, ValidationFailed } from '../../../src/control/errors.js'
import { createListener, createLoadBalancer, createRule, modifyLoadBalancer } from '../../../src/control/load-balancers.js'
import { createTargetGroup, modifyHealthCheck, modifyTargetGroupAttributes } from '../../../src/control/target-groups.js'
import type { Draft } from '../../../src/control/draft.js'
import { crossZoneEnabled } from '../../../src/model/load-balancer.js'
import { connectionTerminationEnabled } from '../../../src/model/target-group.js'
import { forwardTo, ok200, openControl, refusedUnchanged } from './fixture.js'

async function nlbWithTcpGroup(t: Parameters<typeof openControl>[0]) {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    createLoadBalancer(d, { name: 'tcp-nlb', type: 'network', subnets: ['subnet-a'] })
    createTargetGroup(d, { name: 'tcp-tg', protocol: 'TCP', port: 7000, targetType: 'ip' })
    createTargetGroup(d, { name: 'web-tg', protocol: 'HTTP', port: 4000, targetType: 'ip' })
  })
  return { control, store }
}

test('an NLB target group gets NLB\'s health check defaults: TCP connect, every 30 s, 10 s timeout, 5 up and 2 down', async (t) => {
  const { control } = openControl(t)
  const { value: tg } = await control.mutate((d) => createTargetGroup(d, { name: 'tcp-tg', protocol: 'TCP', port: 7000, targetType: 'ip' }))
  assert.equal(tg.healthCheck.protocol, 'TCP')
  assert.equal(tg.healthCheck.intervalSeconds, 30)
  assert.equal(tg.healthCheck.timeoutSeconds, 10)
  assert.equal(tg.healthCheck.healthyThreshold, 5)
  assert.equal(tg.healthCheck.unhealthyThreshold, 2)
  assert.equal(tg.healthCheck.port, 'traffic-port')
})

test('an NLB group with an HTTP check: 6 s timeout and codes 200-399 by default, up to 599 allowed', async (t) => {
  const { control } = openControl(t)
  const { value: tg } = await control.mutate((d) => createTargetGroup(d, { name: 'tcp-tg', protocol: 'TCP', port: 7000, targetType: 'ip', healthCheck: { protocol: 'HTTP', path: '/health' } }))
  assert.equal(tg.healthCheck.timeoutSeconds, 6)
  assert.equal(tg.healthCheck.matcher, '200-399')
  const { value: changed } = await control.mutate((d) => modifyHealthCheck(d, 'tcp-tg', { matcher: '200-599' }))
  assert.equal(changed.healthCheck.matcher, '200-599')
})

test('ALB groups keep ALB\'s defaults, and refuse a TCP check and codes above 499', async (t) => {
  const { control, store } = openControl(t)
  const { value: tg } = await control.mutate((d) => createTargetGroup(d, { name: 'web-tg', port: 4000 }))
  assert.equal(tg.healthCheck.protocol, 'HTTP')
  assert.equal(tg.healthCheck.timeoutSeconds, 5)
  assert.equal(tg.healthCheck.matcher, '200')
  await refusedUnchanged(store, () => control.mutate((d) => modifyHealthCheck(d, 'web-tg', { protocol: 'TCP' })), ValidationFailed, 'validation', /health check protocol TCP is not supported for target groups with the HTTP protocol/)
  await refusedUnchanged(store, () => control.mutate((d) => modifyHealthCheck(d, 'web-tg', { matcher: '500' })), ValidationFailed, 'validation', /between 200 and 499/)
})

test('an NLB group refuses ALB\'s balancing knobs: algorithm, slow start, cookie stickiness, a protocol version', async (t) => {
  const { control, store } = await nlbWithTcpGroup(t)
  const refused = (patch: Record<string, unknown>, message: RegExp) =>
    refusedUnchanged(store, () => control.mutate((d) => modifyTargetGroupAttributes(d, 'tcp-tg', patch)), ValidationFailed, 'validation', message)
  await refused({ algorithm: 'least_outstanding_requests' }, /algorithm is for application load balancers only/)
  await refused({ slowStartSeconds: 30 }, /slow start is not supported for TCP target groups/)
  await refused({ stickiness: { enabled: true } }, /stickiness is not supported/)
  await refusedUnchanged(
    store,
    () => control.mutate((d) => createTargetGroup(d, { name: 'grpc-tcp', protocol: 'TCP', port: 1, protocolVersion: 'GRPC' })),
    ValidationFailed,
    'validation',
    /protocol version can only be given for HTTP and HTTPS target groups/,
  )
})

test('an NLB takes TCP listeners forwarding to TCP groups; HTTP listeners get NLB\'s protocol list', async (t) => {
  const { control, store } = await nlbWithTcpGroup(t)
  const { value: l } = await control.mutate((d) => createListener(d, 'tcp-nlb', { port: 9000, protocol: 'TCP', defaultActions: forwardTo('tcp-tg') }))
  assert.equal(l.protocol, 'TCP')
  await refusedUnchanged(
    store,
    () => control.mutate((d) => createListener(d, 'tcp-nlb', { port: 80, protocol: 'HTTP', defaultActions: forwardTo('tcp-tg') })),
    ValidationFailed,
    'validation',
    /Listener protocol 'HTTP' must be one of 'TLS, TCP, TCP_UDP, UDP'/,
  )
  await refusedUnchanged(
    store,
    () => control.mutate((d) => createListener(d, 'tcp-nlb', { port: 9001, protocol: 'TCP', defaultActions: forwardTo('web-tg') })),
    IncompatibleProtocolsError,
    'incompatible-protocols',
  )
})

test('NLB refuses what only an ALB does: rules, fixed responses, redirects, several or weighted groups', async (t) => {
  const { control, store } = await nlbWithTcpGroup(t)
  await control.mutate((d: Draft) => {
    createTargetGroup(d, { name: 'tcp-tg-2', protocol: 'TCP', port: 7001, targetType: 'ip' })
    createListener(d, 'tcp-nlb', { port: 9000, protocol: 'TCP', defaultActions: forwardTo('tcp-tg') })
  })
  const listen = (defaultActions: unknown) => () => control.mutate((d) => createListener(d, 'tcp-nlb', { port: 9001, protocol: 'TCP', defaultActions: defaultActions as never }))
  await refusedUnchanged(store, listen(ok200), ValidationFailed, 'validation', /Action type 'fixed-response' must be one of 'forward'/)
  await refusedUnchanged(store, listen([{ type: 'redirect', redirect: { protocol: 'HTTPS', statusCode: 'HTTP_301' } }]), ValidationFailed, 'validation', /Action type 'redirect' must be one of 'forward'/)
  await refusedUnchanged(
    store,
    listen([{ type: 'forward', targetGroups: [{ targetGroup: 'tcp-tg' }, { targetGroup: 'tcp-tg-2' }] }]),
    ValidationFailed,
    'validation',
    /You cannot specify multiple target groups in a single action with a load balancer of type 'network'/,
  )
  await refusedUnchanged(store, listen([{ type: 'forward', targetGroups: [{ targetGroup: 'tcp-tg', weight: 5 }] }]), ValidationFailed, 'validation', /target group weight/)
  await refusedUnchanged(
    store,
    () => control.mutate((d) => createRule(d, 'tcp-nlb:9000', { priority: 1, conditions: [{ field: 'path-pattern', values: ['/x'] }], actions: forwardTo('tcp-tg') })),
    ValidationFailed,
    'validation',
    /Listener rules are not supported for load balancers of type 'network'/,
  )
})

test('UDP and TCP_UDP listeners take their own group protocols; connection termination defaults on for them', async (t) => {
  const { control, store } = await nlbWithTcpGroup(t)
  await refusedUnchanged(
    store,
    () => control.mutate((d) => createListener(d, 'tcp-nlb', { port: 53, protocol: 'UDP', defaultActions: forwardTo('tcp-tg') })),
    IncompatibleProtocolsError,
    'incompatible-protocols',
    /a UDP listener cannot forward to target group 'tcp-tg' of protocol TCP/,
  )
  const { value: udp } = await control.mutate((d) => createTargetGroup(d, { name: 'udp-tg', protocol: 'UDP', port: 53, targetType: 'ip' }))
  assert.equal(connectionTerminationEnabled(udp), true)
  assert.equal(connectionTerminationEnabled((await control.view()).resolve('target-group', 'tcp-tg')), false)
  await control.mutate((d) => createListener(d, 'tcp-nlb', { port: 53, protocol: 'UDP', defaultActions: forwardTo('udp-tg') }))
  await refusedUnchanged(store, () => control.mutate((d) => modifyTargetGroupAttributes(d, 'udp-tg', { proxyProtocolV2: true })), ValidationFailed, 'validation', /proxy protocol v2 is not supported by openalb for UDP/)
})

test('cross-zone: off by default for an NLB and can be turned on; always on for an ALB', async (t) => {
  const { control, store } = await nlbWithTcpGroup(t)
  const nlb = (await control.view()).resolve('load-balancer', 'tcp-nlb')
  assert.equal(crossZoneEnabled(nlb), false)
  const { value: on } = await control.mutate((d) => modifyLoadBalancer(d, 'tcp-nlb', { attributes: { crossZoneEnabled: true } }))
  assert.equal(crossZoneEnabled(on), true)
  await control.mutate((d) => createLoadBalancer(d, { name: 'web-alb' }))
  assert.equal(crossZoneEnabled((await control.view()).resolve('load-balancer', 'web-alb')), true)
  await refusedUnchanged(store, () => control.mutate((d) => modifyLoadBalancer(d, 'web-alb', { attributes: { crossZoneEnabled: false } })), ValidationFailed, 'validation', /always on for application load balancers/)
})

test('TLS listeners: a certificate is required, the ALPN policy defaults to None and is for TLS listeners only', async (t) => {
  const { control, store } = await nlbWithTcpGroup(t)
  const { requestCertificate } = await import('../../../src/control/certificates.js')
  await control.mutate((d) => requestCertificate(d, { name: 'tcp-cert', domainName: 'tcp.example.test' }))
  await refusedUnchanged(store, () => control.mutate((d) => createListener(d, 'tcp-nlb', { port: 9443, protocol: 'TLS', defaultActions: forwardTo('tcp-tg') })), ValidationFailed, 'validation', /a certificate must be specified for TLS listeners/)
  const { value: l } = await control.mutate((d) => createListener(d, 'tcp-nlb', { port: 9443, protocol: 'TLS', certificates: ['tcp-cert'], defaultActions: forwardTo('tcp-tg') }))
  assert.equal(l.alpnPolicy, 'None')
  assert.equal(l.sslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06')
  await refusedUnchanged(
    store,
    () => control.mutate((d) => createListener(d, 'tcp-nlb', { port: 9000, protocol: 'TCP', alpnPolicy: 'HTTP2Preferred', defaultActions: forwardTo('tcp-tg') })),
    ValidationFailed,
    'validation',
    /an ALPN policy can only be given for TLS listeners, not TCP/,
  )
})

test('proxy protocol v2 is an attribute of network target groups only', async (t) => {
  const { control, store } = await nlbWithTcpGroup(t)
  const { value: tg } = await control.mutate((d) => modifyTargetGroupAttributes(d, 'tcp-tg', { proxyProtocolV2: true }))
  assert.equal(tg.attributes.proxyProtocolV2, true)
  await refusedUnchanged(store, () => control.mutate((d) => modifyTargetGroupAttributes(d, 'web-tg', { proxyProtocolV2: true })), ValidationFailed, 'validation', /proxy protocol v2 is for network target groups only/)
})
