import { isRecord } from '../../../model/result.js'
import type { AwsError } from '../errors.js'
import { XML_DECL, escapeXml, xmlElement, type XmlValue } from './xml.js'

/** Parameters that carry the call or its signature rather than the operation's input. */
const PROTOCOL_PARAMS = new Set(['Action', 'Version'])
const isIndex = (s: string | undefined): boolean => s !== undefined && /^\d+$/.test(s)

/**
 * Turns Query-protocol parameters into plain data: `Targets.member.1.Id=x` -> { Targets: [{ Id: 'x' }] }.
 * The `member` of ELBv2 lists and the bare indexes of EC2's (`IpPermissions.1.IpRanges.1.CidrIp`)
 * both become arrays; map entries (`Attributes.entry.1.key/value`) become [{ key, value }].
 */
export function parseQueryParams(params: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {}
  for (const [key, value] of params) {
    if (PROTOCOL_PARAMS.has(key) || key.startsWith('X-Amz-')) continue
    const parts = key.split('.').filter((p, i, all) => !((p === 'member' || p === 'entry') && isIndex(all[i + 1])))
    setPath(root, parts, value)
  }
  return root
}

type Container = Record<string, unknown> | unknown[]

function setPath(root: Record<string, unknown>, parts: string[], value: string): void {
  let node: Container = root
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? ''
    const last = i === parts.length - 1
    const slot: string | number = Array.isArray(node) ? Number(part) - 1 : part
    if (Array.isArray(node) && (!Number.isInteger(slot) || (slot as number) < 0 || (slot as number) > 10000)) return
    if (part === '__proto__' || part === 'constructor' || part === 'prototype') return
    const get = (): unknown => (Array.isArray(node) ? node[slot as number] : node[slot as string])
    const set = (v: unknown): void => {
      if (Array.isArray(node)) node[slot as number] = v
      else node[slot as string] = v
    }
    if (last) {
      set(value)
      return
    }
    let next = get()
    const wantArray = isIndex(parts[i + 1])
    if (wantArray ? !Array.isArray(next) : !isRecord(next)) {
      next = wantArray ? [] : {}
      set(next)
    }
    node = next as Container
  }
}

/** Map-shaped members (botocore `map`): written as a list of { key, value } in <entry> elements. */
const MAP_MEMBERS = new Set(['AuthenticationRequestExtraParams'])
const queryMember = (listName: string): string => (MAP_MEMBERS.has(listName) ? 'entry' : 'member')

/** The Query protocol's success body: <XResponse><XResult>...</XResult><ResponseMetadata>. */
export function queryResponse(namespace: string, action: string, result: Record<string, XmlValue> | undefined, requestId: string): string {
  const inner = result === undefined ? '' : xmlElement(`${action}Result`, result, queryMember)
  return `${XML_DECL}<${action}Response xmlns="${namespace}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
}

export function queryError(namespace: string, error: AwsError, requestId: string): string {
  return (
    `${XML_DECL}<ErrorResponse xmlns="${namespace}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  )
}

/** EC2's dialect of Query: no Result wrapper, `item` lists, camelCase names, <requestId> first. */
export function ec2Response(namespace: string, action: string, result: Record<string, XmlValue>, requestId: string): string {
  let inner = `<requestId>${requestId}</requestId>`
  for (const [k, v] of Object.entries(result)) inner += xmlElement(k, v, () => 'item')
  return `${XML_DECL}<${action}Response xmlns="${namespace}">${inner}</${action}Response>`
}

export function ec2Error(error: AwsError, requestId: string): string {
  return (
    `${XML_DECL}<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors>` +
    `<RequestID>${requestId}</RequestID></Response>`
  )
}
