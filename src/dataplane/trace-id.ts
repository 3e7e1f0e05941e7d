import { randomFillSync } from 'node:crypto'

const POOL_BYTES = 12 * 512
const pool = Buffer.allocUnsafe(POOL_BYTES)
let offset = POOL_BYTES

function randomHex24(): string {
  if (offset + 12 > POOL_BYTES) {
    randomFillSync(pool)
    offset = 0
  }
  const s = pool.toString('hex', offset, offset + 12)
  offset += 12
  return s
}

/** A new X-Amzn-Trace-Id id: `1-<8 hex seconds>-<24 hex random>`. */
export function newTraceId(nowMs: number): string {
  return `1-${Math.floor(nowMs / 1000).toString(16).padStart(8, '0')}-${randomHex24()}`
}

/**
 * The X-Amzn-Trace-Id the target gets, as ALB builds it: `Root=` when the client sent none;
 * with a client Root, a `Self=` field is added and the client's fields are kept.
 */
export function traceHeader(incoming: string | undefined, nowMs: number): string {
  if (incoming === undefined || incoming === '') return `Root=${newTraceId(nowMs)}`
  if (!incoming.includes('Root=')) return `Root=${newTraceId(nowMs)};${incoming}`
  const rest = incoming.replace(/(^|;)\s*Self=[^;]*/, '').replace(/^;/, '')
  return `Self=${newTraceId(nowMs)};${rest}`
}
