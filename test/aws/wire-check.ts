import { XMLParser } from 'fast-xml-parser'
import type { ModelService, ServiceModel, Shape, ShapeRef } from './service-models.js'

/** One request and its response, as the server sent them. */
export interface Exchange {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string | string[] | undefined>
  readonly requestBody: string
  readonly status: number
  readonly responseBody: string
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, isArray: () => false })

/** Codes any operation may answer, besides the ones its model lists. */
const COMMON: Record<ModelService, readonly string[]> = {
  elbv2: ['ValidationError', 'InternalFailure', 'InvalidAction', 'MissingAuthenticationToken', 'IncompleteSignature', 'InvalidClientTokenId', 'SignatureDoesNotMatch'],
  elb: ['ValidationError', 'InternalFailure', 'InvalidAction', 'MissingAuthenticationToken', 'IncompleteSignature', 'InvalidClientTokenId', 'SignatureDoesNotMatch'],
  acm: ['ValidationException', 'InternalFailure', 'UnknownOperationException', 'SerializationException', 'MissingAuthenticationTokenException', 'IncompleteSignatureException', 'UnrecognizedClientException', 'InvalidSignatureException'],
  route53: ['InvalidInput', 'InternalFailure', 'InvalidAction', 'MissingAuthenticationToken', 'IncompleteSignature', 'InvalidClientTokenId', 'SignatureDoesNotMatch'],
  ec2: [],
  autoscaling: ['ValidationError', 'InternalFailure', 'InvalidAction', 'MissingAuthenticationToken', 'IncompleteSignature', 'InvalidClientTokenId', 'SignatureDoesNotMatch'],
  sts: ['ValidationError', 'InternalFailure', 'InvalidAction', 'MissingAuthenticationToken', 'IncompleteSignature', 'InvalidClientTokenId', 'SignatureDoesNotMatch'],
  // CloudWatch's common errors (its model's documentation lists them for every operation), by Query code and by JSON shape.
  cloudwatch: ['ValidationError', 'InvalidParameterValue', 'InvalidParameterValueException', 'MissingParameter', 'MissingRequiredParameterException', 'InvalidParameterCombination', 'InvalidParameterCombinationException', 'InternalServiceError', 'InternalServiceFault', 'InvalidAction', 'UnknownOperationException', 'SerializationException', 'MissingAuthenticationToken', 'IncompleteSignature', 'InvalidClientTokenId', 'SignatureDoesNotMatch'],
}

function serviceOf(x: Exchange): ModelService | undefined {
  if (x.url.startsWith('/2013-04-01/')) return 'route53'
  const target = x.headers['x-amz-target']
  if (typeof target === 'string') return target.startsWith('GraniteServiceVersion20100801.') ? 'cloudwatch' : 'acm'
  const params = new URLSearchParams(x.url.split('?')[1] ?? '')
  const form = new URLSearchParams(x.requestBody)
  const version = form.get('Version') ?? params.get('Version')
  return version === '2016-11-15' ? 'ec2' : version === '2015-12-01' ? 'elbv2' : version === '2012-06-01' ? 'elb' : version === '2011-01-01' ? 'autoscaling' : version === '2011-06-15' ? 'sts' : version === '2010-08-01' ? 'cloudwatch' : undefined
}

function operationOf(service: ModelService, model: ServiceModel, x: Exchange): string | undefined {
  if (service === 'acm' || (service === 'cloudwatch' && typeof x.headers['x-amz-target'] === 'string')) return String(x.headers['x-amz-target']).split('.')[1]
  if (service === 'route53') {
    const path = x.url.split('?')[0] ?? ''
    for (const op of Object.values(model.operations)) {
      if (op.http.method !== x.method) continue
      const uri = (op.http.requestUri.split('?')[0] ?? '').replace(/\/$/, '')
      const re = new RegExp(`^${uri.replace(/\{[^}]+\+\}/g, '.+').replace(/\{[^}]+\}/g, '[^/]+')}/?$`)
      if (re.test(path)) return op.name
    }
    return undefined
  }
  return new URLSearchParams(x.requestBody).get('Action') ?? new URLSearchParams(x.url.split('?')[1] ?? '').get('Action') ?? undefined
}

