import assert from 'node:assert/strict'
import { LimitExceededError } from '../../../src/control/errors.js'
import { test } from 'node:test'
import {
  DuplicateError,
  DuplicateListenerError,
  IncompatibleProtocolsError,
  NotFoundError,
  OperationNotPermittedError,
  SslPolicyNotFoundError,
  ValidationFailed,
  InUseError,
} from '../../../src/control/errors.js'
import {
  createListener,
  createLoadBalancer,
  createRule,
  deleteLoadBalancer,
  findListener,
  modifyListener,
  modifyLoadBalancer,
  updateLoadBalancer,
} from '../../../src/control/load-balancers.js'
import { createSecurityGroup, deleteSecurityGroup } from '../../../src/control/security-groups.js'
import { createTargetGroup } from '../../../src/control/target-groups.js'
import { createCertificateFixture, forwardTo, ok200, openControl, refusedUnchanged } from './fixture.js'

const redirectTo = (protocol: 'HTTP' | 'HTTPS') => [{ type: 'redirect' as const, redirect: { protocol, port: protocol === 'HTTP' ? '80' : '443', statusCode: 'HTTP_301' as const } }]

test('a created balancer gets an app ARN, a DNS name with its id, its subnets\' zones and the creation time', async (t) => {
  const now = new Date('2024-05-01T12:00:00.000Z')
  const { control } = openControl(t, { now: () => now })
  const { value: lb } = await control.mutate((d) => createLoadBalancer(d, { name: 'Web-ALB', subnets: ['subnet-a', 'subnet-b', 'subnet-c'] }))
  assert.deepEqual(lb.subnets, ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02', 'subnet-0a1b2c3d4e5f60c03'])
  assert.match(lb.arn, /:loadbalancer\/app\/Web-ALB\/[0-9a-f]{16}$/)
  assert.match(lb.dnsName, /^web-alb-\d{1,10}\.us-east-1\.elb\.openalb\.test$/)
  assert.deepEqual(lb.availabilityZones, ['us-east-1a', 'us-east-1b', 'us-east-1c'])
  assert.equal(lb.createdTime, now.toISOString())
  assert.equal(lb.canonicalHostedZoneId, 'Z35SXDOTRQ7X7K')
  assert.equal(lb.attributes.idleTimeoutSeconds, 60)
  assert.deepEqual((await control.view()).find('load-balancer', 'Web-ALB'), lb)
})

test('an internal balancer\'s DNS name begins with internal-', async (t) => {
  const { control } = openControl(t)
  const { value: lb } = await control.mutate((d) => createLoadBalancer(d, { name: 'api', scheme: 'internal' }))
  assert.match(lb.dnsName, /^internal-api-/)
})

test('a second balancer with the same name is refused: DuplicateError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createLoadBalancer(d, { name: 'web-alb' }))
  await refusedUnchanged(store, () => control.mutate((d) => createLoadBalancer(d, { name: 'web-alb' })), DuplicateError, 'duplicate')
})

test('security groups are resolved by name to ids; an unknown one is NotFoundError', async (t) => {
  const { control, store } = openControl(t)
  const { value: sg } = await control.mutate((d) => createSecurityGroup(d, { name: 'web-sg' }))
  const { value: lb } = await control.mutate((d) => createLoadBalancer(d, { name: 'web-alb', securityGroups: ['web-sg'] }))
  assert.deepEqual(lb.securityGroups, [sg.id])
  await refusedUnchanged(store, () => control.mutate((d) => createLoadBalancer(d, { name: 'other', securityGroups: ['nope'] })), NotFoundError, 'not-found')
})

