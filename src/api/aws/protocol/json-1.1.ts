import { isRecord } from '../../../model/result.js'
import { AwsError } from '../errors.js'

export const JSON_11 = 'application/x-amz-json-1.1'

/** X-Amz-Target: `CertificateManager.DescribeCertificate` -> the operation name. */
export function jsonOperation(target: string, prefix: string): string | undefined {
  return target.startsWith(`${prefix}.`) ? target.slice(prefix.length + 1) : undefined
}

export function parseJsonBody(body: Buffer, invalidCode: string): Record<string, unknown> {
  const text = body.toString('utf8').trim()
  if (text === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new AwsError('SerializationException', 'the request body is not valid JSON')
  }
  if (!isRecord(parsed)) throw new AwsError(invalidCode, 'the request body must be a JSON object')
  return parsed
}

/** JSON 1.1 errors: {"__type": code, "message": ...} with the error's status. */
export function jsonError(error: AwsError): string {
  return JSON.stringify({ __type: error.code, message: error.message })
}
