import { z } from 'zod'
import { actionsSpec, type Action } from './action.js'
import { compileLinearRegex } from '../lib/linear-regex.js'
import { isCidr } from './cidr-text.js'
import { tags, type Tags } from './schema-util.js'

export const ConditionField = {
  HOST_HEADER: 'host-header',
  PATH_PATTERN: 'path-pattern',
  HTTP_HEADER: 'http-header',
  HTTP_REQUEST_METHOD: 'http-request-method',
  QUERY_STRING: 'query-string',
  SOURCE_IP: 'source-ip',
} as const
export type ConditionField = (typeof ConditionField)[keyof typeof ConditionField]

/** ALB: 5 condition values and 5 wildcards per rule. */
export const MAX_CONDITION_VALUES_PER_RULE = 5
export const MAX_WILDCARDS_PER_RULE = 5

const value128 = z.string().min(1, 'cannot be empty').max(128, 'must be at most 128 characters')
const hostValue = value128
  .regex(/^[A-Za-z0-9\-.*?]+$/, 'may contain only A-Z, a-z, 0-9, - . * ?')
  // ALB: at least one dot, and only letters (or wildcards) after the last one.
  .regex(/\.[A-Za-z*?]+$/, 'must contain at least one . and only letters after the last one')
const pathValue = value128.regex(/^[A-Za-z0-9_\-.$/~"'@:+&*?]+$/, 'may contain only A-Z a-z 0-9 _ - . $ / ~ " \' @ : + & * ?')
const methodValue = z.string().min(1).max(40).regex(/^[A-Z_-]+$/, 'may contain only A-Z, - and _ (case-sensitive)')
const headerName = z
  .string()
  .min(1)
  .max(40, 'must be at most 40 characters')
  .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'must be a valid header name token (no wildcards)')
  .refine((n) => n.toLowerCase() !== 'host', 'cannot be Host: use a host-header condition')
const visible = /^[\x20-\x7e]+$/
/**
 * ALB's RegexValues: at most 128 characters each. openalb runs them with RE2 (linear time in the
 * input whatever the pattern), so RE2 syntax: no backreferences or lookaround.
 */
const regexValue = value128.superRefine((v, ctx) => {
  const r = compileLinearRegex(v)
  if (!r.ok) ctx.addIssue({ code: 'custom', message: `is not a regular expression openalb can match in linear time (RE2 syntax): ${r.error}` })
})
const regexValues = z.array(regexValue).max(3, 'a condition has at most 3 regex values (match evaluations)').optional()

export const conditionSpec = z.discriminatedUnion('field', [
  z.strictObject({
    field: z.literal('host-header'),
    values: z.array(hostValue).max(3, 'a condition has at most 3 values (match evaluations)').default([]),
    /** Regular expressions (RE2) matched anywhere in the lower-cased host, ORed with `values`. */
    regexValues,
  }),
  z.strictObject({
    field: z.literal('path-pattern'),
    values: z.array(pathValue).max(3, 'a condition has at most 3 values (match evaluations)').default([]),
    /** Regular expressions (RE2) matched anywhere in the path (not the query), ORed with `values`. */
    regexValues,
  }),
  z.strictObject({
    field: z.literal('http-header'),
    /** Header name, case-insensitive, no wildcards. */
    name: headerName,
    values: z.array(value128.regex(visible, 'must be visible ASCII')).max(3, 'a condition has at most 3 values (match evaluations)').default([]),
    /** Regular expressions (RE2) matched anywhere in each value of the header, ORed with `values`. */
    regexValues,
  }),
  z.strictObject({ field: z.literal('http-request-method'), values: z.array(methodValue).min(1).max(3, 'a condition has at most 3 values (match evaluations)') }),
  z.strictObject({
    field: z.literal('query-string'),
    /** Key/value pairs; the key is optional. Escape a literal * or ? with \. */
    values: z
      .array(z.strictObject({ key: value128.regex(visible).optional(), value: value128.regex(visible, 'must be visible ASCII') }))
      .min(1)
      .max(3, 'a condition has at most 3 values (match evaluations)'),
  }),
  z.strictObject({
    field: z.literal('source-ip'),
    values: z
      .array(
        z
          .string()
          .refine(isCidr, 'must be an IPv4 or IPv6 CIDR')
          .refine((c) => c !== '255.255.255.255/32', '255.255.255.255/32 is not allowed'),
      )
      .min(1)
      .max(3, 'a condition has at most 3 values (match evaluations)'),
  }),
])
export type ConditionSpec = z.input<typeof conditionSpec>
export type Condition = z.output<typeof conditionSpec>

