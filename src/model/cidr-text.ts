import { isIP } from 'node:net'

/** Whether text is an IPv4 or IPv6 CIDR with a prefix length that fits its family. */
export function isCidr(text: string): boolean {
  const slash = text.indexOf('/')
  if (slash < 0) return false
  const family = isIP(text.slice(0, slash))
  const bits = text.slice(slash + 1)
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false
  return Number(bits) <= (family === 4 ? 32 : 128)
}

export const isIpAddress = (text: string): boolean => isIP(text) !== 0
