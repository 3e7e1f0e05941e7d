import { XMLParser } from 'fast-xml-parser'
import { isRecord } from '../../../model/result.js'
import { AwsError } from '../errors.js'
import { XML_DECL, escapeXml, xmlElement, type XmlValue } from './xml.js'

/**
 * Parses a REST-XML request body into plain data (the root element's content). `listPaths` are
 * the `Parent.Member` pairs whose members always form a list, even when there is one.
 */
export function parseXmlBody(body: Buffer, listPaths: readonly string[]): Record<string, unknown> {
  const text = body.toString('utf8').trim()
  if (text === '') return {}
  let parsed: unknown
  try {
    parsed = new XMLParser({
      ignoreAttributes: true,
      removeNSPrefix: true,
      parseTagValue: false,
      trimValues: true,
      isArray: (_name, jpath) => listPaths.some((p) => String(jpath).endsWith(p)),
    }).parse(text, true)
  } catch (e) {
    throw new AwsError('InvalidInput', `the request body is not valid XML: ${e instanceof Error ? e.message : String(e)}`)
  }
  if (!isRecord(parsed)) throw new AwsError('InvalidInput', 'the request body must be an XML document')
  const roots = Object.entries(parsed).filter(([k]) => k !== '?xml')
  const root = roots[0]?.[1]
  return isRecord(root) ? root : {}
}

/** A REST-XML document `<Root xmlns=...>...</Root>`; `memberName` names each list's elements. */
export function restXmlDocument(root: string, namespace: string, value: Record<string, XmlValue>, memberName: (list: string) => string): string {
  return XML_DECL + xmlElement(root, value, memberName, ` xmlns="${namespace}"`)
}

export function restXmlError(namespace: string, error: AwsError, requestId: string): string {
  const messages = error.messages.length > 0 ? `<Messages>${error.messages.map((m) => `<Message>${escapeXml(m)}</Message>`).join('')}</Messages>` : ''
  return (
    `${XML_DECL}<ErrorResponse xmlns="${namespace}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message>${messages}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  )
}
