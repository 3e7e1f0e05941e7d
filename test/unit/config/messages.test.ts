// What validate says for the mistakes a newcomer makes: each message names the problem in words.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigInvalid, loadConfig } from '../../../src/config/load.js'

function problems(yaml: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-messages-'))
  try {
    const file = join(dir, 'c.yaml')
    writeFileSync(file, yaml)
    loadConfig(file)
    return []
  } catch (e) {
    if (!(e instanceof ConfigInvalid)) throw e
    return e.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const group = (extra: string) => `targetGroups:\n  - name: tg\n    protocol: HTTP\n    port: 80\n${extra}`

test('a value of the wrong type says what it must be and what it is, not "is required"', () => {
  assert.deepEqual(problems('targetGroups:\n  - name: tg\n    protocol: HTTP\n    port: "abc"\n'), ['4:11 targetGroups[0].port: must be a number, not the string "abc"'])
  assert.deepEqual(problems('targetGroups:\n  - protocol: HTTP\n    port: 80\n'), ['2:5 targetGroups[0].name: name is required (a string)'])
})

test('the right key in the wrong place says where it belongs', () => {
  assert.deepEqual(problems(group('    loadBalancer: web-alb\n')), ['5:5 targetGroups[0].loadBalancer: loadBalancer does not belong in targetGroups[]; it is a key of autoScalingGroups[].targetTracking[] or alarms[] or hostedZones[].records[].alias'])
})

test('a near-miss key suggests the key of that place', () => {
  assert.deepEqual(problems(group('    healtCheck: { path: / }\n')), ['5:5 targetGroups[0].healtCheck: unknown key healtCheck; did you mean healthCheck?'])
})

test("schema wording is said in words: enums list their values, empty strings cannot be empty", () => {
  assert.deepEqual(problems('targetGroups:\n  - name: tg\n    protocol: HTTPX\n    port: 80\n'), ['3:15 targetGroups[0].protocol: must be one of "HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", not the string "HTTPX"'])
  const empty = problems(`${group('')}loadBalancers:\n  - name: lb\n    listeners:\n      - port: 8080\n        protocol: HTTP\n        defaultActions: [{ type: forward, targetGroup: tg }]\n        rules:\n          - priority: 1\n            conditions: [{ field: http-request-method, values: [""] }]\n            actions: [{ type: forward, targetGroup: tg }]\n`)
  assert.ok(empty.some((m) => m.endsWith('conditions[0].values[0]: cannot be empty')), empty.join('\n'))
  assert.ok(empty.every((m) => !/Too small|Invalid input|Invalid option/.test(m)), empty.join('\n'))
})

test('one wrong indent is one error, said as an indentation problem', () => {
  assert.deepEqual(problems('targetGroups:\n  - name: tg\n    protocol: HTTP\n    port: 80\n   targets: []\n'), [
    '5:1 : YAML syntax: Sequence item without - indicator: check the indentation of this line (the keys of one item line up under each other, a list item starts with -)',
  ])
  assert.equal(problems('targetGroups:\n  - name: tg\n    protocol: HTTP\n      port: 80\n').length, 1)
})
