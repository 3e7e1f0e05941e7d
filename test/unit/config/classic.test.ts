import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyConfig, checkApply, planConfig } from '../../../src/config/apply.js'
import { ConfigInvalid, loadConfig } from '../../../src/config/load.js'
import { configureClassicHealthCheck, registerClassicInstances } from '../../../src/control/classic-load-balancers.js'
import { attachInstances } from '../../../src/control/auto-scaling-groups.js'
import { createInstance } from '../../../src/control/instances.js'
import { compileRevision } from '../../../src/runtime/snapshot.js'
import { openControl } from '../control/fixture.js'

// A file's `type: classic` balancer is the elb API's classic-load-balancer resource: apply makes,
// changes and prunes it through control with the API's checks, each error at its line.

function configFile(t: TestContext): (yaml: string) => ReturnType<typeof loadConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-classic-config-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return (yaml) => {
    const file = join(dir, 'openalb.yaml')
    writeFileSync(file, yaml)
    return loadConfig(file)
  }
}

/** The error lines of a file that does not load, without the temp directory. */
function issuesOf(load: () => unknown): string[] {
  try {
    load()
  } catch (e) {
    if (e instanceof ConfigInvalid) return e.issues.map((i) => `${i.line}: ${i.path}: ${i.message}`)
    throw e
  }
  assert.fail('the file loaded')
}

const base = `securityGroups:
  - { name: web-sg, description: web, ingress: [{ protocol: tcp, fromPort: 8080, cidrs: [127.0.0.0/8] }] }
instances:
  - { name: web-1, subnet: subnet-a }
  - { name: web-2, subnet: subnet-b }
certificates:
  - { name: web-cert, domainName: classic.example.test }
`

const balancer = (extra = '', healthCheck = 'HTTP:4000/') => `${base}loadBalancers:
  - name: web-clb
    type: classic
    availabilityZones: [us-east-1a, us-east-1b]
    securityGroups: [web-sg]
    listeners:
      - { protocol: HTTP, loadBalancerPort: 8080, instancePort: 4000, policies: [sticky] }
      - { protocol: HTTPS, loadBalancerPort: 8443, instancePort: 4000, certificate: web-cert }
      - { protocol: TCP, loadBalancerPort: 9000, instancePort: 5000 }
    healthCheck: { target: "${healthCheck}", intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2 }
    instances: [web-1, web-2]
    policies:
      - { name: sticky, type: LBCookieStickinessPolicyType, cookieExpirationSeconds: 60 }
    attributes:
      connectionDraining: { enabled: true, timeoutSeconds: 30 }
      idleTimeoutSeconds: 120
${extra}`

test('a type: classic balancer is applied as the elb API would make it: names resolved to ids and ARNs, one health check, policies on listeners', async (t) => {
  const { control } = openControl(t)
  const file = configFile(t)
  const { changes } = await applyConfig(control, file(balancer()))
  assert.ok(changes.some((c) => c.op === '+' && c.kind === 'classic-load-balancer' && c.name === 'web-clb'))
  const view = await control.read()
  const lb = view.list('classic-load-balancer')[0]
  assert.ok(lb)
  const ids = view.list('instance').map((i) => i.id)
  assert.deepEqual([...lb.instances].sort(), [...ids].sort())
  assert.deepEqual(lb.securityGroups, [view.list('security-group').find((g) => g.name === 'web-sg')?.id])
  assert.equal(lb.listeners[1]?.sslCertificateId, view.list('certificate')[0]?.arn)
  assert.deepEqual(lb.listeners.map((l) => `${l.protocol}:${l.loadBalancerPort}->${l.instanceProtocol}:${l.instancePort} ${l.policyNames.join(',')}`), [
    'HTTP:8080->HTTP:4000 sticky',
    'HTTPS:8443->HTTP:4000 ',
    'TCP:9000->TCP:5000 ',
  ])
  assert.deepEqual(lb.healthCheck, { target: 'HTTP:4000/', interval: 5, timeout: 2, unhealthyThreshold: 2, healthyThreshold: 2 })
  assert.deepEqual(lb.policies, [{ name: 'sticky', type: 'LBCookieStickinessPolicyType', cookieExpirationPeriod: 60 }])
  assert.deepEqual(lb.attributes.connectionDraining, { enabled: true, timeout: 30 })
  assert.equal(lb.attributes.idleTimeout, 120)
  assert.deepEqual(lb.availabilityZones, ['us-east-1a', 'us-east-1b'])
  assert.match(lb.dnsName, /^web-clb-\d{10}\.us-east-1\.elb\.openalb\.test$/)
  // The data plane serves it as it serves one made through the API.
  const compiled = compileRevision(view).snapshot
  assert.ok(compiled.ok, JSON.stringify(!compiled.ok && compiled.failures))
  assert.equal(compiled.value.listeners.get('127.0.0.1:8080')?.balancer.accessLogFormat, 'classic')
  assert.equal(compiled.value.l4Listeners?.get('127.0.0.1:9000')?.protocol, 'TCP')
})

