import assert from 'node:assert/strict'
import { serviceModel } from './service-models.js'
import type { RunningAwsApi } from './start-aws-api.js'
import { checkExchanges } from './wire-check.js'

/** Every response the API sent in a test matches botocore's models (skips loudly without botocore). */
export function assertWireMatchesModels(api: Pick<RunningAwsApi, 'exchanges'>): void {
  if (!serviceModel('elbv2')) {
    console.warn('SKIPPED wire check: botocore service models not found (Debian package python3-botocore)')
    return
  }
  assert.ok(api.exchanges.length > 0, 'no exchanges recorded')
  const problems = checkExchanges(api.exchanges, serviceModel)
  assert.deepEqual(problems, [], `responses that differ from the service models:\n${problems.join('\n')}`)
}
