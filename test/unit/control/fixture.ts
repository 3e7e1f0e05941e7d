import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { Control } from '../../../src/control/control.js'
import { requestCertificate } from '../../../src/control/certificates.js'
import type { Draft } from '../../../src/control/draft.js'
import type { Certificate } from '../../../src/model/certificate.js'
import type { ControlError, ControlErrorCode } from '../../../src/control/errors.js'
import { KINDS } from '../../../src/model/resources.js'
import type { HostedZone } from '../../../src/model/hosted-zone.js'
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.js'
import type { Store } from '../../../src/store/state.js'

/** A Control over a real SQLite store in a temp dir, closed and removed when the test ends. */
export function openControl(t: TestContext, options: ConstructorParameters<typeof Control>[1] = {}): { control: Control; store: Store } {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-control-'))
  const store = openSqliteStore(dir)
  t.after(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return { control: new Control(store, options), store }
}

type ErrorClass = abstract new (...args: never[]) => ControlError

/** Asserts a mutation fails with this error class and code (and a message matching, if given). */
export async function rejectsWith(p: Promise<unknown>, cls: ErrorClass, code: ControlErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`)
    assert.equal(e.code, code)
    if (message) assert.match(e.message, message)
    return true
  })
}

/** The revision and every stored resource, to compare before and after a refused change. */
export async function snapshot(store: Store): Promise<{ revision: number; resources: string[] }> {
  const view = await store.load()
  return { revision: view.revision, resources: KINDS.flatMap((k) => view.list(k).map((r) => JSON.stringify(r))).sort() }
}

/** Asserts that a mutation is refused as given and leaves the store exactly as it was. */
export async function refusedUnchanged(store: Store, p: () => Promise<unknown>, cls: ErrorClass, code: ControlErrorCode, message?: RegExp): Promise<void> {
  const before = await snapshot(store)
  await rejectsWith(p(), cls, code, message)
  assert.deepEqual(await snapshot(store), before)
}

/** Puts a hosted zone with a known id straight into the draft, so record tests can name it. */
export function putZone(d: Draft, name: string, id = 'ZEXAMPLE0000000000001'): HostedZone {
  return d.put({
    kind: 'hosted-zone',
    id,
    name: name.endsWith('.') ? name : `${name}.`,
    callerReference: `test-${name}`,
    comment: '',
    serial: 1,
    nameServers: ['ns1.openalb.test.'],
    tags: {},
  })
}

export const ok200 = [{ type: 'fixed-response' as const, fixedResponse: { statusCode: '200' } }]
export const forwardTo = (targetGroup: string) => [{ type: 'forward' as const, targetGroup }]

/** A certificate from openalb's CA, as listeners reference it (issuance is certs/' job). */
export const createCertificateFixture = (d: Draft, name: string, domainName = 'api.example.test'): Certificate =>
  requestCertificate(d, { name, domainName })
