/** A serial as ACM prints it: lower-case hex bytes joined by colons ("0a:1b:..."). */
export function formatSerial(hex: string): string {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '').toLowerCase()
  const even = clean.length % 2 === 0 ? clean : `0${clean}`
  return even.match(/../g)?.join(':') ?? ''
}
