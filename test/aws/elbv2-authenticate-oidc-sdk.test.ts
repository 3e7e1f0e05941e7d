import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm'
import { clientConfig, startAwsApi } from './start-aws-api.js'
import { assertWireMatchesModels } from './assert-wire.js'

/** The AWS error code and message a call is refused with. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return `${(e as { Code?: string; name: string }).Code ?? (e as { name: string }).name}: ${(e as Error).message}`
  }
  throw new Error('the call was accepted')
}

const IDP = 'https://idp.example.test'

test('SDK v3: authenticate-oidc on listeners and rules: defaults, ClientSecret never shown, UseExistingClientSecret, HTTPS only, Order, no Cognito; wire matches botocore', async (t) => {
  const api = await startAwsApi()
  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))
  const acm = new ACMClient(clientConfig(api))
  t.after(async () => {
    elb.destroy()
    acm.destroy()
    await api.close()
  })
  const cert = await acm.send(new RequestCertificateCommand({ DomainName: 'app.example.test', ValidationMethod: 'DNS' }))
  const lb = await elb.send(new CreateLoadBalancerCommand({ Name: 'oidc-alb', Subnets: ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02'] }))
  const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn
  const tg = await elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, VpcId: lb.LoadBalancers?.[0]?.VpcId, TargetType: 'ip' }))
  const tgArn = tg.TargetGroups?.[0]?.TargetGroupArn
  const auth = (extra: Record<string, unknown> = {}): Action => ({
    Type: 'authenticate-oidc',
    Order: 1,
    AuthenticateOidcConfig: { Issuer: IDP, AuthorizationEndpoint: `${IDP}/auth`, TokenEndpoint: `${IDP}/token`, UserInfoEndpoint: `${IDP}/me`, ClientId: 'app', ClientSecret: 'secret', ...extra },
  })
  const forward: Action = { Type: 'forward', Order: 2, TargetGroupArn: tgArn }

  const listener = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: cert.CertificateArn }], DefaultActions: [auth(), forward] }))
  const listenerArn = listener.Listeners?.[0]?.ListenerArn
  const shown = listener.Listeners?.[0]?.DefaultActions?.[0]
  assert.deepEqual(shown, {
    Type: 'authenticate-oidc',
    Order: 1,
    AuthenticateOidcConfig: {
      Issuer: IDP,
      AuthorizationEndpoint: `${IDP}/auth`,
      TokenEndpoint: `${IDP}/token`,
      UserInfoEndpoint: `${IDP}/me`,
      ClientId: 'app',
      SessionCookieName: 'AWSELBAuthSessionCookie',
      Scope: 'openid',
      SessionTimeout: 604800,
      OnUnauthenticatedRequest: 'authenticate',
    },
  })
  const described = await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn!] }))
  assert.equal(described.Listeners?.[0]?.DefaultActions?.[0]?.AuthenticateOidcConfig?.ClientSecret, undefined, 'ClientSecret is never returned')

  // Rules: every option, the extra parameters as a map.
  const rule = await elb.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 5,
      Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
      Actions: [auth({ SessionCookieName: 'Mine', Scope: 'openid email', SessionTimeout: 3600, OnUnauthenticatedRequest: 'deny', AuthenticationRequestExtraParams: { prompt: 'login', display: 'page' } }), forward],
    }),
  )
  const ruleArn = rule.Rules?.[0]?.RuleArn
  const rc = (await elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn!] }))).Rules?.[0]?.Actions?.[0]?.AuthenticateOidcConfig
  assert.deepEqual(
    { ...rc },
    { Issuer: IDP, AuthorizationEndpoint: `${IDP}/auth`, TokenEndpoint: `${IDP}/token`, UserInfoEndpoint: `${IDP}/me`, ClientId: 'app', SessionCookieName: 'Mine', Scope: 'openid email', SessionTimeout: 3600, AuthenticationRequestExtraParams: { prompt: 'login', display: 'page' }, OnUnauthenticatedRequest: 'deny' },
  )
  // UseExistingClientSecret keeps the stored secret; without an existing one or without a secret: refused.
  const { ClientSecret: _drop, ...withoutSecret } = auth().AuthenticateOidcConfig!
  await elb.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: [{ ...auth(), AuthenticateOidcConfig: { ...withoutSecret, UseExistingClientSecret: true, Scope: 'openid profile' } }, forward] }))
  assert.equal((await elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn!] }))).Rules?.[0]?.Actions?.[0]?.AuthenticateOidcConfig?.Scope, 'openid profile')
  await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [{ ...auth(), AuthenticateOidcConfig: { ...withoutSecret, UseExistingClientSecret: true } }, forward] }))
  assert.match(await refusal(elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 6, Conditions: [{ Field: 'path-pattern', Values: ['/x'] }], Actions: [{ ...auth(), AuthenticateOidcConfig: withoutSecret }, forward] }))), /^ValidationError: .*ClientSecret is required/)
  assert.match(await refusal(elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 6, Conditions: [{ Field: 'path-pattern', Values: ['/x'] }], Actions: [{ ...auth(), AuthenticateOidcConfig: { ...withoutSecret, UseExistingClientSecret: true } }, forward] }))), /^ValidationError: .*no existing client secret/)

  // Only on HTTPS listeners; before the action that answers; https endpoints; no Cognito.
  const http = await refusal(elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: [auth(), forward] })))
  assert.match(http, /^InvalidLoadBalancerAction: .*only on HTTPS listeners/)
  assert.match(await refusal(elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [{ ...auth(), Order: 3 }, forward] }))), /^InvalidLoadBalancerAction: .*lower Order/)
  assert.match(await refusal(elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [auth({ TokenEndpoint: 'http://idp.example.test/token' }), forward] }))), /^ValidationError: .*HTTPS/)
  assert.match(await refusal(elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [auth({ SessionTimeout: 604801 }), forward] }))), /^ValidationError: .*604800/)
  const cognito = await refusal(elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [{ Type: 'authenticate-cognito', Order: 1, AuthenticateCognitoConfig: { UserPoolArn: 'arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_x', UserPoolClientId: 'c', UserPoolDomain: 'd' } }, forward] })))
  assert.match(cognito, /^InvalidLoadBalancerAction: .*authenticate-cognito/)
  // A rejected change leaves the listener as it was.
  assert.equal((await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn!] }))).Listeners?.[0]?.DefaultActions?.[0]?.Type, 'authenticate-oidc')
  assertWireMatchesModels(api)
})
