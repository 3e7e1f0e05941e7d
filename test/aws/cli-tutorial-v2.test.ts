import { existsSync } from 'node:fs'
import { test } from 'node:test'
import { cliVersion, tutorial } from './cli-tutorial-steps.js'

// Its own file: node's per-file time limit covers one CLI's run, clean-up included.
test('the tutorial with the AWS CLI v2 (Debian awscli) against openalb', async (t) => {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const version = await cliVersion(bin)
  if (!version?.startsWith('aws-cli/2')) {
    const reason = `SKIPPED: AWS CLI v2 is not installed (Debian package awscli; .ci/run installs it; found: ${version ?? 'none'})`
    console.warn(reason)
    return t.skip(reason)
  }
  await tutorial(t, bin)
})
