import { AwsError, VALIDATION_CODE } from '../errors.js'
import { ACM, AUTOSCALING, CLOUDWATCH, ELB, ELBV2, ROUTE53 } from './constraints.js'
import type { ServiceConstraints } from './constraint-types.js'
import { inputViolations, validationMessage, type InputCheckOptions } from './validate-input.js'

const TABLES: Record<'elbv2' | 'elb' | 'acm' | 'route53' | 'autoscaling' | 'cloudwatch', { table: ServiceConstraints; options: InputCheckOptions }> = {
  elbv2: { table: ELBV2, options: {} },
  elb: { table: ELB, options: {} },
  acm: { table: ACM, options: { base64Blobs: true } },
  route53: { table: ROUTE53, options: { xmlLists: true } },
  autoscaling: { table: AUTOSCALING, options: {} },
  cloudwatch: { table: CLOUDWATCH, options: {} },
}

/** Refuses an input that breaks its model's constraints with the service's validation error, before the handler runs. */
export function checkModelInput(service: keyof typeof TABLES, operation: string, input: unknown): void {
  const { table, options } = TABLES[service]
  const violations = inputViolations(table, operation, input, options)
  if (violations.length > 0) throw new AwsError(VALIDATION_CODE[service], validationMessage(violations))
}
