/** An ALB security policy as describe-ssl-policies shows it. Cipher names are OpenSSL's. */
export interface SslPolicy {
  readonly name: string
  readonly sslProtocols: readonly SslProtocol[]
  readonly ciphers: readonly { readonly name: string; readonly priority: number }[]
  readonly supportedLoadBalancerTypes: readonly ('application' | 'network')[]
}

export type SslProtocol = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'

/** openalb's default. ALB's console default was this (later -Res-); its API default is ELBSecurityPolicy-2016-08, which allows TLS 1.0. */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06'

const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']

// Cipher lists in ALB's priority order (describe-ssl-policies).
const FS_GCM_128 = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256']
const FS_CBC_128_SHA256 = ['ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256']
const FS_CBC_128_SHA1 = ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA']
const FS_GCM_256 = ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384']
const FS_CBC_256_SHA384 = ['ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384']
const RSA_KX_SHA2 = ['AES128-GCM-SHA256', 'AES128-SHA256', 'AES256-GCM-SHA384', 'AES256-SHA256']
const RSA_KX_ALL = ['AES128-GCM-SHA256', 'AES128-SHA256', 'AES128-SHA', 'AES256-GCM-SHA384', 'AES256-SHA256', 'AES256-SHA']

/** The long list of 2016-08 and the TLS-1-x-2017 policies; note ALB lists ECDHE-RSA-AES256-SHA before its ECDSA twin. */
const LEGACY_18 = [
  ...FS_GCM_128, ...FS_CBC_128_SHA256, ...FS_CBC_128_SHA1, ...FS_GCM_256, ...FS_CBC_256_SHA384,
  'ECDHE-RSA-AES256-SHA', 'ECDHE-ECDSA-AES256-SHA', ...RSA_KX_ALL,
]

function policy(name: string, sslProtocols: SslProtocol[], ciphers: string[]): SslPolicy {
  return Object.freeze({
    name,
    sslProtocols: Object.freeze(sslProtocols),
    ciphers: Object.freeze(ciphers.map((c, i) => Object.freeze({ name: c, priority: i + 1 }))),
    supportedLoadBalancerTypes: Object.freeze(['application', 'network'] as const),
  })
}

const TLS13_1_X_LONG = [
  ...TLS13, ...FS_GCM_128, ...FS_CBC_128_SHA256, ...FS_CBC_128_SHA1, ...FS_GCM_256, ...FS_CBC_256_SHA384,
  'ECDHE-RSA-AES256-SHA', 'ECDHE-ECDSA-AES256-SHA', ...RSA_KX_ALL,
]

export const SSL_POLICIES: readonly SslPolicy[] = Object.freeze([
  policy('ELBSecurityPolicy-TLS13-1-2-2021-06', ['TLSv1.2', 'TLSv1.3'], [
    ...TLS13, ...FS_GCM_128, ...FS_CBC_128_SHA256, ...FS_GCM_256, ...FS_CBC_256_SHA384,
  ]),
  policy('ELBSecurityPolicy-TLS13-1-2-Res-2021-06', ['TLSv1.2', 'TLSv1.3'], [...TLS13, ...FS_GCM_128, ...FS_GCM_256]),
  policy('ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06', ['TLSv1.2', 'TLSv1.3'], [
    ...TLS13, ...FS_GCM_128, ...FS_CBC_128_SHA256, ...FS_GCM_256, ...FS_CBC_256_SHA384, ...RSA_KX_SHA2,
  ]),
  policy('ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06', ['TLSv1.2', 'TLSv1.3'], [
    ...TLS13, ...FS_GCM_128, ...FS_CBC_128_SHA256, ...FS_CBC_128_SHA1, ...FS_GCM_256, ...FS_CBC_256_SHA384,
    'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA', ...RSA_KX_ALL,
  ]),
  policy('ELBSecurityPolicy-TLS13-1-1-2021-06', ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'], TLS13_1_X_LONG),
  policy('ELBSecurityPolicy-TLS13-1-0-2021-06', ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], TLS13_1_X_LONG),
  policy('ELBSecurityPolicy-TLS13-1-3-2021-06', ['TLSv1.3'], TLS13),
  policy('ELBSecurityPolicy-FS-1-2-Res-2020-10', ['TLSv1.2'], [...FS_GCM_128, ...FS_GCM_256]),
  policy('ELBSecurityPolicy-FS-1-2-Res-2019-08', ['TLSv1.2'], [...FS_GCM_128, ...FS_CBC_128_SHA256, ...FS_GCM_256, ...FS_CBC_256_SHA384]),
  policy('ELBSecurityPolicy-FS-1-2-2019-08', ['TLSv1.2'], LEGACY_18.slice(0, 12)),
  policy('ELBSecurityPolicy-FS-1-1-2019-08', ['TLSv1.1', 'TLSv1.2'], LEGACY_18.slice(0, 12)),
  policy('ELBSecurityPolicy-FS-2018-06', ['TLSv1', 'TLSv1.1', 'TLSv1.2'], LEGACY_18.slice(0, 12)),
  policy('ELBSecurityPolicy-TLS-1-2-Ext-2018-06', ['TLSv1.2'], LEGACY_18),
  policy('ELBSecurityPolicy-TLS-1-2-2017-01', ['TLSv1.2'], [
    ...FS_GCM_128, ...FS_CBC_128_SHA256, ...FS_GCM_256, ...FS_CBC_256_SHA384, ...RSA_KX_SHA2,
  ]),
  policy('ELBSecurityPolicy-TLS-1-1-2017-01', ['TLSv1.1', 'TLSv1.2'], LEGACY_18),
  policy('ELBSecurityPolicy-2016-08', ['TLSv1', 'TLSv1.1', 'TLSv1.2'], LEGACY_18),
  policy('ELBSecurityPolicy-2015-05', ['TLSv1', 'TLSv1.1', 'TLSv1.2'], LEGACY_18),
  policy('ELBSecurityPolicy-TLS-1-0-2015-04', ['TLSv1', 'TLSv1.1', 'TLSv1.2'], [...LEGACY_18, 'DES-CBC3-SHA']),
])

const byName = new Map(SSL_POLICIES.map((p) => [p.name, p]))

export function findSslPolicy(name: string): SslPolicy | undefined {
  return byName.get(name)
}
