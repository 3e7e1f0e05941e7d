import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseQueryParams } from '../../src/api/aws/protocol/query.js'
import { awsParameterName } from '../../src/api/aws/validation-names.js'
import { validationRecordFor } from '../../src/model/certificate-validation.js'

const parse = (qs: string) => parseQueryParams(new URLSearchParams(qs))

test('Query parameters: ELBv2 member lists, nested configs and EC2 bare indexes become plain data', () => {
  const cases = [
    { desc: 'member list of structures', qs: 'Targets.member.1.Id=10.0.0.1&Targets.member.1.Port=80&Targets.member.2.Id=10.0.0.2', want: { Targets: [{ Id: '10.0.0.1', Port: '80' }, { Id: '10.0.0.2' }] } },
    {
      desc: 'a list inside a config inside a list',
      qs: 'Conditions.member.1.Field=host-header&Conditions.member.1.HostHeaderConfig.Values.member.1=api.example.test&Conditions.member.1.HostHeaderConfig.Values.member.2=www.example.test',
      want: { Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.test', 'www.example.test'] } }] },
    },
    { desc: 'an empty list as botocore sends it', qs: 'Subnets=&Name=x', want: { Subnets: '', Name: 'x' } },
    { desc: 'EC2 bare indexes', qs: 'IpPermissions.1.IpProtocol=tcp&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0&GroupId.1=sg-1', want: { IpPermissions: [{ IpProtocol: 'tcp', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], GroupId: ['sg-1'] } },
    { desc: 'map entries', qs: 'Attributes.entry.1.key=a&Attributes.entry.1.value=b', want: { Attributes: [{ key: 'a', value: 'b' }] } },
    { desc: 'Action, Version and signature parameters are not input', qs: 'Action=X&Version=1&X-Amz-Signature=s&Name=n', want: { Name: 'n' } },
    { desc: 'prototype keys are dropped', qs: '__proto__.polluted=1&Name=n', want: { Name: 'n' } },
  ]
  for (const c of cases) assert.deepEqual(parse(c.qs), c.want, c.desc)
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
})

test('validation paths are worded with the AWS parameter names', () => {
  assert.equal(awsParameterName('elbv2', 'targetGroup.healthCheck.timeoutSeconds'), 'HealthCheckTimeoutSeconds')
  assert.equal(awsParameterName('elbv2', 'attributes.idleTimeoutSeconds'), 'Attribute idle_timeout.timeout_seconds')
  assert.equal(awsParameterName('elbv2', 'listener.defaultActions[0].redirect.statusCode'), 'DefaultActions[0].RedirectConfig.StatusCode')
  assert.equal(awsParameterName('elbv2', 'rule.conditions[1].values[0]'), 'Conditions[1].Values[0]')
})

test('the ACM validation record is deterministic per certificate and domain, wildcards validated at their base', () => {
  const arn = 'arn:aws:acm:us-east-1:000000000000:certificate/abcd'
  assert.deepEqual(validationRecordFor(arn, 'api.example.test'), validationRecordFor(arn, 'API.example.test'))
  assert.notDeepEqual(validationRecordFor(arn, 'api.example.test'), validationRecordFor(`${arn}e`, 'api.example.test'))
  assert.match(validationRecordFor(arn, '*.example.test').name, /^_[0-9a-f]{32}\.example\.test\.$/)
})
