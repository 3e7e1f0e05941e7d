import { isRecord } from '../../../model/result.js'
import { AwsError } from '../errors.js'

/**
 * Typed reads of a request's parameters, after the protocol layer turned them into plain data
 * (Query: `Targets.member.1.Id` -> { Targets: [{ Id }] }; JSON: the body). Wrong types are the
 * client's fault: the service's validation error.
 */
export class Params {
  constructor(
    readonly raw: Record<string, unknown>,
    private readonly invalid: (message: string) => AwsError,
    private readonly path = '',
  ) {}

  private where(key: string): string {
    return this.path ? `${this.path}.${key}` : key
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined
  }

  str(key: string): string | undefined {
    const v = this.raw[key]
    if (v === undefined || v === null) return undefined
    if (typeof v === 'string') return v
    if (typeof v === 'number' || typeof v === 'boolean') return String(v)
    throw this.invalid(`${this.where(key)} must be a string`)
  }

  required(key: string): string {
    const v = this.str(key)
    if (v === undefined || v === '') throw this.invalid(`${this.where(key)} is required`)
    return v
  }

  int(key: string): number | undefined {
    const v = this.raw[key]
    if (v === undefined || v === null || v === '') return undefined
    const n = typeof v === 'number' ? v : Number(v)
    if (!Number.isInteger(n)) throw this.invalid(`${this.where(key)} must be an integer`)
    return n
  }

  bool(key: string): boolean | undefined {
    const v = this.raw[key]
    if (v === undefined || v === null || v === '') return undefined
    if (typeof v === 'boolean') return v
    if (v === 'true') return true
    if (v === 'false') return false
    throw this.invalid(`${this.where(key)} must be true or false`)
  }

  obj(key: string): Params | undefined {
    const v = this.raw[key]
    if (v === undefined || v === null || v === '') return undefined
    if (!isRecord(v)) throw this.invalid(`${this.where(key)} must be a structure`)
    return new Params(v, this.invalid, this.where(key))
  }

  /** A list; an empty Query value (`Subnets=`) is the empty list, as botocore sends it. */
  list(key: string): unknown[] | undefined {
    const v = this.raw[key]
    if (v === undefined || v === null) return undefined
    if (v === '') return []
    if (Array.isArray(v)) return v.filter((x) => x !== undefined)
    if (isRecord(v) && Object.keys(v).length === 0) return []
    throw this.invalid(`${this.where(key)} must be a list`)
  }

  strings(key: string): string[] | undefined {
    const l = this.list(key)
    if (!l) return undefined
    return l.map((x, i) => {
      if (typeof x === 'string') return x
      if (typeof x === 'number') return String(x)
      throw this.invalid(`${this.where(key)}[${i}] must be a string`)
    })
  }

  objs(key: string): Params[] {
    const l = this.list(key) ?? []
    return l.map((x, i) => {
      if (!isRecord(x)) throw this.invalid(`${this.where(key)}[${i}] must be a structure`)
      return new Params(x, this.invalid, `${this.where(key)}[${i}]`)
    })
  }
}
