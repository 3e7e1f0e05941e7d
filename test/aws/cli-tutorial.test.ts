import { test } from 'node:test'
import { hasBinary } from '../helpers/shared.js'
import { cliVersion, tutorial } from './cli-tutorial-steps.js'

test('the tutorial with the AWS CLI v1 (pip) against openalb', async (t) => {
  const version = hasBinary('aws') ? await cliVersion('aws') : undefined
  if (!version?.startsWith('aws-cli/1')) {
    const reason = `SKIPPED: AWS CLI v1 is not on PATH (found: ${version ?? 'none'})`
    console.warn(reason)
    return t.skip(reason)
  }
  await tutorial(t, 'aws')
})
