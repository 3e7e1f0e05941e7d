import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { assertWireMatchesModels } from './assert-wire.js'
import { awsCli, cliVersion } from './cli-tutorial-steps.js'
import { startAwsApi } from './start-aws-api.js'

const post = (endpoint: string, body: string) =>
  fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then(async (r) => ({ status: r.status, text: await r.text() }))

test('the Classic elb API (Version 2012-06-01) is told apart from ELBv2 by its Version: Classic shapes and namespace', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const classic = await post(api.endpoint, 'Action=DescribeLoadBalancers&Version=2012-06-01')
  assert.equal(classic.status, 200)
  assert.match(classic.text, /<DescribeLoadBalancersResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2012-06-01\/"><DescribeLoadBalancersResult><LoadBalancerDescriptions\/?>/)
  const unknown = await post(api.endpoint, 'Action=NoSuchThing&Version=2012-06-01')
  assert.match(unknown.text, /<Code>InvalidAction<\/Code><Message>The action NoSuchThing is not valid for this web service<\/Message>/)
  // The same action name under ELBv2's version is ELBv2's.
  const v2 = await post(api.endpoint, 'Action=DescribeLoadBalancers&Version=2015-12-01')
  assert.equal(v2.status, 200)
  assert.match(v2.text, /<DescribeLoadBalancersResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/"><DescribeLoadBalancersResult><LoadBalancers\/?>/)
  // A Classic balancer is no ELBv2 balancer, and the other way round.
  const made = await post(api.endpoint, 'Action=CreateLoadBalancer&Version=2012-06-01&LoadBalancerName=c1&AvailabilityZones.member.1=us-east-1a&Listeners.member.1.Protocol=TCP&Listeners.member.1.LoadBalancerPort=7000&Listeners.member.1.InstancePort=7000')
  assert.equal(made.status, 200, made.text)
  assert.doesNotMatch((await post(api.endpoint, 'Action=DescribeLoadBalancers&Version=2015-12-01')).text, /<LoadBalancerName>c1<\/LoadBalancerName>/)
  // Classic's ranges from botocore's model (the CLI checks them itself, so this one goes raw).
  const range = await post(api.endpoint, 'Action=ConfigureHealthCheck&Version=2012-06-01&LoadBalancerName=c1&HealthCheck.Target=TCP:7000&HealthCheck.Interval=4&HealthCheck.Timeout=2&HealthCheck.UnhealthyThreshold=2&HealthCheck.HealthyThreshold=2')
  assert.equal(range.status, 400)
  assert.match(range.text, /<Code>ValidationError<\/Code><Message>1 validation error detected: Value &apos;4&apos; at &apos;healthCheck.interval&apos; failed to satisfy constraint: Member must have value greater than or equal to 5<\/Message>/)
  const param = await post(api.endpoint, 'Action=DeleteLoadBalancer&Version=2012-06-01&LoadBalancerName=c1&Extra=1')
  assert.match(param.text, /<Code>ValidationError<\/Code><Message>openalb does not support the parameter Extra of DeleteLoadBalancer<\/Message>/)
  assertWireMatchesModels(api)
})

test('AWS CLI v2 elb: create, describe, listeners, health check, register and deregister, instance health, errors in Classic\'s codes; wire matches botocore', async (t) => {
  const version = await cliVersion('/usr/bin/aws')
  if (!version?.startsWith('aws-cli/2')) {
    const reason = `SKIPPED: AWS CLI v2 is not installed at /usr/bin/aws (Debian package awscli; .ci/run installs it; found: ${version ?? 'none'})`
    console.warn(reason)
    return t.skip(reason)
  }
  const api = await startAwsApi()
  const home = mkdtempSync(join(tmpdir(), 'openalb-elb-'))
  t.after(async () => {
    await api.close()
    rmSync(home, { recursive: true, force: true })
  })
  const aws = awsCli('/usr/bin/aws', api, home)
  const fails = (...args: string[]) => aws(...args).then(() => 'accepted', (e: Error) => e.message)

  const dns = await aws('elb', 'create-load-balancer', '--load-balancer-name', 'my-clb', '--listeners', 'Protocol=HTTP,LoadBalancerPort=8080,InstanceProtocol=HTTP,InstancePort=4000', '--subnets', 'subnet-a', 'subnet-b', '--query', 'DNSName', '--output', 'text')
  assert.match(dns, /^my-clb-\d{10}\.us-east-1\.elb\.openalb\.test$/)
  const desc = JSON.parse(await aws('elb', 'describe-load-balancers', '--load-balancer-names', 'my-clb', '--query', 'LoadBalancerDescriptions[0]')) as Record<string, unknown>
  assert.equal(desc.DNSName, dns)
  assert.equal(desc.CanonicalHostedZoneName, dns)
  assert.equal(desc.CanonicalHostedZoneNameID, 'Z35SXDOTRQ7X7K')
  assert.deepEqual(desc.AvailabilityZones, ['us-east-1a', 'us-east-1b'])
  assert.equal(desc.Scheme, 'internet-facing')
  assert.deepEqual(desc.ListenerDescriptions, [{ Listener: { Protocol: 'HTTP', LoadBalancerPort: 8080, InstanceProtocol: 'HTTP', InstancePort: 4000 }, PolicyNames: [] }])
  assert.deepEqual(desc.HealthCheck, { Target: 'TCP:4000', Interval: 30, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 10 })

  assert.match(await fails('elb', 'create-load-balancer', '--load-balancer-name', 'my-clb', '--listeners', 'Protocol=TCP,LoadBalancerPort=81,InstancePort=81', '--availability-zones', 'us-east-1a'), /\(DuplicateLoadBalancerName\)/)
  assert.match(await fails('elb', 'describe-load-balancers', '--load-balancer-names', 'nope'), /\(LoadBalancerNotFound\).*There is no ACTIVE Load Balancer named 'nope'/)
  assert.match(await fails('elb', 'create-load-balancer', '--load-balancer-name', 'x', '--listeners', 'Protocol=HTTP,LoadBalancerPort=81,InstancePort=81'), /\(ValidationError\).*Either AvailabilityZones or SubnetIds must be specified/)
  assert.match(await fails('elb', 'create-load-balancer', '--load-balancer-name', 'x', '--listeners', 'Protocol=HTTP,LoadBalancerPort=81,InstanceProtocol=TCP,InstancePort=81', '--availability-zones', 'us-east-1a'), /\(InvalidConfigurationRequest\)/)
  assert.match(await fails('elb', 'create-load-balancer', '--load-balancer-name', 'x', '--listeners', 'Protocol=UDP,LoadBalancerPort=81,InstancePort=81', '--availability-zones', 'us-east-1a'), /\(UnsupportedProtocol\)/)

  // Listeners: an identical one is no change; another on the same port is DuplicateListener.
  await aws('elb', 'create-load-balancer-listeners', '--load-balancer-name', 'my-clb', '--listeners', 'Protocol=HTTP,LoadBalancerPort=8080,InstanceProtocol=HTTP,InstancePort=4000', 'Protocol=TCP,LoadBalancerPort=9000,InstancePort=9000')
  assert.match(await fails('elb', 'create-load-balancer-listeners', '--load-balancer-name', 'my-clb', '--listeners', 'Protocol=HTTP,LoadBalancerPort=8080,InstancePort=4001'), /\(DuplicateListener\).*my-clb with LoadBalancerPort 8080/)
  assert.match(await fails('elb', 'create-load-balancer-listeners', '--load-balancer-name', 'my-clb', '--listeners', 'Protocol=HTTPS,LoadBalancerPort=8443,InstancePort=4000,SSLCertificateId=arn:aws:acm:us-east-1:000000000000:certificate/none'), /\(CertificateNotFound\)/)
  await aws('elb', 'delete-load-balancer-listeners', '--load-balancer-name', 'my-clb', '--load-balancer-ports', '9000')
  assert.equal(await aws('elb', 'describe-load-balancers', '--query', 'LoadBalancerDescriptions[0].ListenerDescriptions[].Listener.LoadBalancerPort', '--output', 'text'), '8080')

  // Health check: Classic's ranges and target syntax.
  assert.equal(await aws('elb', 'configure-health-check', '--load-balancer-name', 'my-clb', '--health-check', 'Target=HTTP:4000/,Interval=10,Timeout=5,UnhealthyThreshold=3,HealthyThreshold=2', '--query', 'HealthCheck.[Target,Interval]', '--output', 'text'), 'HTTP:4000/\t10')
  assert.match(await fails('elb', 'configure-health-check', '--load-balancer-name', 'my-clb', '--health-check', 'Target=HTTP:4000,Interval=10,Timeout=5,UnhealthyThreshold=2,HealthyThreshold=2'), /\(ValidationError\).*followed by a path/)
  assert.match(await fails('elb', 'configure-health-check', '--load-balancer-name', 'my-clb', '--health-check', 'Target=TCP:4000,Interval=10,Timeout=10,UnhealthyThreshold=2,HealthyThreshold=2'), /\(ValidationError\).*Timeout must be less than Interval/)

  // Instances: EC2 instances openalb holds (no runtime here: they stay pending, not running).
  const id = await aws('ec2', 'run-instances', '--image-id', 'ami-1', '--instance-type', 't3.micro', '--subnet-id', 'subnet-0a1b2c3d4e5f60a01', '--query', 'Instances[0].InstanceId', '--output', 'text')
  assert.equal(await aws('elb', 'register-instances-with-load-balancer', '--load-balancer-name', 'my-clb', '--instances', id, '--query', 'Instances[].InstanceId', '--output', 'text'), id)
  assert.match(await fails('elb', 'register-instances-with-load-balancer', '--load-balancer-name', 'my-clb', '--instances', 'i-0000000000000dead'), /\(InvalidInstance\)/)
  assert.equal(await aws('elb', 'describe-instance-health', '--load-balancer-name', 'my-clb', '--query', 'InstanceStates[0].[InstanceId,State,ReasonCode,Description]', '--output', 'text'), `${id}\tOutOfService\tInstance\tInstance is in pending state.`)
  assert.equal(await aws('elb', 'deregister-instances-from-load-balancer', '--load-balancer-name', 'my-clb', '--instances', id, '--query', 'length(Instances)', '--output', 'text'), '0')
  assert.equal(await aws('elb', 'describe-instance-health', '--load-balancer-name', 'my-clb', '--instances', id, '--query', 'InstanceStates[0].Description', '--output', 'text'), 'Instance is not currently registered with the LoadBalancer.')
  assert.match(await fails('elb', 'set-load-balancer-listener-ssl-certificate', '--load-balancer-name', 'my-clb', '--load-balancer-port', '8443', '--ssl-certificate-id', 'arn:aws:acm:us-east-1:000000000000:certificate/none'), /\(ListenerNotFound\)/)

  await aws('elb', 'delete-load-balancer', '--load-balancer-name', 'my-clb')
  await aws('elb', 'delete-load-balancer', '--load-balancer-name', 'my-clb') // AWS: deleting what is gone succeeds
  assert.equal(await aws('elb', 'describe-load-balancers', '--query', 'length(LoadBalancerDescriptions)', '--output', 'text'), '0')
  assertWireMatchesModels(api)
})

test('elb policies, attributes, zones, subnets, security groups, tags and limits answer in botocore\'s shapes', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const call = async (action: string, params: string) => {
    const r = await post(api.endpoint, `Action=${action}&Version=2012-06-01&${params}`)
    assert.equal(r.status, 200, `${action}: ${r.text}`)
    return r.text
  }
  const lb = 'LoadBalancerName=w1'
  await call('CreateLoadBalancer', `${lb}&AvailabilityZones.member.1=us-east-1a&Listeners.member.1.Protocol=HTTP&Listeners.member.1.LoadBalancerPort=7100&Listeners.member.1.InstancePort=7100&Tags.member.1.Key=a&Tags.member.1.Value=1`)
  await call('CreateLBCookieStickinessPolicy', `${lb}&PolicyName=p1&CookieExpirationPeriod=30`)
  await call('CreateAppCookieStickinessPolicy', `${lb}&PolicyName=p2&CookieName=SID`)
  await call('SetLoadBalancerPoliciesOfListener', `${lb}&LoadBalancerPort=7100&PolicyNames.member.1=p1`)
  assert.match(await call('DescribeLoadBalancers', 'LoadBalancerNames.member.1=w1'), /<LBCookieStickinessPolicies><member><PolicyName>p1<\/PolicyName><CookieExpirationPeriod>30<\/CookieExpirationPeriod><\/member><\/LBCookieStickinessPolicies>/)
  assert.match(await call('DescribeLoadBalancerPolicies', `${lb}&PolicyNames.member.1=p2`), /<PolicyTypeName>AppCookieStickinessPolicyType<\/PolicyTypeName><PolicyAttributeDescriptions><member><AttributeName>CookieName<\/AttributeName><AttributeValue>SID<\/AttributeValue>/)
  assert.match(await call('DescribeLoadBalancerPolicyTypes', 'PolicyTypeNames.member.1=LBCookieStickinessPolicyType'), /<AttributeName>CookieExpirationPeriod<\/AttributeName><AttributeType>Long<\/AttributeType>/)
  const noType = await post(api.endpoint, 'Action=DescribeLoadBalancerPolicyTypes&Version=2012-06-01&PolicyTypeNames.member.1=ProxyProtocolPolicyType')
  assert.match(noType.text, /<Code>PolicyTypeNotFound<\/Code>.*does not support the policy type ProxyProtocolPolicyType/)
  const notYet = await post(api.endpoint, `Action=CreateLoadBalancerPolicy&Version=2012-06-01&${lb}&PolicyName=x&PolicyTypeName=ProxyProtocolPolicyType`)
  assert.match(notYet.text, /<Code>PolicyTypeNotFound<\/Code><Message>openalb does not support the policy type ProxyProtocolPolicyType with CreateLoadBalancerPolicy/)
  await call('CreateLoadBalancerPolicy', `${lb}&PolicyName=tls12&PolicyTypeName=SSLNegotiationPolicyType&PolicyAttributes.member.1.AttributeName=Reference-Security-Policy&PolicyAttributes.member.1.AttributeValue=ELBSecurityPolicy-TLS-1-2-2017-01`)
  const custom = await post(api.endpoint, `Action=CreateLoadBalancerPolicy&Version=2012-06-01&${lb}&PolicyName=c&PolicyTypeName=SSLNegotiationPolicyType&PolicyAttributes.member.1.AttributeName=Protocol-TLSv1.2&PolicyAttributes.member.1.AttributeValue=true`)
  assert.match(custom.text, /<Code>InvalidConfigurationRequest<\/Code>.*Reference-Security-Policy only, not the attribute Protocol-TLSv1.2/)
  const backend = await post(api.endpoint, `Action=SetLoadBalancerPoliciesForBackendServer&Version=2012-06-01&${lb}&InstancePort=7100&PolicyNames.member.1=p1`)
  assert.match(backend.text, /<Code>InvalidAction<\/Code><Message>openalb does not implement SetLoadBalancerPoliciesForBackendServer of the Classic Load Balancer API/)
  await call('SetLoadBalancerPoliciesOfListener', `${lb}&LoadBalancerPort=7100&PolicyNames=`)
  await call('DeleteLoadBalancerPolicy', `${lb}&PolicyName=p1`)
  assert.match(await call('DescribeLoadBalancerAttributes', lb), /<ConnectionDraining><Enabled>false<\/Enabled><Timeout>300<\/Timeout><\/ConnectionDraining>/)
  assert.match(
    await call('ModifyLoadBalancerAttributes', `${lb}&LoadBalancerAttributes.ConnectionSettings.IdleTimeout=120&LoadBalancerAttributes.AdditionalAttributes.member.1.Key=elb.http.desyncmitigationmode&LoadBalancerAttributes.AdditionalAttributes.member.1.Value=strictest`),
    /<LoadBalancerName>w1<\/LoadBalancerName><LoadBalancerAttributes>.*<IdleTimeout>120<\/IdleTimeout>.*<Value>strictest<\/Value>/,
  )
  assert.match(await call('EnableAvailabilityZonesForLoadBalancer', `${lb}&AvailabilityZones.member.1=us-east-1b`), /<AvailabilityZones><member>us-east-1a<\/member><member>us-east-1b<\/member><\/AvailabilityZones>/)
  assert.match(await call('DisableAvailabilityZonesForLoadBalancer', `${lb}&AvailabilityZones.member.1=us-east-1a`), /<AvailabilityZones><member>us-east-1b<\/member><\/AvailabilityZones>/)
  assert.match(await call('AttachLoadBalancerToSubnets', `${lb}&Subnets.member.1=subnet-0a1b2c3d4e5f60a01`), /<Subnets><member>subnet-0a1b2c3d4e5f60b02<\/member><member>subnet-0a1b2c3d4e5f60a01<\/member><\/Subnets>/)
  assert.match(await call('DetachLoadBalancerFromSubnets', `${lb}&Subnets.member.1=subnet-0a1b2c3d4e5f60b02`), /<Subnets><member>subnet-0a1b2c3d4e5f60a01<\/member><\/Subnets>/)
  const made = await post(api.endpoint, 'Action=CreateSecurityGroup&Version=2016-11-15&GroupName=clb&GroupDescription=clb')
  const sg = /<groupId>([^<]+)<\/groupId>/.exec(made.text)?.[1] ?? ''
  assert.match(await call('ApplySecurityGroupsToLoadBalancer', `${lb}&SecurityGroups.member.1=${sg}`), new RegExp(`<SecurityGroups><member>${sg}</member></SecurityGroups>`))
  await call('AddTags', 'LoadBalancerNames.member.1=w1&Tags.member.1.Key=b&Tags.member.1.Value=2')
  await call('RemoveTags', 'LoadBalancerNames.member.1=w1&Tags.member.1.Key=a')
  assert.match(await call('DescribeTags', 'LoadBalancerNames.member.1=w1'), /<Tags><member><Key>b<\/Key><Value>2<\/Value><\/member><\/Tags>/)
  const dup = await post(api.endpoint, 'Action=AddTags&Version=2012-06-01&LoadBalancerNames.member.1=w1&Tags.member.1.Key=c&Tags.member.2.Key=c')
  assert.match(dup.text, /<Code>DuplicateTagKeys<\/Code>/)
  const many = Array.from({ length: 10 }, (_, i) => `Tags.member.${i + 1}.Key=k${i}`).join('&')
  assert.match((await post(api.endpoint, `Action=AddTags&Version=2012-06-01&LoadBalancerNames.member.1=w1&${many}`)).text, /<Code>TooManyTags<\/Code>/)
  assert.match(await call('DescribeAccountLimits', 'PageSize=2'), /<Limits><member><Name>classic-load-balancers<\/Name><Max>20<\/Max><\/member><member><Name>classic-listeners<\/Name><Max>100<\/Max><\/member><\/Limits><NextMarker>/)
  assertWireMatchesModels(api)
})