test('re-applied unchanged, a Classic balancer is no change and keeps its DNS name; a change made through the API is planned back to the file', async (t) => {
  const { control } = openControl(t)
  const file = configFile(t)
  await applyConfig(control, file(balancer()))
  const dns = (await control.read()).list('classic-load-balancer')[0]?.dnsName
  const again = await applyConfig(control, file(balancer()))
  assert.deepEqual(again.changes, [])

  // The API changes the same balancer; the file's apply puts it back.
  await control.mutate((d) => configureClassicHealthCheck(d, 'web-clb', { target: 'TCP:4000', interval: 30, timeout: 5, unhealthyThreshold: 2, healthyThreshold: 10 }))
  const plan = await planConfig(control, file(balancer()))
  assert.deepEqual(plan.changes.map((c) => `${c.op} ${c.kind} ${c.name} ${c.fields.join(',')}`), ['~ classic-load-balancer web-clb healthCheck'])
  await applyConfig(control, file(balancer()))
  const lb = (await control.read()).list('classic-load-balancer')[0]
  assert.equal(lb?.healthCheck.target, 'HTTP:4000/')
  assert.equal(lb?.dnsName, dns)
})

test('a Classic balancer the file no longer lists is deleted, before the instances and groups it used', async (t) => {
  const { control } = openControl(t)
  const file = configFile(t)
  await applyConfig(control, file(balancer()))
  const { changes } = await applyConfig(control, file(base))
  assert.deepEqual(changes.map((c) => `${c.op} ${c.kind} ${c.name}`), ['- classic-load-balancer web-clb'])
  assert.equal((await control.read()).list('classic-load-balancer').length, 0)
})

test("a Classic balancer's schema errors are said at their line in the file's words", (t) => {
  const file = configFile(t)
  const lines = issuesOf(() =>
    file(`loadBalancers:
  - name: c
    type: classik
  - name: d
    type: classic
    listeners:
      - { protocol: UDP, loadBalancerPort: 80, instancePort: 80 }
    healthCheck: { target: "HTTP:80", intervalSeconds: 5, timeoutSeconds: 5 }
    subnets: [subnet-a]
    availabilityZones: [us-east-1a]
    attributes: { accessLog: { enabled: true } }
`),
  )
  assert.deepEqual(lines, [
    '3: loadBalancers[0].type: must be one of "application", "network", "classic", not the string "classik"',
    '7: loadBalancers[1].listeners[0].protocol: must be one of "HTTP", "HTTPS", "TCP", "SSL", not the string "UDP"',
    '8: loadBalancers[1].healthCheck.target: HealthCheck HTTP Target must specify a port followed by a path that begins with a slash. e.g. HTTP:80/ping/this/path',
    '8: loadBalancers[1].healthCheck.timeoutSeconds: must be less than intervalSeconds',
    '11: loadBalancers[1].attributes.accessLog.bucket: a file path (or - for standard output) is required to enable access logs',
  ])
  // The balancer-wide rules are said once its fields are right.
  const both = issuesOf(() => file('loadBalancers:\n  - name: d\n    type: classic\n    listeners: [{ protocol: TCP, loadBalancerPort: 80, instancePort: 80 }]\n    subnets: [subnet-a]\n    availabilityZones: [us-east-1a]\n'))
  assert.deepEqual(both, ['6: loadBalancers[0].availabilityZones: give subnets or availabilityZones, not both'])
})

test("a Classic balancer's references are checked before apply: instances, groups, certificates and policies by name", (t) => {
  const file = configFile(t)
  const lines = issuesOf(() =>
    file(`${base}loadBalancers:
  - name: c
    type: classic
    securityGroups: [web-gs]
    listeners:
      - { protocol: HTTPS, loadBalancerPort: 443, instancePort: 80 }
      - { protocol: HTTP, loadBalancerPort: 443, instancePort: 80, certificate: web-cert, policies: [stiky] }
    instances: [web-3]
    policies:
      - { name: sticky, type: LBCookieStickinessPolicyType }
`),
  )
  assert.deepEqual(lines, [
    '11: loadBalancers[0].securityGroups[0]: unknown security group \'web-gs\'; did you mean \'web-sg\'?',
    '13: loadBalancers[0].listeners[0].certificate: a certificate must be specified for HTTPS listeners',
    '14: loadBalancers[0].listeners[1].loadBalancerPort: duplicate listener port \'443\' (also at index 0)',
    '14: loadBalancers[0].listeners[1].certificate: only HTTPS and SSL listeners have a certificate, not HTTP',
    "14: loadBalancers[0].listeners[1].policies[0]: unknown policy 'stiky'; did you mean 'sticky'?",
    "15: loadBalancers[0].instances[0]: unknown instance 'web-3'; did you mean 'web-1'?",
  ])
})

