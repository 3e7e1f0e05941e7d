import { createPrivateKey } from 'node:crypto'
import {
  deleteCertificate,
  importCertificate,
  markCertificateExported,
  renewalRefusal,
  requestCertificate,
  requestRenewal,
  requestedWithToken,
  revokeCertificate,
  setCertificateOptions,
} from '../../../control/certificates.js'
import { changeTags } from '../../../control/tags.js'
import type { Draft } from '../../../control/draft.js'
import { DEFAULT_CERTIFICATE_OPTIONS, exportable, type Certificate, type CertificateOptions, type OptionSetting, type RevocationReason } from '../../../model/certificate.js'
import { regionOfArn } from '../../../model/ids.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import type { Params } from '../protocol/params.js'
import { certificateDetail, certificateSummary, usersOf } from './shapes.js'
import { searchCertificates } from './search.js'

export const ACM_TARGET_PREFIX = 'CertificateManager'

type AcmHandler = (call: Call) => Promise<Record<string, unknown>>

const ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/
const invalid = (message: string) => new AwsError('ValidationException', message)

function certArn(p: Params, key = 'CertificateArn'): string {
  const arn = p.required(key)
  if (!ARN.test(arn)) throw new AwsError('InvalidArnException', `The certificate ARN '${arn}' is not valid`)
  return arn
}

function find(d: Draft, arn: string): Certificate {
  const c = d.get('certificate', arn)
  if (!c) throw new AwsError('ResourceNotFoundException', `Could not find certificate ${arn}.`)
  return c
}

