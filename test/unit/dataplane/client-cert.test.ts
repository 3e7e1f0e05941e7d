import assert from 'node:assert/strict'
import { test } from 'node:test'
import { forwardingHeaderLines, forwardingHeaders } from '../../../src/dataplane/exchange/request-fields.js'
import { requestHeaderKind, Hdr } from '../../../src/dataplane/exchange/header-names.js'
import { MTLS_HEADER, rfc2253, urlEncodePem } from '../../../src/dataplane/tls/client-cert.js'
import type { ListenerSnapshot } from '../../../src/dataplane/snapshot.js'

test('urlEncodePem keeps +, = and / (ALB: "+=/ as safe characters") and encodes spaces and newlines', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMII+ab/c=\n-----END CERTIFICATE-----\n'
  assert.equal(urlEncodePem(pem), '-----BEGIN%20CERTIFICATE-----%0AMII+ab/c=%0A-----END%20CERTIFICATE-----%0A')
  assert.equal(decodeURIComponent(urlEncodePem(pem)), pem)
})

test('rfc2253 lists the most specific RDN first, comma-separated', () => {
  assert.equal(rfc2253('C=US\nO=Example\nCN=client-1'), 'CN=client-1,O=Example,C=US')
})

test('the mTLS fields go out with both codecs, from the one block made at the handshake', () => {
  const listener = { protocol: 'HTTPS', port: 443, forwardedProtoPort: 'x-forwarded-proto: https\r\nx-forwarded-port: 443\r\n' } as unknown as ListenerSnapshot
  const clientCert = { lines: `${MTLS_HEADER.SUBJECT}: CN=a\r\n`, fields: { [MTLS_HEADER.SUBJECT.toLowerCase()]: 'CN=a' } }
  assert.match(forwardingHeaderLines('append', undefined, '127.0.0.1', listener, 'Root=1', clientCert), /X-Amzn-Mtls-Clientcert-Subject: CN=a\r\n$/)
  assert.doesNotMatch(forwardingHeaderLines('append', undefined, '127.0.0.1', listener, 'Root=1'), /Mtls/i)
  const h: Record<string, string> = {}
  forwardingHeaders('append', undefined, '127.0.0.1', listener, 'Root=1', h, clientCert)
  assert.equal(h['x-amzn-mtls-clientcert-subject'], 'CN=a')
})

test("a client's own mTLS fields are dropped, other x-amzn names kept", () => {
  for (const name of Object.values(MTLS_HEADER)) {
    assert.equal(requestHeaderKind(name), Hdr.DROP, name)
    assert.equal(requestHeaderKind(name.toLowerCase()), Hdr.DROP, name)
  }
  assert.equal(requestHeaderKind('x-amzn-mtls-clientcert-other'), Hdr.KEEP)
  assert.equal(requestHeaderKind('x-amzn-request-context'), Hdr.KEEP)
})

test("a client's own authenticate-oidc fields are dropped: only the balancer sets them", () => {
  for (const name of ['x-amzn-oidc-accesstoken', 'X-Amzn-Oidc-Identity', 'x-amzn-oidc-data']) assert.equal(requestHeaderKind(name), Hdr.DROP, name)
  assert.equal(requestHeaderKind('x-amzn-oidc-datum'), Hdr.KEEP)
})
