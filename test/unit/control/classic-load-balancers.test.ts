import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  configureClassicHealthCheck,
  createClassicListeners,
  createClassicLoadBalancer,
  createClassicPolicy,
  registerClassicInstances,
  setClassicListenerPolicies,
} from '../../../src/control/classic-load-balancers.js'
import { DuplicateListenerError, InvalidValueError, NotFoundError, UnsupportedProtocolError, ValidationFailed } from '../../../src/control/errors.js'
import { createInstance } from '../../../src/control/instances.js'
import { compileRevision } from '../../../src/runtime/snapshot.js'
import { createCertificateFixture, openControl, rejectsWith } from './fixture.js'

const listener = (protocol: string, port: number, instancePort: number, instanceProtocol?: string) => ({ protocol, loadBalancerPort: port, instancePort, ...(instanceProtocol ? { instanceProtocol } : {}) })

test("a Classic balancer gets AWS's defaults: TCP check on the first instance port (30/5/2/10), attributes off, back-end protocol of the front end's layer", async (t) => {
  const { control } = openControl(t)
  const { value: lb } = await control.mutate((d) => {
    const cert = createCertificateFixture(d, 'c1-cert')
    return createClassicLoadBalancer(d, { name: 'c1', listeners: [{ ...listener('HTTPS', 8443, 4000), sslCertificateId: cert.arn }, { ...listener('SSL', 9443, 5000), sslCertificateId: 'c1-cert' }], availabilityZones: ['us-east-1a'] })
  })
  assert.deepEqual(lb.healthCheck, { target: 'TCP:4000', interval: 30, timeout: 5, unhealthyThreshold: 2, healthyThreshold: 10 })
  assert.deepEqual(lb.listeners.map((l) => l.instanceProtocol), ['HTTP', 'TCP'])
  assert.equal(lb.listeners[1]?.sslCertificateId, lb.listeners[0]?.sslCertificateId, 'a certificate by name is stored by ARN')
  assert.deepEqual(lb.attributes.connectionDraining, { enabled: false, timeout: 300 })
  assert.equal(lb.attributes.crossZoneLoadBalancing, false)
  assert.equal(lb.attributes.idleTimeout, 60)
  assert.deepEqual(lb.availabilityZones, ['us-east-1a'])
  assert.match(lb.dnsName, /^c1-\d{10}\.us-east-1\.elb\.openalb\.test$/)
})

test('Classic listener rules: layers pair, one InstancePort is all secure or all plain, a taken port is DuplicateListener unless identical; refusals change nothing', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createClassicLoadBalancer(d, { name: 'c2', listeners: [listener('HTTP', 8080, 4000)], availabilityZones: ['us-east-1a'] }))
  const before = await store.load()
  const same = await control.mutate((d) => createClassicListeners(d, 'c2', [listener('HTTP', 8080, 4000)]))
  assert.equal(same.changes.length, 0, 'an identical listener is no change')
  await rejectsWith(control.mutate((d) => createClassicListeners(d, 'c2', [listener('HTTP', 8080, 4001)])), DuplicateListenerError, 'duplicate-listener')
  await rejectsWith(control.mutate((d) => createClassicListeners(d, 'c2', [listener('HTTP', 81, 4000, 'TCP')])), InvalidValueError, 'invalid-value', /HTTP or HTTPS InstanceProtocol/)
  await rejectsWith(control.mutate((d) => createClassicListeners(d, 'c2', [listener('TCP', 82, 4000, 'SSL')])), InvalidValueError, 'invalid-value', /all use secure/)
  await rejectsWith(control.mutate((d) => createClassicListeners(d, 'c2', [listener('UDP', 83, 4000)])), UnsupportedProtocolError, 'unsupported-protocol')
  await rejectsWith(control.mutate((d) => createClassicListeners(d, 'c2', [listener('HTTPS', 84, 4000)])), ValidationFailed, 'validation', /SSLCertificateId is required/)
  await rejectsWith(control.mutate((d) => configureClassicHealthCheck(d, 'c2', { target: 'HTTP:4000', interval: 10, timeout: 5, unhealthyThreshold: 2, healthyThreshold: 2 })), ValidationFailed, 'validation', /path/)
  await rejectsWith(control.mutate((d) => configureClassicHealthCheck(d, 'c2', { target: 'TCP:4000', interval: 10, timeout: 10, unhealthyThreshold: 2, healthyThreshold: 2 })), ValidationFailed, 'validation', /less than Interval/)
  await rejectsWith(control.mutate((d) => registerClassicInstances(d, 'c2', ['i-0000000000000dead'])), NotFoundError, 'not-found')
  await rejectsWith(control.mutate((d) => createClassicListeners(d, 'nope', [listener('HTTP', 85, 4000)])), NotFoundError, 'not-found')
  const after = await store.load()
  assert.equal(after.revision, before.revision)
  assert.deepEqual(after.list('classic-load-balancer'), before.list('classic-load-balancer'))
})