test('modifying attributes merges them over the current ones and validates the ranges', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createLoadBalancer(d, { name: 'web-alb' }))
  const { value } = await control.mutate((d) => modifyLoadBalancer(d, 'web-alb', { attributes: { idleTimeoutSeconds: 120, accessLogs: { enabled: true } } }))
  assert.equal(value.attributes.idleTimeoutSeconds, 120)
  assert.equal(value.attributes.desyncMitigationMode, 'defensive')
  assert.deepEqual(value.attributes.accessLogs, { enabled: true, bucket: '', prefix: '' })
  await refusedUnchanged(store, () => control.mutate((d) => modifyLoadBalancer(d, 'web-alb', { attributes: { idleTimeoutSeconds: 4001 } })), ValidationFailed, 'validation', /attributes\.idleTimeoutSeconds/)
  await refusedUnchanged(store, () => control.mutate((d) => modifyLoadBalancer(d, 'web-alb', { subnets: ['only-one'] })), ValidationFailed, 'validation', /subnets/)
})

test('SetSecurityGroups with 6 groups is refused (at most 5)', {}, async (t) => {
  const { control, store } = openControl(t)
  const names = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `${n}-sg`)
  await control.mutate((d) => {
    for (const name of names) createSecurityGroup(d, { name })
    createLoadBalancer(d, { name: 'web-alb' })
  })
  await refusedUnchanged(store, () => control.mutate((d) => modifyLoadBalancer(d, 'web-alb', { securityGroups: names })), ValidationFailed, 'validation', /at most 5/)
})

test('type and scheme cannot change in a full update', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createLoadBalancer(d, { name: 'web-alb' }))
  await refusedUnchanged(store, () => control.mutate((d) => updateLoadBalancer(d, 'web-alb', { name: 'web-alb', scheme: 'internal' })), OperationNotPermittedError, 'operation-not-permitted', /scheme cannot be changed/)
})

test('deletion protection refuses deletion until it is turned off', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createLoadBalancer(d, { name: 'web-alb', attributes: { deletionProtection: true } }))
  await refusedUnchanged(store, () => control.mutate((d) => deleteLoadBalancer(d, 'web-alb')), OperationNotPermittedError, 'operation-not-permitted', /deletion protection/)
  await control.mutate((d) => modifyLoadBalancer(d, 'web-alb', { attributes: { deletionProtection: false } }))
  await control.mutate((d) => deleteLoadBalancer(d, 'web-alb'))
  assert.equal((await control.view()).find('load-balancer', 'web-alb'), undefined)
})

test('deleting a balancer deletes its listeners and their rules, and nothing of other balancers', async (t) => {
  const { control } = openControl(t)
  await control.mutate((d) => {
    for (const name of ['web-alb', 'other-alb']) {
      // One balancer per target group, as ALB allows.
      createTargetGroup(d, { name: `${name}-tg` })
      createLoadBalancer(d, { name })
      createListener(d, name, { port: 80, defaultActions: forwardTo(`${name}-tg`) })
      createListener(d, name, { port: 81, defaultActions: ok200 })
      createRule(d, `${name}:80`, { priority: 1, conditions: [{ field: 'path-pattern', values: ['/a'] }], actions: forwardTo(`${name}-tg`) })
    }
  })
  const m = await control.mutate((d) => deleteLoadBalancer(d, 'web-alb'))
  assert.deepEqual(m.changes.map((c) => (c.op === 'delete' ? c.kind : 'put')).sort(), ['listener', 'listener', 'load-balancer', 'rule'])
  const view = await control.read()
  assert.equal(view.list('load-balancer').length, 1)
  assert.equal(view.list('listener').length, 2)
  assert.equal(view.list('rule').length, 1)
  assert.ok(view.list('listener').every((l) => l.loadBalancerArn.includes('/other-alb/')))
})

test('a security group used by a balancer cannot be deleted: InUseError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    createSecurityGroup(d, { name: 'web-sg' })
    createLoadBalancer(d, { name: 'web-alb', securityGroups: ['web-sg'] })
  })
  await refusedUnchanged(store, () => control.mutate((d) => deleteSecurityGroup(d, 'web-sg')), InUseError, 'in-use', /load balancer 'web-alb'/)
  await control.mutate((d) => deleteLoadBalancer(d, 'web-alb'))
  await control.mutate((d) => deleteSecurityGroup(d, 'web-sg'))
})