/**
 * Checks recorded responses against botocore's models: every element or key the server wrote is
 * a member of the output shape (under its wire name), scalars have the shape's type and enum
 * values, statuses are the model's, and error codes are ones the operation declares.
 */
export function checkExchanges(exchanges: readonly Exchange[], models: (s: ModelService) => ServiceModel | undefined): string[] {
  const problems: string[] = []
  for (const x of exchanges) {
    const service = serviceOf(x)
    if (!service) continue
    const model = models(service)
    if (!model) continue
    const opName = operationOf(service, model, x)
    const op = opName ? model.operations[opName] : undefined
    const where = `${service} ${opName ?? x.url}`
    if (!op) {
      if (x.status < 400) problems.push(`${where}: answered an operation the model does not have`)
      continue
    }
    if (x.status >= 400) {
      const code = errorCode(service, x.responseBody)
      const json = x.responseBody.trimStart().startsWith('{')
      // JSON names the error shape (__type), Query its code.
      const declared = (op.errors ?? []).map((e) => (json ? e.shape : (model.shapes[e.shape]?.error?.code ?? e.shape)))
      if (service !== 'ec2' && code && !declared.includes(code) && !COMMON[service].includes(code)) {
        problems.push(`${where}: error code ${code} is not among the operation's errors (${declared.join(', ')})`)
      }
      continue
    }
    const expectedStatus = op.http.responseCode ?? 200
    if (x.status !== expectedStatus) problems.push(`${where}: status ${x.status}, the model says ${expectedStatus}`)
    if (!op.output) continue
    const out = op.output
    try {
      if (service === 'acm' || (service === 'cloudwatch' && typeof x.headers['x-amz-target'] === 'string')) {
        checkJson(model, out.shape, JSON.parse(x.responseBody || '{}'), where, problems)
        continue
      }
      const doc = parser.parse(x.responseBody) as Record<string, unknown>
      const rootName = Object.keys(doc).find((k) => k !== '?xml') ?? ''
      const root = doc[rootName] as Record<string, unknown> | string
      if (service === 'elbv2' || service === 'elb' || service === 'autoscaling' || service === 'sts' || service === 'cloudwatch') {
        if (rootName !== `${opName}Response`) problems.push(`${where}: root element ${rootName}`)
        const wrapper = out.resultWrapper
        const result = wrapper && typeof root === 'object' ? root[wrapper] : undefined
        if (wrapper && typeof root === 'object' && !(wrapper in root)) problems.push(`${where}: no ${wrapper}`)
        checkXml(model, { shape: out.shape }, result ?? '', `${where} ${wrapper ?? ''}`, problems, 'query')
      } else if (service === 'ec2') {
        const { requestId: _id, ...rest } = typeof root === 'object' ? root : {}
        checkXml(model, { shape: out.shape }, rest, where, problems, 'ec2')
      } else {
        checkXml(model, { shape: out.shape }, root, `${where} <${rootName}>`, problems, 'rest-xml')
      }
    } catch (e) {
      problems.push(`${where}: unreadable response: ${(e as Error).message}`)
    }
  }
  return problems
}

function errorCode(service: ModelService, body: string): string | undefined {
  if (body.trimStart().startsWith('{')) return (JSON.parse(body) as { __type?: string }).__type?.split('#').pop()
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1]
}

function wireName(memberName: string, ref: ShapeRef, protocol: string): string {
  if (protocol === 'ec2') return ref.locationName ?? memberName.charAt(0).toLowerCase() + memberName.slice(1)
  return ref.locationName ?? memberName
}

/**
 * Values AWS sends that its own model's enum leaves out, by shape: an internet gateway's attachment
 * reads `available` (the Terraform provider waits for that word; the model lists attached).
 */
const SENT_OUTSIDE_ENUM: Readonly<Record<string, readonly string[]>> = { AttachmentStatus: ['available'] }

