import assert from 'node:assert/strict'

/** Asserts that a client call fails with the error the SDK surfaces under `name`. */
export async function rejectsWith(call: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(call, (e: unknown) => {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }
    assert.equal(err.name, name, `expected ${name}, got ${String(err.name)}: ${String(err.message)}`)
    if (message) assert.match(err.message ?? '', message)
    return true
  })
}