test('listeners: created with the default TLS policy on HTTPS, found by BALANCER:PORT', async (t) => {
  const { control } = openControl(t)
  const { value } = await control.mutate((d) => {
    createCertificateFixture(d, 'api-cert')
    createLoadBalancer(d, { name: 'web-alb' })
    const https = createListener(d, 'web-alb', { port: 8443, protocol: 'HTTPS', certificates: ['api-cert'], defaultActions: ok200 })
    const http = createListener(d, 'web-alb', { port: 8080, defaultActions: redirectTo('HTTPS') })
    return { https, http }
  })
  assert.equal(value.https.sslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06')
  assert.equal(value.https.certificates.length, 1)
  assert.equal(value.https.certificates[0]?.isDefault, true)
  assert.equal(value.http.sslPolicy, undefined)
  assert.match(value.http.arn, /:listener\/app\/web-alb\/[0-9a-f]{16}\/[0-9a-f]{16}$/)
  const view = await control.view()
  assert.equal(findListener(view, 'web-alb:8443').arn, value.https.arn)
  assert.throws(() => findListener(view, 'web-alb:9999'), NotFoundError)
})

test('an HTTPS listener without a certificate is refused: ValidationFailed at certificates', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createLoadBalancer(d, { name: 'web-alb' }))
  await assert.rejects(control.mutate((d) => createListener(d, 'web-alb', { port: 443, protocol: 'HTTPS', defaultActions: ok200 })), (e: unknown) => {
    assert.ok(e instanceof ValidationFailed)
    assert.deepEqual(e.failures.map((f) => f.path), ['certificates'])
    return true
  })
  await refusedUnchanged(store, () => control.mutate((d) => createListener(d, 'web-alb', { port: 443, protocol: 'HTTPS', defaultActions: ok200 })), ValidationFailed, 'validation', /certificate must be specified/)
})

test('a certificate on an HTTP listener is refused', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    createCertificateFixture(d, 'api-cert')
    createLoadBalancer(d, { name: 'web-alb' })
  })
  await refusedUnchanged(store, () => control.mutate((d) => createListener(d, 'web-alb', { port: 80, certificates: ['api-cert'], defaultActions: ok200 })), ValidationFailed, 'validation', /only be given for HTTPS and TLS/)
})

test('a missing certificate or an unknown TLS policy is refused', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    createCertificateFixture(d, 'api-cert')
    createLoadBalancer(d, { name: 'web-alb' })
  })
  await refusedUnchanged(store, () => control.mutate((d) => createListener(d, 'web-alb', { port: 443, protocol: 'HTTPS', certificates: ['nope'], defaultActions: ok200 })), NotFoundError, 'not-found', /certificate 'nope'/)
  await refusedUnchanged(
    store,
    () => control.mutate((d) => createListener(d, 'web-alb', { port: 443, protocol: 'HTTPS', certificates: ['api-cert'], sslPolicy: 'ELBSecurityPolicy-Made-Up', defaultActions: ok200 })),
    SslPolicyNotFoundError,
    'ssl-policy-not-found',
  )
})

test('a second listener on the same port of a balancer is refused: DuplicateListenerError; another balancer may use it', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    createLoadBalancer(d, { name: 'web-alb' })
    createLoadBalancer(d, { name: 'api-alb' })
    createListener(d, 'web-alb', { port: 8080, defaultActions: ok200 })
    createListener(d, 'web-alb', { port: 8081, defaultActions: ok200 })
  })
  await refusedUnchanged(store, () => control.mutate((d) => createListener(d, 'web-alb', { port: 8080, defaultActions: ok200 })), DuplicateListenerError, 'duplicate-listener', /port 8080/)
  await refusedUnchanged(store, () => control.mutate((d) => modifyListener(d, 'web-alb:8081', { port: 8080 })), DuplicateListenerError, 'duplicate-listener')
  await control.mutate((d) => createListener(d, 'api-alb', { port: 8080, defaultActions: ok200 }))
})