function checkScalar(shape: Shape, value: unknown, where: string, problems: string[], shapeName = ''): void {
  const text = String(value)
  if (SENT_OUTSIDE_ENUM[shapeName]?.includes(text)) return
  if ((shape.type === 'integer' || shape.type === 'long') && !/^-?\d+$/.test(text)) problems.push(`${where}: '${text}' is not an integer`)
  if (shape.type === 'boolean' && text !== 'true' && text !== 'false') problems.push(`${where}: '${text}' is not a boolean`)
  if (shape.type === 'timestamp' && Number.isNaN(Date.parse(text))) problems.push(`${where}: '${text}' is not a timestamp`)
  if (shape.enum && !shape.enum.includes(text)) problems.push(`${where}: '${text}' is not one of ${shape.enum.join(', ')}`)
}

function checkXml(model: ServiceModel, ref: ShapeRef, node: unknown, where: string, problems: string[], protocol: string): void {
  const shape = model.shapes[ref.shape]
  if (!shape) return
  if (shape.type === 'structure') {
    if (node === '' || node === undefined) return
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      problems.push(`${where}: expected the structure ${ref.shape}`)
      return
    }
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const entry = Object.entries(shape.members ?? {}).find(([name, m]) => m.location === undefined && wireName(name, m, protocol) === key)
      if (!entry) {
        problems.push(`${where}: <${key}> is not a member of ${ref.shape}`)
        continue
      }
      checkXml(model, entry[1], value, `${where}.${key}`, problems, protocol)
    }
    return
  }
  if (shape.type === 'list') {
    if (node === '' || node === undefined) return
    const memberName = shape.member?.locationName ?? (protocol === 'ec2' ? 'item' : 'member')
    if (typeof node !== 'object' || node === null) {
      problems.push(`${where}: expected a list of <${memberName}>`)
      return
    }
    const keys = Object.keys(node)
    const stray = keys.filter((k) => k !== memberName)
    if (stray.length > 0) problems.push(`${where}: list elements named ${stray.join(', ')}, the model says <${memberName}>`)
    const raw = (node as Record<string, unknown>)[memberName]
    const items = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]
    items.forEach((item, i) => shape.member && checkXml(model, shape.member, item, `${where}[${i}]`, problems, protocol))
    return
  }
  if (shape.type === 'map') return
  checkScalar(shape, node, where, problems, ref.shape)
}

function checkJson(model: ServiceModel, shapeName: string, value: unknown, where: string, problems: string[]): void {
  const shape = model.shapes[shapeName]
  if (!shape || value === null || value === undefined) return
  if (shape.type === 'structure') {
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${where}: expected the structure ${shapeName}`)
      return
    }
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const m = shape.members?.[key]
      if (!m) problems.push(`${where}: "${key}" is not a member of ${shapeName}`)
      else checkJson(model, m.shape, v, `${where}.${key}`, problems)
    }
  } else if (shape.type === 'list') {
    if (!Array.isArray(value)) problems.push(`${where}: expected a list`)
    else value.forEach((v, i) => shape.member && checkJson(model, shape.member.shape, v, `${where}[${i}]`, problems))
  } else if (shape.type === 'timestamp') {
    if (typeof value !== 'number') problems.push(`${where}: a JSON timestamp is epoch seconds, got ${JSON.stringify(value)}`)
  } else if (shape.type === 'integer' || shape.type === 'long' || shape.type === 'double' || shape.type === 'float') {
    if (typeof value !== 'number') problems.push(`${where}: expected a number`)
  } else if (shape.type === 'boolean') {
    if (typeof value !== 'boolean') problems.push(`${where}: expected a boolean`)
  } else if (shape.type !== 'map' && shape.type !== 'blob') {
    if (typeof value !== 'string') problems.push(`${where}: expected a string`)
    else if (shape.enum && !shape.enum.includes(value)) problems.push(`${where}: '${value}' is not one of ${shape.enum.join(', ')}`)
  }
}
