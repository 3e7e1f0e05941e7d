import type { Tags } from '../../../model/schema-util.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import type { Params } from '../protocol/params.js'
import type { XmlValue } from '../protocol/xml.js'

export type Ec2Result = Record<string, XmlValue>
export type Ec2Handler = (call: Call) => Promise<Ec2Result>

export const invalidValue = (message: string) => new AwsError('InvalidParameterValue', message)
export const missing = (name: string) => new AwsError('MissingParameter', `The request must contain the parameter ${name}`)

/** A parameter EC2 requires; missing is MissingParameter, as EC2 answers. */
export function requiredParam(p: Params, name: string): string {
  const v = p.str(name)
  if (v === undefined || v === '') throw missing(name)
  return v
}

/** TagSpecification.N of one resource type -> tags. */
export function tagSpecifications(p: Params, type: string): Record<string, string> {
  const tags: Record<string, string> = {}
  for (const spec of p.objs('TagSpecification')) {
    if (spec.str('ResourceType') !== type) continue
    for (const tag of spec.objs('Tag')) tags[userTagKey(tag.required('Key'))] = tag.str('Value') ?? ''
  }
  return tags
}

/** EC2 keeps tag keys beginning aws: for itself (aws:ec2launchtemplate:id, aws:autoscaling:groupName). */
export function userTagKey(key: string): string {
  if (key.toLowerCase().startsWith('aws:')) throw invalidValue(`Tag keys starting with 'aws:' are reserved for internal use`)
  return key
}

export const tagSet = (tags: Tags): Ec2Result[] => Object.entries(tags).map(([key, value]) => ({ key, value }))

export interface Filter {
  readonly name: string
  readonly values: readonly string[]
}

export function filters(p: Params): Filter[] {
  return p.objs('Filter').map((f) => ({ name: f.required('Name'), values: f.strings('Value') ?? [] }))
}

/** EC2 filter values may use * and ? wildcards. */
export function globMatch(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`)
  return re.test(value)
}

/** The values a resource has for each filter name EC2 knows for its type. */
export type FilterFields<T> = (item: T) => Record<string, string | boolean | number | readonly string[] | undefined>

/**
 * Keeps the items every filter matches (values of one filter are alternatives), as EC2's Describe
 * calls do; tag:KEY, tag-key and tag-value work on every type. An unknown filter name is refused.
 */
export function applyFilters<T extends { readonly tags: Tags }>(items: readonly T[], list: readonly Filter[], fields: FilterFields<T>): T[] {
  return items.filter((item) => {
    const known = fields(item)
    return list.every((f) => {
      let actual: readonly string[]
      if (f.name.startsWith('tag:')) {
        const v = item.tags[f.name.slice(4)]
        actual = v === undefined ? [] : [v]
      } else if (f.name === 'tag-key') actual = Object.keys(item.tags)
      else if (f.name === 'tag-value') actual = Object.values(item.tags)
      else if (Object.hasOwn(known, f.name)) {
        const v = known[f.name]
        actual = v === undefined ? [] : Array.isArray(v) ? (v as readonly string[]) : [String(v)]
      } else throw invalidValue(`The filter '${f.name}' is invalid`)
      return actual.some((a) => f.values.some((want) => globMatch(want, a)))
    })
  })
}

/** EC2's NextToken paging: MaxResults between 5 and 1000 where the operation allows it. */
export function ec2Page<T>(items: readonly T[], p: Params, min = 5, max = 1000): { items: T[]; nextToken?: string } {
  const size = p.int('MaxResults')
  if (size !== undefined && (size < min || size > max)) throw invalidValue(`Value ( ${size} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`)
  const token = p.str('NextToken')
  let start = 0
  if (token !== undefined && token !== '') {
    const n = Number(Buffer.from(token, 'base64url').toString('utf8'))
    if (!Number.isInteger(n) || n < 0) throw invalidValue(`Invalid NextToken '${token}'`)
    start = n
  }
  if (size === undefined) return { items: items.slice(start) }
  const slice = items.slice(start, start + size)
  const end = start + slice.length
  return end < items.length ? { items: slice, nextToken: Buffer.from(String(end)).toString('base64url') } : { items: slice }
}

export const arn = (call: Call, type: string, id: string): string => `arn:aws:ec2:${call.region}:${call.deps.control.partition.accountId}:${type}/${id}`

/** A boolean in EC2's AttributeBooleanValue form (`EnableDnsSupport.Value=true`). */
export function attributeBoolean(p: Params, name: string): boolean | undefined {
  const o = p.obj(name)
  if (o === undefined) return undefined
  const v = o.bool('Value')
  if (v === undefined) throw missing(`${name}.Value`)
  return v
}

/** Base64 user data -> text; a client that sent the script itself is refused as EC2 reads it. */
export function decodeBase64UserData(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined
  const text = Buffer.from(raw, 'base64').toString('utf8')
  if (Buffer.from(text, 'utf8').toString('base64').replace(/=+$/, '') !== raw.replace(/\s/g, '').replace(/=+$/, '')) throw invalidValue('Invalid BASE64 encoding of user data.')
  return text
}