const SINGLE_PER_RULE = new Set(['host-header', 'http-request-method', 'path-pattern', 'source-ip'])

export const conditionsSpec = z.array(conditionSpec).superRefine((conditions, ctx) => {
  const seen = new Set<string>()
  let values = 0
  let wildcards = 0
  conditions.forEach((c, i) => {
    if (SINGLE_PER_RULE.has(c.field)) {
      if (seen.has(c.field)) ctx.addIssue({ code: 'custom', path: [i, 'field'], message: `a rule may have only one ${c.field} condition` })
      seen.add(c.field)
    }
    const regexes = 'regexValues' in c ? (c.regexValues?.length ?? 0) : 0
    if (c.values.length + regexes === 0) ctx.addIssue({ code: 'custom', path: [i, 'values'], message: 'needs at least one value (or regexValues)' })
    values += regexes
    for (const v of c.values) {
      values++
      const text = typeof v === 'string' ? v : `${v.key ?? ''}${v.value}`
      if (c.field !== 'source-ip' && c.field !== 'http-request-method') {
        wildcards += (text.replace(/\\[*?]/g, '').match(/[*?]/g) ?? []).length
      }
    }
  })
  if (values > MAX_CONDITION_VALUES_PER_RULE) {
    ctx.addIssue({ code: 'custom', path: [], message: `a rule may have at most ${MAX_CONDITION_VALUES_PER_RULE} condition values (has ${values})` })
  }
  if (wildcards > MAX_WILDCARDS_PER_RULE) {
    ctx.addIssue({ code: 'custom', path: [], message: `a rule may have at most ${MAX_WILDCARDS_PER_RULE} wildcards (has ${wildcards})` })
  }
})

/**
 * ALB's rule transforms: one host-header-rewrite and one url-rewrite per rule, each one regular
 * expression (RE2, at most 1,024 characters) and its replacement (at most 1,024; $1..$9 name the
 * capture groups). Applied, after routing, to what a forward sends the target.
 */
export const TransformType = { HOST_HEADER_REWRITE: 'host-header-rewrite', URL_REWRITE: 'url-rewrite' } as const
export type TransformType = (typeof TransformType)[keyof typeof TransformType]

const rewriteSpec = z.strictObject({
  /** Matched against the Host value (host-header-rewrite) or the path and query, as `/path?query` (url-rewrite). */
  regex: z
    .string()
    .min(1, 'cannot be empty')
    .max(1024, 'must be at most 1024 characters')
    .superRefine((v, ctx) => {
      const r = compileLinearRegex(v)
      if (!r.ok) ctx.addIssue({ code: 'custom', message: `is not a regular expression openalb can match in linear time (RE2 syntax): ${r.error}` })
    }),
  /** Replaces the first match; $1, $2, ... are the regex's capture groups. */
  replace: z.string().max(1024, 'must be at most 1024 characters'),
})

export const transformSpec = z.strictObject({
  type: z.enum([TransformType.HOST_HEADER_REWRITE, TransformType.URL_REWRITE]),
  /** Exactly one rewrite. */
  rewrites: z.array(rewriteSpec).min(1, 'a transform needs one rewrite').max(1, 'a transform has one rewrite'),
})
export type Transform = z.output<typeof transformSpec>

export const transformsSpec = z
  .array(transformSpec)
  .max(2, 'a rule has at most one host-header-rewrite and one url-rewrite transform')
  .superRefine((list, ctx) => {
    const seen = new Set<string>()
    list.forEach((t, i) => {
      if (seen.has(t.type)) ctx.addIssue({ code: 'custom', path: [i, 'type'], message: `a rule may have only one ${t.type} transform` })
      seen.add(t.type)
    })
  })

export const ruleSpec = z.strictObject({
  /** 1-50000, unique per listener; lower is evaluated first. */
  priority: z.number().int().min(1, 'must be between 1 and 50000').max(50000, 'must be between 1 and 50000'),
  /** ANDed together; the values inside one condition are ORed. At least one. */
  conditions: conditionsSpec.refine((c) => c.length > 0, 'a rule needs at least one condition'),
  actions: actionsSpec,
  /** Rewrites of the host and URL the target gets (not allowed on a listener's default actions). */
  transforms: transformsSpec.default([]),
  tags,
})
export type RuleSpec = z.input<typeof ruleSpec>

export interface Rule {
  readonly kind: 'rule'
  readonly arn: string
  readonly listenerArn: string
  readonly priority: number
  readonly conditions: readonly Condition[]
  readonly actions: readonly Action[]
  /** Absent on rules stored before transforms existed: none. */
  readonly transforms?: readonly Transform[]
  readonly tags: Tags
}
