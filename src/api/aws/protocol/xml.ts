/** A value the XML writer turns into elements: objects become child elements, arrays lists. */
export type XmlValue = string | number | boolean | null | undefined | XmlValue[] | { readonly [key: string]: XmlValue }

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c] ?? c)

/**
 * Writes `value` as the content of element `name`. `memberName(listName)` names the elements of a
 * list: `member` for the Query protocol, `item` for EC2, per-shape names for Route 53.
 */
export function xmlElement(name: string, value: XmlValue, memberName: (listName: string) => string, attrs = ''): string {
  if (value === undefined || value === null) return ''
  const open = `<${name}${attrs}>`
  const close = `</${name}>`
  if (Array.isArray(value)) {
    const member = memberName(name)
    return open + value.map((v) => xmlElement(member, v, memberName)).join('') + close
  }
  if (typeof value === 'object') {
    let inner = ''
    for (const [k, v] of Object.entries(value)) inner += xmlElement(k, v, memberName)
    return open + inner + close
  }
  return open + escapeXml(String(value)) + close
}

export const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>'
