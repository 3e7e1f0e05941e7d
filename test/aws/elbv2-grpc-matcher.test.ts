import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { rejectsWith } from './assert-aws-error.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

test('a GRPC target group gets ALB gRPC health check defaults: GrpcCode 12 on /AWS.ALB/healthcheck', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))
  const created = await elb.send(new CreateTargetGroupCommand({ Name: 'grpc-tg', Protocol: 'HTTPS', Port: 50051, TargetType: 'ip', ProtocolVersion: 'GRPC', VpcId: 'vpc-0a1b2c3d4e5f60718' }))
  const tg = created.TargetGroups?.[0]
  assert.equal(tg?.ProtocolVersion, 'GRPC')
  assert.deepEqual(tg?.Matcher, { GrpcCode: '12' })
  assert.equal(tg?.HealthCheckPath, '/AWS.ALB/healthcheck')

  const http1 = await elb.send(new CreateTargetGroupCommand({ Name: 'web-tg', Protocol: 'HTTP', Port: 80, TargetType: 'ip', VpcId: 'vpc-0a1b2c3d4e5f60718' }))
  assert.deepEqual(http1.TargetGroups?.[0]?.Matcher, { HttpCode: '200' })
})

test('GrpcCode is taken for GRPC groups on create and modify, and described back', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))
  const created = await elb.send(
    new CreateTargetGroupCommand({
      Name: 'grpc-tg',
      Protocol: 'HTTP',
      Port: 50051,
      TargetType: 'ip',
      ProtocolVersion: 'GRPC',
      VpcId: 'vpc-0a1b2c3d4e5f60718',
      HealthCheckPath: '/grpc.health.v1.Health/Check',
      Matcher: { GrpcCode: '0-2' },
    }),
  )
  const arn = created.TargetGroups?.[0]?.TargetGroupArn ?? ''
  assert.deepEqual(created.TargetGroups?.[0]?.Matcher, { GrpcCode: '0-2' })
  assert.equal(created.TargetGroups?.[0]?.HealthCheckPath, '/grpc.health.v1.Health/Check')
  const modified = await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, Matcher: { GrpcCode: '0,5' } }))
  assert.deepEqual(modified.TargetGroups?.[0]?.Matcher, { GrpcCode: '0,5' })
  const described = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }))
  assert.deepEqual(described.TargetGroups?.[0]?.Matcher, { GrpcCode: '0,5' })
})

test('the Matcher must fit the protocol version: ValidationError for HTTP codes on GRPC and gRPC codes elsewhere', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))
  const base = { Protocol: 'HTTP' as const, Port: 50051, TargetType: 'ip' as const, VpcId: 'vpc-0a1b2c3d4e5f60718' }
  await rejectsWith(elb.send(new CreateTargetGroupCommand({ ...base, Name: 'a', ProtocolVersion: 'GRPC', Matcher: { HttpCode: '200' } })), 'ValidationError', /HttpCode/)
  await rejectsWith(elb.send(new CreateTargetGroupCommand({ ...base, Name: 'b', ProtocolVersion: 'HTTP2', Matcher: { GrpcCode: '0' } })), 'ValidationError', /GrpcCode/)
  await rejectsWith(elb.send(new CreateTargetGroupCommand({ ...base, Name: 'c', Matcher: { GrpcCode: '0' } })), 'ValidationError', /GrpcCode/)
  await rejectsWith(elb.send(new CreateTargetGroupCommand({ ...base, Name: 'd', ProtocolVersion: 'GRPC', Matcher: { GrpcCode: '100' } })), 'ValidationError', /GrpcCode/)
  await rejectsWith(elb.send(new CreateTargetGroupCommand({ ...base, Name: 'e', ProtocolVersion: 'GRPC', Matcher: { GrpcCode: '5-1' } })), 'ValidationError', /GrpcCode/)

  const grpc = await elb.send(new CreateTargetGroupCommand({ ...base, Name: 'grpc-tg', ProtocolVersion: 'GRPC' }))
  const web = await elb.send(new CreateTargetGroupCommand({ ...base, Name: 'web-tg' }))
  await rejectsWith(elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: grpc.TargetGroups?.[0]?.TargetGroupArn, Matcher: { HttpCode: '200' } })), 'ValidationError', /HttpCode/)
  await rejectsWith(elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: web.TargetGroups?.[0]?.TargetGroupArn, Matcher: { GrpcCode: '0' } })), 'ValidationError', /GrpcCode/)
  const unchanged = await elb.send(new DescribeTargetGroupsCommand({ Names: ['grpc-tg', 'web-tg'] }))
  assert.deepEqual(
    unchanged.TargetGroups?.map((g) => g.Matcher),
    [{ GrpcCode: '12' }, { HttpCode: '200' }],
  )
})