test('forwarding to a missing target group is refused: NotFoundError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createLoadBalancer(d, { name: 'web-alb' }))
  await refusedUnchanged(store, () => control.mutate((d) => createListener(d, 'web-alb', { port: 80, defaultActions: forwardTo('nope') })), NotFoundError, 'not-found', /target-group 'nope'/)
})

test('a TCP target group behind an application balancer is refused: IncompatibleProtocolsError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    createTargetGroup(d, { name: 'tcp-tg', protocol: 'TCP' })
    createLoadBalancer(d, { name: 'web-alb' })
  })
  await refusedUnchanged(store, () => control.mutate((d) => createListener(d, 'web-alb', { port: 80, defaultActions: forwardTo('tcp-tg') })), IncompatibleProtocolsError, 'incompatible-protocols', /TCP/)
})

test('a TCP listener on an application balancer is refused with ELBv2\'s ValidationError message', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createLoadBalancer(d, { name: 'web-alb' }))
  await refusedUnchanged(store, () => control.mutate((d) => createListener(d, 'web-alb', { port: 80, protocol: 'TCP', defaultActions: ok200 })), ValidationFailed, 'validation', /^Listener protocol 'TCP' must be one of 'HTTPS, HTTP'$/)
})

test('the same target group twice in one forward is refused', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    const tg = createTargetGroup(d, { name: 'web-tg' })
    createLoadBalancer(d, { name: 'web-alb' })
    return tg
  })
  const twice = [{ type: 'forward' as const, targetGroups: [{ targetGroup: 'web-tg' }, { targetGroup: 'web-tg', weight: 2 }] }]
  await refusedUnchanged(store, () => control.mutate((d) => createListener(d, 'web-alb', { port: 80, defaultActions: twice })), OperationNotPermittedError, 'operation-not-permitted')
})

test('a weighted forward resolves names to ARNs and keeps the weights', async (t) => {
  const { control } = openControl(t)
  const { value } = await control.mutate((d) => {
    const a = createTargetGroup(d, { name: 'blue' })
    const b = createTargetGroup(d, { name: 'green' })
    createLoadBalancer(d, { name: 'web-alb' })
    const l = createListener(d, 'web-alb', { port: 80, defaultActions: [{ type: 'forward', targetGroups: [{ targetGroup: 'blue', weight: 9 }, { targetGroup: b.arn, weight: 1 }] }] })
    return { a, b, l }
  })
  assert.deepEqual(value.l.defaultActions, [
    {
      type: 'forward',
      order: 1,
      targetGroups: [
        { targetGroupArn: value.a.arn, weight: 9 },
        { targetGroupArn: value.b.arn, weight: 1 },
      ],
      stickiness: { enabled: false, durationSeconds: 3600 },
    },
  ])
})

test('a redirect from HTTPS to HTTP on an HTTPS listener is refused; HTTP to HTTPS is fine', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    createCertificateFixture(d, 'api-cert')
    createLoadBalancer(d, { name: 'web-alb' })
    createListener(d, 'web-alb', { port: 8443, protocol: 'HTTPS', certificates: ['api-cert'], defaultActions: ok200 })
    createListener(d, 'web-alb', { port: 8080, defaultActions: redirectTo('HTTPS') })
  })
  await refusedUnchanged(
    store,
    () => control.mutate((d) => createListener(d, 'web-alb', { port: 9443, protocol: 'HTTPS', certificates: ['api-cert'], defaultActions: redirectTo('HTTP') })),
    OperationNotPermittedError,
    'operation-not-permitted',
    /HTTPS to HTTP/,
  )
  await refusedUnchanged(
    store,
    () => control.mutate((d) => createRule(d, 'web-alb:8443', { priority: 1, conditions: [{ field: 'path-pattern', values: ['/old'] }], actions: redirectTo('HTTP') })),
    OperationNotPermittedError,
    'operation-not-permitted',
    /HTTPS to HTTP/,
  )
  await refusedUnchanged(store, () => control.mutate((d) => modifyListener(d, 'web-alb:8443', { defaultActions: redirectTo('HTTP') })), OperationNotPermittedError, 'operation-not-permitted')
})

