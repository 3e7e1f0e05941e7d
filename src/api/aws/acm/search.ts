import type { Draft } from '../../../control/draft.js'
import type { Certificate } from '../../../model/certificate.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import type { Params } from '../protocol/params.js'
import { certificateDetail, epoch, optionsShape, renewalEligibility, usersOf } from './shapes.js'
import { x509Of } from './x509.js'

/** One certificate with every value SearchCertificates filters and sorts on, worked out once. */
interface Row {
  readonly cert: Certificate
  readonly commonName: string
  readonly dnsNames: readonly string[]
  readonly keyAlgorithm: string | undefined
  readonly keyUsages: readonly string[]
  readonly extendedKeyUsages: readonly string[]
  readonly type: string
  readonly inUse: boolean
  readonly exportOption: string
  readonly renewalEligibility: string
}

const invalid = (message: string) => new AwsError('ValidationException', message)

function rowOf(d: Draft, c: Certificate): Row {
  const detail = certificateDetail(d, c)
  return {
    cert: c,
    commonName: x509Of(c)?.subject.CommonName ?? c.domainName,
    dnsNames: detail.SubjectAlternativeNames as string[],
    keyAlgorithm: detail.KeyAlgorithm as string | undefined,
    keyUsages: (detail.KeyUsages as { Name: string }[]).map((k) => k.Name),
    extendedKeyUsages: (detail.ExtendedKeyUsages as { Name: string }[]).map((k) => k.Name),
    type: detail.Type as string,
    inUse: usersOf(d, c.arn).length > 0,
    exportOption: optionsShape(c).Export ?? 'DISABLED',
    renewalEligibility: renewalEligibility(d, c),
  }
}

/** The one member a union shape carries (AWS refuses none or several). */
function only(p: Params, members: readonly string[], where: string): string {
  const set = members.filter((m) => p.has(m))
  if (set.length !== 1) throw invalid(`${where} must set exactly one of ${members.join(', ')}`)
  return set[0] as string
}

function compare(value: string, filter: Params): boolean {
  const want = filter.required('Value').toLowerCase()
  const have = value.toLowerCase()
  return filter.required('ComparisonOperator') === 'EQUALS' ? have === want : have.includes(want)
}

/** A TimestampRange: JSON timestamps arrive as epoch seconds. */
function inRange(iso: string | undefined, range: Params): boolean {
  const t = epoch(iso)
  if (t === undefined) return false
  const start = range.raw.Start === undefined ? undefined : Number(range.raw.Start)
  const end = range.raw.End === undefined ? undefined : Number(range.raw.End)
  return (start === undefined || t >= start) && (end === undefined || t <= end)
}

/** X.509 filters look at the issued certificate: one that is not issued yet has no X.509 attributes. */
function x509Matches(r: Row, f: Params): boolean {
  if (!r.cert.certificatePem) return false
  const member = only(f, ['Subject', 'SubjectAlternativeName', 'ExtendedKeyUsage', 'KeyUsage', 'KeyAlgorithm', 'SerialNumber', 'NotAfter', 'NotBefore'], 'X509AttributeFilter')
  switch (member) {
    case 'Subject':
      return compare(r.commonName, f.obj('Subject')?.obj('CommonName') ?? f)
    case 'SubjectAlternativeName':
      return r.dnsNames.some((n) => compare(n, f.obj('SubjectAlternativeName')?.obj('DnsName') ?? f))
    case 'ExtendedKeyUsage':
      return r.extendedKeyUsages.includes(f.required('ExtendedKeyUsage'))
    case 'KeyUsage':
      return r.keyUsages.includes(f.required('KeyUsage'))
    case 'KeyAlgorithm':
      return r.keyAlgorithm === f.required('KeyAlgorithm')
    case 'SerialNumber':
      return r.cert.serial === f.required('SerialNumber').toLowerCase()
    case 'NotAfter':
      return inRange(r.cert.notAfter, f.obj('NotAfter') as Params)
    default:
      return inRange(r.cert.notBefore, f.obj('NotBefore') as Params)
  }
}

function metadataMatches(r: Row, f: Params): boolean {
  const member = only(f, ['Status', 'RenewalStatus', 'Type', 'InUse', 'Exported', 'ExportOption', 'ManagedBy', 'ValidationMethod'], 'AcmCertificateMetadataFilter')
  const c = r.cert
  switch (member) {
    case 'Status':
      return c.status === f.str('Status')
    case 'RenewalStatus':
      return c.renewal?.status === f.str('RenewalStatus')
    case 'Type':
      return r.type === f.str('Type')
    case 'InUse':
      return r.inUse === f.bool('InUse')
    case 'Exported':
      return (c.exported === true) === f.bool('Exported')
    case 'ExportOption':
      return r.exportOption === f.str('ExportOption')
    case 'ManagedBy':
      return false // no certificate in openalb is managed by CloudFront
    default:
      return c.source !== 'imported' && c.validationMethod === f.str('ValidationMethod')
  }
}

