import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm'
import { CreateSecurityGroupCommand, EC2Client } from '@aws-sdk/client-ec2'
import {
  AddListenerCertificatesCommand,
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeAccountLimitsCommand,
  DescribeListenerAttributesCommand,
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeSSLPoliciesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyListenerAttributesCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  RemoveListenerCertificatesCommand,
  RemoveTagsCommand,
  SetIpAddressTypeCommand,
  SetRulePrioritiesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  paginateDescribeTargetGroups,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { rejectsWith } from './assert-aws-error.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

/** A RegExp matching exactly this text. */
const exactly = (text: string): RegExp => new RegExp('^' + text.replace(/[.*+?^$(){}|[\]\\]/g, '\\$&') + '$')

test('the ELBv2 SDK client builds the tutorial balancer and meets ALB errors', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))
  const acm = new ACMClient(clientConfig(api))
  const ec2 = new EC2Client(clientConfig(api))

  const created = await elb.send(
    new CreateTargetGroupCommand({
      Name: 'web-tg',
      Protocol: 'HTTP',
      Port: 4000,
      TargetType: 'ip',
      VpcId: 'vpc-0a1b2c3d4e5f60718',
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
      Tags: [{ Key: 'team', Value: 'web' }],
    }),
  )
  const tg = created.TargetGroups?.[0]
  if (!tg?.TargetGroupArn) throw new Error('no target group returned')
  assert.ok(tg.TargetGroupArn.startsWith('arn:aws:elasticloadbalancing:us-east-1:'))
  assert.equal(tg.TargetGroupName, 'web-tg')
  assert.equal(tg.Port, 4000)
  assert.equal(tg.HealthCheckIntervalSeconds, 5)
  assert.equal(tg.HealthyThresholdCount, 2)
  assert.equal(tg.Matcher?.HttpCode, '200')
  assert.equal(tg.HealthCheckPort, 'traffic-port')
  assert.deepEqual(tg.LoadBalancerArns, [])
  const tgArn = tg.TargetGroupArn

  await t.test('a second group named web-tg with other settings is DuplicateTargetGroupName', async () => {
    await rejectsWith(elb.send(new CreateTargetGroupCommand({ Name: 'web-tg', Protocol: 'HTTP', Port: 5000, TargetType: 'ip' })), 'DuplicateTargetGroupNameException')
  })
  await t.test('an unknown target group ARN is TargetGroupNotFound', async () => {
    await rejectsWith(elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn.replace(/[0-9a-f]{16}$/, '0000000000000000')] })), 'TargetGroupNotFoundException')
  })
  await t.test('a health check timeout not below the interval is a ValidationError', async () => {
    await rejectsWith(elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckTimeoutSeconds: 6 })), 'ValidationError', /HealthCheckTimeoutSeconds: must be smaller than HealthCheckIntervalSeconds/)
  })

  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '127.0.0.1', Port: 4000 }, { Id: '127.0.0.1', Port: 4001 }] }))
  await rejectsWith(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: 'not-an-ip' }] })), 'InvalidTargetException')
  api.health.set(tgArn, [{ targetId: '127.0.0.1', port: 4000, state: 'healthy' }])
  const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))
  const states = health.TargetHealthDescriptions?.map((h) => [h.Target?.Port, h.TargetHealth?.State, h.TargetHealth?.Reason])
  assert.deepEqual(states, [
    [4000, 'healthy', undefined],
    [4001, 'unused', 'Target.NotInUse'],
  ])
  await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '127.0.0.1', Port: 4001 }] }))
  const asked = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '127.0.0.1', Port: 4001 }] }))
  assert.equal(asked.TargetHealthDescriptions?.[0]?.TargetHealth?.Reason, 'Target.NotRegistered')

  const modified = await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckPath: '/health', Matcher: { HttpCode: '200-299' } }))
  assert.equal(modified.TargetGroups?.[0]?.HealthCheckPath, '/health')
  assert.equal(modified.TargetGroups?.[0]?.Matcher?.HttpCode, '200-299')

  const attrs = await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: tgArn,
      Attributes: [
        { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
        { Key: 'stickiness.enabled', Value: 'true' },
        { Key: 'stickiness.lb_cookie.duration_seconds', Value: '600' },
      ],
    }),
  )
  const attr = (list: { Key?: string; Value?: string }[] | undefined, key: string) => list?.find((a) => a.Key === key)?.Value
  assert.equal(attr(attrs.Attributes, 'deregistration_delay.timeout_seconds'), '30')
  const readBack = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tgArn }))
  assert.equal(attr(readBack.Attributes, 'stickiness.enabled'), 'true')
  assert.equal(attr(readBack.Attributes, 'stickiness.lb_cookie.duration_seconds'), '600')
  await rejectsWith(elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: 'no.such.key', Value: '1' }] })), 'InvalidConfigurationRequestException', /^Key no\.such\.key not valid$/)

  const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web-alb-sg', Description: 'the balancer' }))
  const cert = await acm.send(new RequestCertificateCommand({ DomainName: 'api.example.test', ValidationMethod: 'DNS' }))
  const other = await acm.send(new RequestCertificateCommand({ DomainName: 'www.example.test', ValidationMethod: 'DNS' }))

  const lbOut = await elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02'], SecurityGroups: [sg.GroupId ?? ''] }))
  const lb = lbOut.LoadBalancers?.[0]
  if (!lb?.LoadBalancerArn) throw new Error('no load balancer returned')
  assert.ok(lb.LoadBalancerArn.includes(':loadbalancer/app/web-alb/'))
  assert.match(lb.DNSName ?? '', /^web-alb-\d+\.us-east-1\.elb\.openalb\.test$/)
  assert.equal(lb.State?.Code, 'active')
  assert.deepEqual(lb.AvailabilityZones?.map((z) => z.ZoneName), ['us-east-1a', 'us-east-1b'])
  assert.deepEqual(lb.SecurityGroups, [sg.GroupId])
  const lbArn = lb.LoadBalancerArn
  const again = await elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02'] }))
  assert.equal(again.LoadBalancers?.[0]?.LoadBalancerArn, lbArn, 'creating the same balancer again returns it, as ALB does')
  await rejectsWith(elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', Scheme: 'internal' })), 'DuplicateLoadBalancerNameException')
  await rejectsWith(elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })), 'LoadBalancerNotFoundException')

  const https = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Protocol: 'HTTPS',
      Port: 8443,
      Certificates: [{ CertificateArn: cert.CertificateArn }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
    }),
  )
  const httpsListener = https.Listeners?.[0]
  assert.equal(httpsListener?.SslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06')
  assert.equal(httpsListener?.DefaultActions?.[0]?.TargetGroupArn, tgArn)
  assert.equal(httpsListener?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups?.[0]?.Weight, 1)
  const httpsArn = httpsListener?.ListenerArn ?? ''
  const http = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Protocol: 'HTTP',
      Port: 8080,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'no route' } }],
    }),
  )
  const httpArn = http.Listeners?.[0]?.ListenerArn ?? ''
  await rejectsWith(elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] })), 'DuplicateListenerException')
  await rejectsWith(elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 9443, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] })), 'ValidationError', /certificate/)
  await rejectsWith(
    elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 9443, Certificates: [{ CertificateArn: cert.CertificateArn }], SslPolicy: 'NoSuchPolicy', DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] })),
    'SSLPolicyNotFoundException',
  )
  await rejectsWith(elb.send(new DescribeListenersCommand({ ListenerArns: [httpArn.replace(/[0-9a-f]{16}$/, '0000000000000000')] })), 'ListenerNotFoundException')

  const described = await elb.send(new DescribeTargetGroupsCommand({ Names: ['web-tg'] }))
  assert.deepEqual(described.TargetGroups?.[0]?.LoadBalancerArns, [lbArn])
  await rejectsWith(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn })), 'ResourceInUseException')

  const rule = await elb.send(
    new CreateRuleCommand({
      ListenerArn: httpArn,
      Priority: 10,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.test'] } }],
      Actions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '8443', StatusCode: 'HTTP_301' } }],
    }),
  )
  const ruleOut = rule.Rules?.[0]
  assert.equal(ruleOut?.Priority, '10')
  assert.deepEqual(ruleOut?.Conditions?.[0]?.HostHeaderConfig?.Values, ['api.example.test'])
  assert.deepEqual(ruleOut?.Conditions?.[0]?.Values, ['api.example.test'])
  assert.equal(ruleOut?.Actions?.[0]?.RedirectConfig?.Host, '#{host}')
  assert.equal(ruleOut?.Actions?.[0]?.RedirectConfig?.StatusCode, 'HTTP_301')
  const ruleArn = ruleOut?.RuleArn ?? ''
  await rejectsWith(
    elb.send(new CreateRuleCommand({ ListenerArn: httpArn, Priority: 10, Conditions: [{ Field: 'path-pattern', Values: ['/x'] }], Actions: [{ Type: 'forward', TargetGroupArn: tgArn }] })),
    'PriorityInUseException',
  )
  const second = await elb.send(
    new CreateRuleCommand({ ListenerArn: httpArn, Priority: 20, Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }, { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Env', Values: ['prod'] } }], Actions: [{ Type: 'forward', TargetGroupArn: tgArn }] }),
  )
  const secondArn = second.Rules?.[0]?.RuleArn ?? ''
  const rules = await elb.send(new DescribeRulesCommand({ ListenerArn: httpArn }))
  assert.deepEqual(rules.Rules?.map((r) => [r.Priority, r.IsDefault]), [['10', false], ['20', false], ['default', true]])
  const defaultRule = rules.Rules?.[2]
  assert.equal(defaultRule?.Actions?.[0]?.FixedResponseConfig?.MessageBody, 'no route')
  await rejectsWith(elb.send(new DeleteRuleCommand({ RuleArn: defaultRule?.RuleArn })), 'OperationNotPermittedException')
  const moved = await elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: ruleArn, Priority: 20 }, { RuleArn: secondArn, Priority: 10 }] }))
  assert.deepEqual(moved.Rules?.map((r) => r.Priority).sort(), ['10', '20'])
  await rejectsWith(elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: ruleArn, Priority: 10 }] })), 'PriorityInUseException')
  const modRule = await elb.send(new ModifyRuleCommand({ RuleArn: secondArn, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/v2/*'] } }] }))
  assert.deepEqual(modRule.Rules?.[0]?.Conditions?.[0]?.PathPatternConfig?.Values, ['/v2/*'])
  // RegexValues (host-header, path-pattern, http-header): kept and described back; RE2 syntax only.
  const regexRule = await elb.send(
    new ModifyRuleCommand({
      RuleArn: secondArn,
      Conditions: [
        { Field: 'path-pattern', PathPatternConfig: { RegexValues: ['^/v[0-9]+/'] } },
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'User-Agent', RegexValues: ['Mobile'] } },
      ],
    }),
  )
  assert.deepEqual(regexRule.Rules?.[0]?.Conditions?.[0]?.PathPatternConfig?.RegexValues, ['^/v[0-9]+/'])
  assert.deepEqual(regexRule.Rules?.[0]?.Conditions?.[1]?.HttpHeaderConfig?.RegexValues, ['Mobile'])
  await rejectsWith(
    elb.send(new ModifyRuleCommand({ RuleArn: secondArn, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { RegexValues: ['(a)\\1'] } }] })),
    'ValidationError',
  )
  await rejectsWith(
    elb.send(new ModifyRuleCommand({ RuleArn: secondArn, Conditions: [{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] }, RegexValues: ['x'] }] })),
    'ValidationError',
  )
  // Transforms: one url-rewrite and one host-header-rewrite, kept and described back; ResetTransforms drops them.
  const transforms = [
    { Type: 'url-rewrite' as const, UrlRewriteConfig: { Rewrites: [{ Regex: '^/v2/(.*)$', Replace: '/$1' }] } },
    { Type: 'host-header-rewrite' as const, HostHeaderRewriteConfig: { Rewrites: [{ Regex: '^api\\.', Replace: 'internal.' }] } },
  ]
  const transformed = await elb.send(new ModifyRuleCommand({ RuleArn: secondArn, Transforms: transforms }))
  assert.deepEqual(transformed.Rules?.[0]?.Transforms, transforms)
  assert.deepEqual((await elb.send(new DescribeRulesCommand({ RuleArns: [secondArn] }))).Rules?.[0]?.Transforms, transforms)
  // A ModifyRule that names only the conditions keeps the transforms.
  const kept = await elb.send(new ModifyRuleCommand({ RuleArn: secondArn, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/v2/*'] } }] }))
  assert.deepEqual(kept.Rules?.[0]?.Transforms, transforms)
  const twoUrl = [transforms[0]!, transforms[0]!]
  await rejectsWith(elb.send(new ModifyRuleCommand({ RuleArn: secondArn, Transforms: twoUrl })), 'ValidationError')
  await rejectsWith(
    elb.send(new ModifyRuleCommand({ RuleArn: secondArn, Transforms: [{ Type: 'url-rewrite', UrlRewriteConfig: { Rewrites: [{ Regex: '(?=a)', Replace: 'b' }] } }] })),
    'ValidationError',
  )
  await rejectsWith(elb.send(new ModifyRuleCommand({ RuleArn: secondArn, Transforms: transforms, ResetTransforms: true })), 'ValidationError')
  await rejectsWith(elb.send(new ModifyRuleCommand({ RuleArn: defaultRule?.RuleArn, Transforms: transforms })), 'OperationNotPermittedException')
  // Only forwarded requests are transformed: a rule that redirects cannot have transforms.
  await rejectsWith(
    elb.send(
      new CreateRuleCommand({
        ListenerArn: httpArn,
        Priority: 30,
        Conditions: [{ Field: 'path-pattern', Values: ['/old/*'] }],
        Actions: [{ Type: 'redirect', RedirectConfig: { Path: '/new/#{path}', StatusCode: 'HTTP_301' } }],
        Transforms: transforms,
      }),
    ),
    'ValidationError',
  )
  const created30 = await elb.send(
    new CreateRuleCommand({ ListenerArn: httpArn, Priority: 30, Conditions: [{ Field: 'path-pattern', Values: ['/x/*'] }], Actions: [{ Type: 'forward', TargetGroupArn: tgArn }], Transforms: [transforms[0]!] }),
  )
  assert.deepEqual(created30.Rules?.[0]?.Transforms, [transforms[0]])
  await elb.send(new DeleteRuleCommand({ RuleArn: created30.Rules?.[0]?.RuleArn }))
  const reset = await elb.send(new ModifyRuleCommand({ RuleArn: secondArn, ResetTransforms: true }))
  assert.equal(reset.Rules?.[0]?.Transforms, undefined)
  await elb.send(new DeleteRuleCommand({ RuleArn: secondArn }))
  await rejectsWith(elb.send(new DeleteRuleCommand({ RuleArn: secondArn })), 'RuleNotFoundException')

  const modListener = await elb.send(new ModifyListenerCommand({ ListenerArn: httpsArn, SslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' }))
  assert.equal(modListener.Listeners?.[0]?.SslPolicy, 'ELBSecurityPolicy-TLS13-1-3-2021-06')
  await elb.send(new AddListenerCertificatesCommand({ ListenerArn: httpsArn, Certificates: [{ CertificateArn: other.CertificateArn }] }))
  const certs = await elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: httpsArn }))
  assert.deepEqual(certs.Certificates?.map((c) => [c.CertificateArn, c.IsDefault]), [[cert.CertificateArn, true], [other.CertificateArn, false]])
  await elb.send(new RemoveListenerCertificatesCommand({ ListenerArn: httpsArn, Certificates: [{ CertificateArn: other.CertificateArn }] }))
  const listenerAttrs = await elb.send(new DescribeListenerAttributesCommand({ ListenerArn: httpsArn }))
  assert.equal(attr(listenerAttrs.Attributes, 'routing.http.response.server.enabled'), 'true')
  assert.equal(attr(listenerAttrs.Attributes, 'routing.http.response.strict_transport_security.header_value'), '')
  // Listener attributes (model/listener-attributes.ts): set, read back, and a value AWS's rules refuse is InvalidConfigurationRequest naming the key.
  const setAttrs = (Attributes: { Key: string; Value: string }[]) => elb.send(new ModifyListenerAttributesCommand({ ListenerArn: httpsArn, Attributes }))
  const lMod = await setAttrs([
    { Key: 'routing.http.response.strict_transport_security.header_value', Value: 'max-age=60; includeSubDomains' },
    { Key: 'routing.http.response.server.enabled', Value: 'false' },
    { Key: 'routing.http.request.x_amzn_mtls_clientcert_subject.header_name', Value: 'X-Client-Subject' },
  ])
  assert.equal(attr(lMod.Attributes, 'routing.http.response.strict_transport_security.header_value'), 'max-age=60; includeSubDomains')
  assert.equal(attr(lMod.Attributes, 'routing.http.response.server.enabled'), 'false')
  // One attribute at a time: the others stay.
  const lAgain = await elb.send(new DescribeListenerAttributesCommand({ ListenerArn: httpsArn }))
  assert.equal(attr(lAgain.Attributes, 'routing.http.request.x_amzn_mtls_clientcert_subject.header_name'), 'X-Client-Subject')
  assert.equal(attr(lAgain.Attributes, 'routing.http.request.x_amzn_mtls_clientcert_issuer.header_name'), 'X-Amzn-Mtls-Clientcert-Issuer')
  assert.equal(attr(lAgain.Attributes, 'routing.http.response.x_content_type_options.header_value'), '')
  for (const [Key, Value, why] of [
    ['routing.http.response.x_content_type_options.header_value', 'sniff', "can only be 'nosniff'"],
    ['routing.http.response.x_frame_options.header_value', 'ALLOWALL', "must be 'DENY', 'SAMEORIGIN' or 'ALLOW-FROM ORIGIN'"],
    ['routing.http.response.access_control_allow_credentials.header_value', 'false', "can only be 'true'"],
    ['routing.http.response.access_control_max_age.header_value', '86401', 'must be a number of seconds from 0 to 86400'],
    ['routing.http.response.access_control_allow_methods.header_value', 'GET,FETCH', "must be '*' or methods among GET, HEAD, POST, DELETE, CONNECT, OPTIONS, PUT, TRACE, PATCH, comma-separated"],
    ['routing.http.response.strict_transport_security.header_value', 'includeSubDomains', 'needs max-age=SECONDS'],
    ['routing.http.request.x_amzn_mtls_clientcert_leaf.header_name', 'X-Forwarded-For', 'is a header the balancer sets itself (X-Forwarded-For)'],
    ['routing.http.request.x_amzn_mtls_clientcert_leaf.header_name', 'Bad Name', 'may hold only letters, digits and hyphens'],
  ] as const) {
    await rejectsWith(setAttrs([{ Key, Value }]), 'InvalidConfigurationRequestException', exactly(`The value '${Value}' of attribute '${Key}' is not valid: ${why}`))
  }
  await rejectsWith(setAttrs([{ Key: 'routing.http.response.server.enabled', Value: 'off' }]), 'InvalidConfigurationRequestException', /^Attribute 'routing\.http\.response\.server\.enabled' must be 'true' or 'false'$/)
  // openalb sends no X-Amzn-Tls-Version (the balancer attribute is false only): nothing to rename.
  await rejectsWith(setAttrs([{ Key: 'routing.http.request.x_amzn_tls_version.header_name', Value: 'X-Tls' }]), 'InvalidConfigurationRequestException', /can only be 'X-Amzn-Tls-Version'/)
  // A refused change leaves the attributes as they were.
  assert.deepEqual((await elb.send(new DescribeListenerAttributesCommand({ ListenerArn: httpsArn }))).Attributes, lAgain.Attributes)
  await setAttrs([
    { Key: 'routing.http.response.strict_transport_security.header_value', Value: '' },
    { Key: 'routing.http.response.server.enabled', Value: 'true' },
    { Key: 'routing.http.request.x_amzn_mtls_clientcert_subject.header_name', Value: 'X-Amzn-Mtls-Clientcert-Subject' },
  ])
  assert.deepEqual((await elb.send(new DescribeListenerAttributesCommand({ ListenerArn: httpsArn }))).Attributes, listenerAttrs.Attributes, 'back to the defaults')
  await rejectsWith(elb.send(new ModifyListenerAttributesCommand({ ListenerArn: httpsArn, Attributes: [{ Key: 'tcp.idle_timeout.seconds', Value: '350' }] })), 'InvalidConfigurationRequestException', /^Key tcp\.idle_timeout\.seconds not valid$/)

  const lbAttrs = await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }] }))
  assert.equal(attr(lbAttrs.Attributes, 'idle_timeout.timeout_seconds'), '120')
  const lbAttrsRead = await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn }))
  assert.equal(attr(lbAttrsRead.Attributes, 'routing.http2.enabled'), 'true')
  assert.equal(attr(lbAttrsRead.Attributes, 'ipv6.deny_all_igw_traffic'), 'false')
  await rejectsWith(
    elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'waf.fail_open.enabled', Value: 'true' }] })),
    'InvalidConfigurationRequestException',
    /^Attribute 'waf\.fail_open\.enabled' can only be 'false': openalb does not implement other values yet$/,
  )
  // An NLB-only key on an application balancer is AWS's "not valid".
  await rejectsWith(elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'dns_record.client_routing_policy', Value: 'any_availability_zone' }] })), 'InvalidConfigurationRequestException', /not valid/)
  await rejectsWith(elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '0' }] })), 'ValidationError')
  // An S3 key prefix has no counterpart in openalb's log files: refused, not stored and ignored.
  await rejectsWith(elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'access_logs.s3.prefix', Value: 'logs' }] })), 'ValidationError', /no prefixes/)

  const sgOut = await elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: lbArn, SecurityGroups: [] }))
  assert.deepEqual(sgOut.SecurityGroupIds, [])
  await rejectsWith(elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: lbArn, SecurityGroups: ['sg-00000000000000000'] })), 'InvalidSecurityGroupException')
  const subnets = await elb.send(new SetSubnetsCommand({ LoadBalancerArn: lbArn, Subnets: ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02'] }))
  assert.equal(subnets.AvailabilityZones?.length, 2)
  const ip = await elb.send(new SetIpAddressTypeCommand({ LoadBalancerArn: lbArn, IpAddressType: 'dualstack' }))
  assert.equal(ip.IpAddressType, 'dualstack')

  await elb.send(new AddTagsCommand({ ResourceArns: [lbArn, tgArn], Tags: [{ Key: 'env', Value: 'test' }] }))
  await elb.send(new RemoveTagsCommand({ ResourceArns: [tgArn], TagKeys: ['team'] }))
  const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [lbArn, tgArn] }))
  assert.deepEqual(tags.TagDescriptions?.map((d) => d.Tags), [[{ Key: 'env', Value: 'test' }], [{ Key: 'env', Value: 'test' }]])
  await rejectsWith(elb.send(new AddTagsCommand({ ResourceArns: [lbArn], Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] })), 'DuplicateTagKeysException')

  await elb.send(new DeleteListenerCommand({ ListenerArn: httpArn }))
  await elb.send(new DeleteListenerCommand({ ListenerArn: httpsArn }))
  await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }))
  await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }))
  await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }))
  const left = await elb.send(new DescribeTargetGroupsCommand({}))
  assert.deepEqual(left.TargetGroups, [])
  assertWireMatchesModels(api)
})

test('ELBv2 lists page with Marker and NextMarker, and describes policies and limits', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))
  for (const name of ['tg-a', 'tg-b', 'tg-c', 'tg-d', 'tg-e']) {
    await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, TargetType: 'ip' }))
  }
  const first = await elb.send(new DescribeTargetGroupsCommand({ PageSize: 2 }))
  assert.deepEqual(first.TargetGroups?.map((g) => g.TargetGroupName), ['tg-a', 'tg-b'])
  assert.ok(first.NextMarker)
  const names: string[] = []
  for await (const p of paginateDescribeTargetGroups({ client: elb, pageSize: 2 }, {})) names.push(...(p.TargetGroups ?? []).map((g) => g.TargetGroupName ?? ''))
  assert.deepEqual(names, ['tg-a', 'tg-b', 'tg-c', 'tg-d', 'tg-e'])
  await rejectsWith(elb.send(new DescribeTargetGroupsCommand({ PageSize: 401 })), 'ValidationError')

  const policies = await elb.send(new DescribeSSLPoliciesCommand({ Names: ['ELBSecurityPolicy-TLS13-1-2-2021-06'] }))
  const policy = policies.SslPolicies?.[0]
  assert.deepEqual(policy?.SslProtocols, ['TLSv1.2', 'TLSv1.3'])
  assert.equal(policy?.Ciphers?.[0]?.Priority, 1)
  await rejectsWith(elb.send(new DescribeSSLPoliciesCommand({ Names: ['nope'] })), 'SSLPolicyNotFoundException')
  const limits = await elb.send(new DescribeAccountLimitsCommand({}))
  assert.equal(limits.Limits?.find((l) => l.Name === 'targets-per-target-group')?.Max, '1000')
  assertWireMatchesModels(api)
})

test('ELBv2 answers TooManyTargets past 1000 targets, and InternalFailure (logged, message kept inside) when something breaks', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'big', Protocol: 'HTTP', Port: 80, TargetType: 'ip' }))).TargetGroups?.[0]?.TargetGroupArn
  const targets = Array.from({ length: 1001 }, (_, i) => ({ Id: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` }))
  await rejectsWith(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: targets })), 'TooManyTargetsException')

  api.health.set(tg ?? '', null as unknown as [])
  await assert.rejects(elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg })), (e: unknown) => {
    const err = e as { name: string; message: string; $metadata: { httpStatusCode?: number } }
    assert.equal(err.name, 'InternalFailure')
    assert.equal(err.$metadata.httpStatusCode, 500)
    assert.doesNotMatch(err.message, /null|undefined|TypeError/)
    return true
  })
  assert.ok(api.logged.some((l) => l.msg.includes('unexpectedly')), 'the unexpected error is logged')
  assertWireMatchesModels(api)
})