test("control's Classic rules refuse at the part's line, and a refused apply changes nothing", async (t) => {
  const { control, store } = openControl(t)
  const file = configFile(t)
  await applyConfig(control, file(balancer()))
  const before = await store.load()
  // A TCP front end with an HTTP back end, and a stickiness policy on a TCP listener: the API's InvalidConfigurationRequest.
  const bad = balancer().replace('{ protocol: TCP, loadBalancerPort: 9000, instancePort: 5000 }', '{ protocol: TCP, loadBalancerPort: 9000, instanceProtocol: HTTP, instancePort: 5000 }')
  const loaded = file(bad)
  const issues = await checkApply(control, loaded)
  assert.equal(issues.length, 1)
  assert.equal(issues[0]?.path, 'loadBalancers[0].listeners[2]')
  assert.equal(issues[0]?.line, 16)
  assert.match(issues[0]?.message ?? '', /a TCP front end needs an TCP or SSL InstanceProtocol, not HTTP/)
  await assert.rejects(applyConfig(control, loaded), (e: unknown) => e instanceof ConfigInvalid && /openalb\.yaml:16:\d+: loadBalancers\[0\]\.listeners\[2\]: /.test(e.message))
  const sticky = balancer().replace('policies: [sticky] }', '}').replace('{ protocol: TCP, loadBalancerPort: 9000, instancePort: 5000 }', '{ protocol: TCP, loadBalancerPort: 9000, instancePort: 5000, policies: [sticky] }')
  const stickyIssues = await checkApply(control, file(sticky))
  assert.deepEqual(stickyIssues.map((i) => `${i.line} ${i.path} ${i.message}`), ['16 loadBalancers[0].listeners[2].policies Stickiness policies can only be set on HTTP and HTTPS listeners, not on the TCP listener on port 9000'])
  assert.equal((await store.load()).revision, before.revision)
})

test('instances registered through the API beside the file are replaced by the file\'s list on the next apply', async (t) => {
  const { control } = openControl(t)
  const file = configFile(t)
  const one = balancer().replace('instances: [web-1, web-2]', 'instances: [web-1]')
  await applyConfig(control, file(one))
  const view = await control.read()
  const web2 = view.list('instance').find((i) => i.name === 'web-2')
  assert.ok(web2)
  await control.mutate((d) => registerClassicInstances(d, 'web-clb', [web2.id]))
  const plan = await planConfig(control, file(one))
  assert.deepEqual(plan.changes.map((c) => `${c.op} ${c.name} ${c.fields.join(',')}`), ['~ web-clb instances'])
})

test("an Auto Scaling group of the file names a Classic balancer (loadBalancerNames): its members stay registered when the file's balancer is applied again", async (t) => {
  const { control } = openControl(t)
  const file = configFile(t)
  const yaml = (names: string) => `${balancer()}launchTemplates:
  - { name: web, imageId: ami-web, instanceType: t3.micro }
autoScalingGroups:
  - { name: web, launchTemplate: web, minSize: 0, maxSize: 2, desiredCapacity: 0, subnets: [subnet-a], loadBalancerNames: [${names}], healthCheckType: ELB }
`
  await applyConfig(control, file(yaml('web-clb')))
  assert.deepEqual((await control.read()).list('auto-scaling-group')[0]?.loadBalancerNames, ['web-clb'])
  // A member joins (as the group's launch would make it): it is registered with the balancer.
  const joined = await control.mutate((d) => {
    const inst = createInstance(d, { name: 'web-3', subnet: 'subnet-a' })
    d.put({ ...inst, state: 'running' })
    attachInstances(d, 'web', [inst.id])
    return inst.id
  })
  assert.ok((await control.read()).list('classic-load-balancer')[0]?.instances.includes(joined.value))
  const again = await applyConfig(control, file(yaml('web-clb')))
  assert.deepEqual(again.changes.filter((c) => c.kind === 'classic-load-balancer'), [], "the group's member is the group's, not the file's")
  assert.ok((await control.read()).list('classic-load-balancer')[0]?.instances.includes(joined.value))
  // Left out of the group's list: detached, its member deregistered.
  await applyConfig(control, file(yaml('')))
  assert.equal((await control.read()).list('classic-load-balancer')[0]?.instances.includes(joined.value), false)

  const lines = issuesOf(() => file(yaml('web-cbl')))
  assert.deepEqual(lines, ["27: autoScalingGroups[0].loadBalancerNames[0]: unknown Classic load balancer 'web-cbl' (a loadBalancers item of type: classic); did you mean 'web-clb'?"])
})
