// The benchmark zone: bench.test with N A records h0..h(N-1), as model objects and as a zone file.
export const ZONE = 'bench.test.'

const address = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`

export function benchZone(n) {
  const zone = { kind: 'hosted-zone', id: 'ZBENCH00000000000000', name: ZONE, callerReference: 'bench', comment: '', serial: 1, nameServers: [`ns1.${ZONE}`], tags: {} }
  const records = []
  for (let i = 0; i < n; i++) {
    const name = `h${i}.${ZONE}`
    records.push({ kind: 'record-set', id: `${zone.id}/${name}/A`, zoneId: zone.id, name, type: 'A', ttl: 300, values: [address(i)] })
  }
  return { zone, records }
}

export function zoneFile(n) {
  const lines = [`$ORIGIN ${ZONE}`, '$TTL 300', `@ 900 IN SOA ns1.${ZONE} hostmaster.${ZONE} 1 7200 900 1209600 300`, `@ 172800 IN NS ns1.${ZONE}`]
  for (let i = 0; i < n; i++) lines.push(`h${i} IN A ${address(i)}`)
  return `${lines.join('\n')}\n`
}