function tagsIn(p: Params): Record<string, string> {
  const out: Record<string, string> = {}
  const list = p.objs('Tags')
  for (const t of list) {
    const k = t.required('Key')
    if (k.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidTagException', `Tag key '${k}' uses the reserved prefix aws:`)
    out[k] = t.str('Value') ?? ''
  }
  if (list.length > 50) throw new AwsError('TooManyTagsException', 'a certificate can have at most 50 tags')
  return out
}

const RequestCertificate: AcmHandler = async ({ deps, region, params: p }) => {
  const domainName = p.required('DomainName')
  const validationMethod = p.str('ValidationMethod') ?? 'DNS'
  if (validationMethod !== 'DNS' && validationMethod !== 'EMAIL') throw invalid(`ValidationMethod '${validationMethod}' is not supported (DNS or EMAIL)`)
  if (p.has('CertificateAuthorityArn')) throw invalid('private CAs are not supported by openalb; certificates come from its own CA')
  // Any ACM key algorithm is accepted (Terraform sends RSA_2048 by default); openalb's CA issues P-256 keys.
  const keyAlgorithm = p.str('KeyAlgorithm')
  const KEY_ALGORITHMS = ['RSA_1024', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1', 'EC_secp521r1']
  if (keyAlgorithm !== undefined && !KEY_ALGORITHMS.includes(keyAlgorithm)) throw invalid(`KeyAlgorithm '${keyAlgorithm}' is not one of ${KEY_ALGORITHMS.join(', ')}`)
  const sans = p.strings('SubjectAlternativeNames') ?? []
  const options = optionsIn(p, DEFAULT_CERTIFICATE_OPTIONS)
  const token = p.str('IdempotencyToken')
  const tags = tagsIn(p)
  const now = (deps.now ?? (() => new Date()))().getTime()
  const cert = await deps.control.mutate((d) => {
    const prior = token === undefined ? undefined : requestedWithToken(d, token, domainName, now)
    if (prior && regionOfArn(prior.arn) === region) return prior
    // --acm-issuer acme: the certificate comes from the ACME CA of `--acme-directory`, once ACM's validation CNAME is served.
    const source = deps.acmIssuer === 'acme' ? 'acme' : 'local-ca'
    return requestCertificate(d, { domainName, subjectAlternativeNames: sans, source, validationMethod, tags }, { awaitsDnsRecord: validationMethod === 'DNS', options, idempotencyToken: token, region })
  })
  return { CertificateArn: cert.value.arn }
}

const DescribeCertificate: AcmHandler = async ({ deps, region, params }) => {
  const d = await deps.control.view(region)
  return { Certificate: certificateDetail(d, find(d, certArn(params))) }
}

const GetCertificate: AcmHandler = async ({ deps, region, params }) => {
  const d = await deps.control.view(region)
  const c = find(d, certArn(params))
  if (!c.certificatePem) throw new AwsError('RequestInProgressException', `Certificate '${c.arn}' is not yet issued (status ${c.status}).`)
  return { Certificate: c.certificatePem, CertificateChain: c.chainPem }
}

function pem(p: Params, key: string): string | undefined {
  const b64 = p.str(key)
  if (b64 === undefined) return undefined
  const text = Buffer.from(b64, 'base64').toString('utf8')
  if (!text.includes('-----BEGIN')) throw invalid(`${key} must be PEM-encoded`)
  return text
}

const ImportCertificate: AcmHandler = async ({ deps, region, params: p }) => {
  const certificatePem = pem(p, 'Certificate')
  const privateKeyPem = pem(p, 'PrivateKey')
  if (!certificatePem || !privateKeyPem) throw invalid('Certificate and PrivateKey are required')
  const chainPem = pem(p, 'CertificateChain')
  const arn = p.has('CertificateArn') ? certArn(p) : undefined
  const tags = tagsIn(p)
  if (arn && Object.keys(tags).length > 0) throw invalid('Tags cannot be given when re-importing a certificate')
  const result = await deps.control.mutate((d) => {
    if (arn) find(d, arn)
    return importCertificate(d, { certificatePem, privateKeyPem, chainPem, arn, tags, namedAfterId: true, region })
  })
  return { CertificateArn: result.value.arn }
}

const ListCertificates: AcmHandler = async ({ deps, region, params: p }) => {
  const d = await deps.control.view(region)
  const statuses = p.strings('CertificateStatuses') ?? []
  const includes = p.obj('Includes')
  const keyTypes = includes?.strings('keyTypes') ?? []
  const max = p.int('MaxItems')
  if (max !== undefined && (max < 1 || max > 1000)) throw invalid('MaxItems must be between 1 and 1000')
  let certs = [...d.list('certificate')].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.arn.localeCompare(b.arn))
  if (p.str('SortOrder') === 'DESCENDING') certs.reverse()
  if (statuses.length > 0) certs = certs.filter((c) => statuses.includes(c.status))
  if (keyTypes.length > 0) certs = certs.filter((c) => keyTypes.includes(String(certificateDetail(d, c).KeyAlgorithm)))
  const pg = page(certs, p.str('NextToken'), max, 'ValidationException', 1000)
  return { CertificateSummaryList: pg.items.map((c) => certificateSummary(d, c)), NextToken: pg.next }
}

const DeleteCertificate: AcmHandler = async ({ deps, params }) => {
  const arn = certArn(params)
  await deps.control.mutate((d) => {
    const c = find(d, arn)
    const users = usersOf(d, c.arn)
    if (users.length > 0) throw new AwsError('ResourceInUseException', `Certificate '${arn}' is in use by ${users.join(', ')}`)
    deleteCertificate(d, arn)
  })
  return {}
}

const AddTagsToCertificate: AcmHandler = async ({ deps, params }) => {
  const arn = certArn(params)
  const tags = tagsIn(params)
  if (Object.keys(tags).length === 0) throw invalid('Tags must contain at least one tag')
  await deps.control.mutate((d) => {
    const merged = { ...find(d, arn).tags, ...tags }
    if (Object.keys(merged).length > 50) throw new AwsError('TooManyTagsException', 'a certificate can have at most 50 tags')
    changeTags(d, 'certificate', arn, tags)
  })
  return {}
}

const RemoveTagsFromCertificate: AcmHandler = async ({ deps, params }) => {
  const arn = certArn(params)
  const wanted = params.objs('Tags').map((t) => ({ key: t.required('Key'), value: t.str('Value') }))
  await deps.control.mutate((d) => {
    const current = find(d, arn)
    // A tag named with a value is removed only when the value matches, as ACM does.
    const remove = wanted.filter((w) => w.key in current.tags && (w.value === undefined || current.tags[w.key] === w.value)).map((w) => w.key)
    changeTags(d, 'certificate', arn, {}, remove)
  })
  return {}
}

const ListTagsForCertificate: AcmHandler = async ({ deps, region, params }) => {
  const c = find(await deps.control.view(region), certArn(params))
  return { Tags: Object.entries(c.tags).map(([Key, Value]) => ({ Key, Value })) }
}

const GetAccountConfiguration: AcmHandler = async () => ({ ExpiryEvents: { DaysBeforeExpiry: 45 } })

const PutAccountConfiguration: AcmHandler = async ({ params }) => {
  params.required('IdempotencyToken')
  const days = params.obj('ExpiryEvents')?.int('DaysBeforeExpiry')
  if (days !== undefined && days !== 45) throw invalid('openalb warns 45 days before expiry; DaysBeforeExpiry cannot be changed')
  return {}
}

/** Options as given, over a base (ACM's defaults, or the certificate's current ones). */
function optionsIn(p: Params, base: CertificateOptions): CertificateOptions {
  const o = p.obj('Options')
  if (!o) return base
  const setting = (key: string, current: OptionSetting): OptionSetting => (o.str(key) as OptionSetting | undefined) ?? current
  return { certificateTransparencyLogging: setting('CertificateTransparencyLoggingPreference', base.certificateTransparencyLogging), export: setting('Export', base.export) }
}

function notYetIssued(c: Certificate): AwsError {
  return new AwsError('RequestInProgressException', `Certificate '${c.arn}' is not yet issued (status ${c.status}).`)
}

const RenewCertificate: AcmHandler = async ({ deps, params }) => {
  const arn = certArn(params)
  await deps.control.mutate((d) => {
    const c = find(d, arn)
    if (c.status === 'PENDING_VALIDATION') throw notYetIssued(c)
    const refusal = renewalRefusal(c)
    if (refusal) throw invalid(refusal)
    requestRenewal(d, arn)
  })
  return {}
}

const ExportCertificate: AcmHandler = async ({ deps, params }) => {
  const arn = certArn(params)
  const passphrase = Buffer.from(params.required('Passphrase'), 'base64')
  const result = await deps.control.mutate((d) => {
    const c = find(d, arn)
    if (!exportable(c)) {
      throw invalid(c.source === 'imported' ? `Certificate ARN: ${arn} is not a private certificate` : `Certificate ARN: ${arn} was not requested with the Export option ENABLED`)
    }
    if (c.status === 'REVOKED') throw invalid(`Certificate ARN: ${arn} is revoked`)
    if (!c.certificatePem || !c.privateKeyPem) throw notYetIssued(c)
    return markCertificateExported(d, arn)
  })
  const c = result.value
  // ACM hands out the key as encrypted PKCS #8 PEM under the caller's passphrase.
  const privateKey = createPrivateKey(c.privateKeyPem ?? '').export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
  return { Certificate: c.certificatePem, CertificateChain: c.chainPem, PrivateKey: String(privateKey) }
}

const RevokeCertificate: AcmHandler = async ({ deps, params }) => {
  const arn = certArn(params)
  const reason = params.required('RevocationReason') as RevocationReason
  await deps.control.mutate((d) => {
    const c = find(d, arn)
    if (c.status === 'REVOKED') throw new AwsError('ConflictException', `Certificate ${arn} is already revoked.`)
    if (!c.exported) throw invalid(`Certificate ${arn} has not been exported: only exported certificates can be revoked`)
    const users = usersOf(d, arn)
    if (users.length > 0) throw new AwsError('ResourceInUseException', `Certificate '${arn}' is in use by ${users.join(', ')}`)
    revokeCertificate(d, arn, reason)
  })
  return { CertificateArn: arn }
}

const UpdateCertificateOptions: AcmHandler = async ({ deps, params }) => {
  const arn = certArn(params)
  if (!params.has('Options')) throw invalid('Options is required')
  await deps.control.mutate((d) => {
    const c = find(d, arn)
    if (c.source === 'imported') throw new AwsError('InvalidStateException', `Certificate ${arn} is imported: only certificates issued through ACM have options.`)
    const current = c.options ?? DEFAULT_CERTIFICATE_OPTIONS
    const next = optionsIn(params, current)
    if (next.export !== current.export) throw invalid('You cannot update the value of Export after the certificate is created.')
    setCertificateOptions(d, arn, next)
  })
  return {}
}

const ResendValidationEmail: AcmHandler = async ({ deps, region, params }) => {
  const arn = certArn(params)
  const domain = params.required('Domain').toLowerCase()
  const validationDomain = params.required('ValidationDomain').toLowerCase()
  const c = find(await deps.control.view(region), arn)
  if (c.validationMethod !== 'EMAIL' || c.status !== 'PENDING_VALIDATION') {
    throw new AwsError('InvalidStateException', `Certificate ${arn} is not waiting for email validation (status ${c.status}, validation ${c.validationMethod}).`)
  }
  const names = c.subjectAlternativeNames.length > 0 ? c.subjectAlternativeNames : [c.domainName]
  if (!names.includes(domain) || !(domain === validationDomain || domain.endsWith(`.${validationDomain}`))) {
    throw new AwsError('InvalidDomainValidationOptionsException', `Domain ${domain} with validation domain ${validationDomain} is not a name of certificate ${arn}.`)
  }
  // Like a mail sent to a closed mailbox: accepted, and nobody reads it. openalb sends no mail.
  deps.log?.warn({ certificate: arn, domain }, 'ResendValidationEmail: openalb sends no validation mail; email validation is not emulated')
  return {}
}

const SearchCertificates: AcmHandler = async ({ deps, region, params }) => searchCertificates(await deps.control.view(region), params)

/** Every ACM operation openalb answers, by its X-Amz-Target name. */
export const ACM_OPERATIONS: Readonly<Record<string, AcmHandler>> = {
  RequestCertificate,
  DescribeCertificate,
  GetCertificate,
  ImportCertificate,
  ListCertificates,
  DeleteCertificate,
  AddTagsToCertificate,
  RemoveTagsFromCertificate,
  ListTagsForCertificate,
  GetAccountConfiguration,
  PutAccountConfiguration,
  RenewCertificate,
  ExportCertificate,
  RevokeCertificate,
  UpdateCertificateOptions,
  ResendValidationEmail,
  SearchCertificates,
}