function matches(r: Row, s: Params, depth = 0): boolean {
  if (depth > 16) throw invalid('FilterStatement is nested too deeply')
  const member = only(s, ['And', 'Or', 'Not', 'Filter'], 'FilterStatement')
  if (member === 'And') return s.objs('And').every((x) => matches(r, x, depth + 1))
  if (member === 'Or') return s.objs('Or').some((x) => matches(r, x, depth + 1))
  if (member === 'Not') return !matches(r, s.obj('Not') as Params, depth + 1)
  const f = s.obj('Filter') as Params
  const kind = only(f, ['CertificateArn', 'X509AttributeFilter', 'AcmCertificateMetadataFilter'], 'CertificateFilter')
  if (kind === 'CertificateArn') return r.cert.arn === f.str('CertificateArn')
  if (kind === 'X509AttributeFilter') return x509Matches(r, f.obj('X509AttributeFilter') as Params)
  return metadataMatches(r, f.obj('AcmCertificateMetadataFilter') as Params)
}

/** Sort keys: SearchCertificatesSortBy -> the value compared. */
const SORT_KEYS: Readonly<Record<string, (r: Row) => string | number | undefined>> = {
  CREATED_AT: (r) => r.cert.createdAt,
  NOT_AFTER: (r) => r.cert.notAfter,
  NOT_BEFORE: (r) => r.cert.notBefore,
  STATUS: (r) => r.cert.status,
  RENEWAL_STATUS: (r) => r.cert.renewal?.status,
  EXPORTED: (r) => (r.cert.exported ? 1 : 0),
  IN_USE: (r) => (r.inUse ? 1 : 0),
  KEY_ALGORITHM: (r) => r.keyAlgorithm,
  TYPE: (r) => r.type,
  CERTIFICATE_ARN: (r) => r.cert.arn,
  COMMON_NAME: (r) => r.commonName,
  REVOKED_AT: (r) => r.cert.revokedAt,
  RENEWAL_ELIGIBILITY: (r) => r.renewalEligibility,
  ISSUED_AT: (r) => (r.cert.source === 'imported' ? undefined : r.cert.issuedAt),
  IMPORTED_AT: (r) => (r.cert.source === 'imported' ? r.cert.issuedAt : undefined),
  MANAGED_BY: () => undefined,
  EXPORT_OPTION: (r) => r.exportOption,
  VALIDATION_METHOD: (r) => (r.cert.source === 'imported' ? undefined : r.cert.validationMethod),
}

function byKey(key: (r: Row) => string | number | undefined) {
  return (a: Row, b: Row): number => {
    const x = key(a)
    const y = key(b)
    if (x === y) return a.cert.arn.localeCompare(b.cert.arn)
    if (x === undefined) return 1
    if (y === undefined) return -1
    return x < y ? -1 : 1
  }
}

function resultOf(r: Row): Record<string, unknown> {
  const c = r.cert
  const x = x509Of(c)
  const imported = c.source === 'imported'
  return {
    CertificateArn: c.arn,
    X509Attributes: c.certificatePem
      ? {
          Issuer: x?.issuer,
          Subject: x?.subject ?? { CommonName: r.commonName },
          SubjectAlternativeNames: r.dnsNames.map((DnsName) => ({ DnsName })),
          ExtendedKeyUsages: r.extendedKeyUsages,
          KeyAlgorithm: r.keyAlgorithm,
          KeyUsages: r.keyUsages,
          SerialNumber: c.serial,
          NotAfter: epoch(c.notAfter),
          NotBefore: epoch(c.notBefore),
        }
      : undefined,
    CertificateMetadata: {
      AcmCertificateMetadata: {
        CreatedAt: epoch(c.createdAt),
        Exported: c.exported === true,
        ImportedAt: imported ? epoch(c.issuedAt) : undefined,
        InUse: r.inUse,
        IssuedAt: imported ? undefined : epoch(c.issuedAt),
        RenewalEligibility: r.renewalEligibility,
        RevokedAt: epoch(c.revokedAt),
        Status: c.status,
        RenewalStatus: c.renewal?.status,
        Type: r.type,
        ExportOption: r.exportOption,
        ValidationMethod: imported ? undefined : c.validationMethod,
      },
    },
  }
}

/** ACM SearchCertificates: a filter statement of And/Or/Not over X.509 and ACM attributes, sorted and paged. */
export function searchCertificates(d: Draft, p: Params): Record<string, unknown> {
  const statement = p.obj('FilterStatement')
  const sortBy = p.str('SortBy') ?? 'CREATED_AT'
  const key = SORT_KEYS[sortBy]
  if (!key) throw invalid(`SortBy '${sortBy}' is not supported`)
  let rows = d.list('certificate').map((c) => rowOf(d, c))
  if (statement) rows = rows.filter((r) => matches(r, statement))
  rows.sort(byKey(key))
  if (p.str('SortOrder') === 'DESCENDING') rows.reverse()
  const pg = page(rows, p.str('NextToken'), p.int('MaxResults'), 'ValidationException', 500)
  return { Results: pg.items.map(resultOf), NextToken: pg.next }
}