test('compiled: HTTP listeners for the HTTP engine and TCP ones for layer 4, a group per instance port checked under the balancer\'s one health group, no fail-open, AWSELB stickiness', async (t) => {
  const { control } = openControl(t)
  const { value: lb } = await control.mutate((d) => {
    const web = createInstance(d, { name: 'web-1', address: '10.0.0.5', subnet: 'subnet-a' })
    createClassicLoadBalancer(d, { name: 'c3', listeners: [listener('HTTP', 8080, 4000), listener('TCP', 9000, 5000)], availabilityZones: ['us-east-1a'] })
    configureClassicHealthCheck(d, 'c3', { target: 'HTTP:4100/ping', interval: 5, timeout: 2, unhealthyThreshold: 2, healthyThreshold: 3 })
    createClassicPolicy(d, 'c3', { name: 'sticky', type: 'LBCookieStickinessPolicyType' })
    setClassicListenerPolicies(d, 'c3', 8080, ['sticky'])
    return registerClassicInstances(d, 'c3', [web.id])
  })
  const compiled = compileRevision(await control.read())
  assert.ok(compiled.snapshot.ok, JSON.stringify(!compiled.snapshot.ok && compiled.snapshot.failures))
  const snap = compiled.snapshot.value
  const http = snap.listeners.get('127.0.0.1:8080')
  assert.equal(http?.protocol, 'HTTP')
  assert.equal(http?.balancer.accessLogFormat, 'classic')
  assert.equal(http?.balancer.attributes.http2Enabled, false)
  assert.equal(snap.l4Listeners?.get('127.0.0.1:9000')?.protocol, 'TCP')
  const groups = [...snap.targetGroups.values()].filter((g) => g.healthGroupArn === lb.arn)
  assert.deepEqual(groups.map((g) => [g.protocol, g.port, g.algorithm, g.failOpen]).sort(), [['HTTP', 4000, 'least_outstanding_requests', false], ['TCP', 5000, 'round_robin', false]])
  for (const g of groups) assert.deepEqual(g.targets.map((x) => [x.key, x.healthKey]), [[`10.0.0.5:${g.port}`, '10.0.0.5:4100']])
  const sticky = groups.find((g) => g.protocol === 'HTTP')?.stickiness
  assert.deepEqual({ ...sticky }, { enabled: true, type: 'lb_cookie', durationSeconds: 0, cookieName: undefined, classic: true })
  const health = compiled.plan.groups.find((g) => g.arn === lb.arn)
  assert.equal(health?.healthCheck.path, '/ping')
  assert.equal(health?.healthCheck.initialThreshold, true)
  assert.deepEqual(health?.targets, [{ id: lb.instances[0], port: 4100 }])
  assert.ok(compiled.plan.groupsInUse.has(lb.arn))
  assert.deepEqual(compiled.plan.groupsByBalancer.get(lb.arn), [lb.arn])
})

test('an SSL negotiation policy (Reference-Security-Policy) sets an HTTPS listener\'s security policy; refused on plain listeners and for unknown policies', async (t) => {
  const { control } = openControl(t)
  await control.mutate((d) => {
    const cert = createCertificateFixture(d, 'c4-cert')
    createClassicLoadBalancer(d, { name: 'c4', listeners: [{ ...listener('HTTPS', 8443, 4000), sslCertificateId: cert.arn }, listener('TCP', 9000, 5000)], availabilityZones: ['us-east-1a'] })
    createClassicPolicy(d, 'c4', { name: 'tls12', type: 'SSLNegotiationPolicyType', referenceSecurityPolicy: 'ELBSecurityPolicy-TLS-1-2-2017-01' })
    createClassicPolicy(d, 'c4', { name: 'sticky', type: 'LBCookieStickinessPolicyType', cookieExpirationPeriod: 10 })
    return setClassicListenerPolicies(d, 'c4', 8443, ['tls12', 'sticky'])
  })
  const first = compileRevision(await control.read()).snapshot
  assert.ok(first.ok)
  assert.equal(first.value.listeners.get('127.0.0.1:8443')?.sslPolicy, 'ELBSecurityPolicy-TLS-1-2-2017-01')
  await rejectsWith(control.mutate((d) => setClassicListenerPolicies(d, 'c4', 9000, ['tls12'])), InvalidValueError, 'invalid-value', /HTTPS and SSL listeners/)
  await rejectsWith(control.mutate((d) => createClassicPolicy(d, 'c4', { name: 'old', type: 'SSLNegotiationPolicyType', referenceSecurityPolicy: 'ELBSample-OpenSSLDefaultCipherPolicy' })), InvalidValueError, 'invalid-value', /not a predefined Classic security policy/)
  // ALB's TLS 1.3 policies are not Classic's.
  await rejectsWith(control.mutate((d) => createClassicPolicy(d, 'c4', { name: 'alb13', type: 'SSLNegotiationPolicyType', referenceSecurityPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' })), InvalidValueError, 'invalid-value', /not a predefined Classic/)
  await control.mutate((d) => setClassicListenerPolicies(d, 'c4', 8443, []))
  const back = compileRevision(await control.read()).snapshot
  assert.ok(back.ok)
  assert.equal(back.value.listeners.get('127.0.0.1:8443')?.sslPolicy, 'ELBSecurityPolicy-2016-08', 'without a policy, Classic\'s default')
})