test(
  'turning an HTTP listener that redirects to HTTP into an HTTPS one is refused',
  {},
  async (t) => {
    const { control, store } = openControl(t)
    await control.mutate((d) => {
      createCertificateFixture(d, 'api-cert')
      createLoadBalancer(d, { name: 'web-alb' })
      createListener(d, 'web-alb', { port: 8080, defaultActions: [{ type: 'redirect', redirect: { protocol: 'HTTP', host: 'www.example.test', statusCode: 'HTTP_301' } }] })
    })
    await refusedUnchanged(store, () => control.mutate((d) => modifyListener(d, 'web-alb:8080', { protocol: 'HTTPS', certificates: ['api-cert'] })), OperationNotPermittedError, 'operation-not-permitted')
  },
)

test('modifying a listener from HTTPS to HTTP drops its certificates and policy', async (t) => {
  const { control } = openControl(t)
  await control.mutate((d) => {
    createCertificateFixture(d, 'api-cert')
    createLoadBalancer(d, { name: 'web-alb' })
    createListener(d, 'web-alb', {
      port: 8443,
      protocol: 'HTTPS',
      certificates: ['api-cert'],
      attributes: { serverEnabled: false, responseHeaders: { strictTransportSecurity: 'max-age=60', xFrameOptions: 'DENY' }, mtlsHeaderNames: { leaf: 'X-Leaf' } },
      defaultActions: ok200,
    })
  })
  const { value } = await control.mutate((d) => modifyListener(d, 'web-alb:8443', { protocol: 'HTTP', port: 8080 }))
  assert.deepEqual(value.certificates, [])
  assert.equal(value.sslPolicy, undefined)
  assert.equal(value.port, 8080)
  // The attributes an HTTP listener has stay; HSTS and the mTLS names go with HTTPS.
  assert.deepEqual(value.attributes, { serverEnabled: false, responseHeaders: { xFrameOptions: 'DENY' } })
})

test(
  'a target group can be used by only one load balancer (ALB quota: load balancers per target group 1)',
  async (t) => {
    const { control, store } = openControl(t)
    await control.mutate((d) => {
      createTargetGroup(d, { name: 'web-tg' })
      createLoadBalancer(d, { name: 'web-alb' })
      createLoadBalancer(d, { name: 'api-alb' })
      createListener(d, 'web-alb', { port: 80, defaultActions: forwardTo('web-tg') })
    })
    const before = (await store.load()).revision
    await assert.rejects(control.mutate((d) => createListener(d, 'api-alb', { port: 80, defaultActions: forwardTo('web-tg') })), (e: unknown) => e instanceof LimitExceededError && e.limit === 'load-balancers-per-target-group')
    assert.equal((await store.load()).revision, before)
  },
)

test('every security policy DescribeSSLPolicies lists is accepted by an HTTPS listener', async (t) => {
  const { SSL_POLICIES } = await import('../../../src/model/ssl-policy.js')
  const { control } = openControl(t)
  await control.mutate((d) => {
    createCertificateFixture(d, 'api-cert')
    createLoadBalancer(d, { name: 'web-alb' })
  })
  assert.ok(SSL_POLICIES.length >= 18)
  for (const [i, policy] of SSL_POLICIES.entries()) {
    const { value } = await control.mutate((d) => createListener(d, 'web-alb', { port: 1000 + i, protocol: 'HTTPS', certificates: ['api-cert'], sslPolicy: policy.name, defaultActions: ok200 }))
    assert.equal(value.sslPolicy, policy.name)
  }
})
