import { isNetworkProtocol } from '../../model/target-group.js'
import type { L4Pool } from '../l4/l4-pool.js'
import type { TargetGroupSnapshot, TargetSnapshot } from '../snapshot.js'
import type { H2Pool } from './h2-pool.js'
import type { UpstreamPool } from './pool.js'

/**
 * A target's connections as one transport reaches it: HTTP/1.1 connections (HTTP1 groups, plain
 * or TLS), HTTP/2 sessions (HTTP2 and GRPC groups, h2c or TLS), or the spliced connections of a
 * network group's target (L4Pool: never pooled, only counted for draining).
 */
export type TargetPool = UpstreamPool | H2Pool | L4Pool

/**
 * The pool a group's target uses: one per address:port and transport, so a target reached as
 * HTTP and as HTTPS (or over HTTP/2) never shares a connection between them. A plain HTTP/1.1
 * pool is keyed by the address:port alone.
 */
export function poolKey(target: TargetSnapshot, group: Pick<TargetGroupSnapshot, 'arn' | 'protocol' | 'protocolVersion'>): string {
  // A network group's connections drain by that group's own attributes: one pool per group and target.
  if (isNetworkProtocol(group.protocol)) return `l4 ${group.arn} ${target.key}`
  const tls = group.protocol === 'HTTPS'
  if (group.protocolVersion === 'HTTP1') return tls ? `https ${target.key}` : target.key
  return tls ? `h2 ${target.key}` : `h2c ${target.key}`
}
