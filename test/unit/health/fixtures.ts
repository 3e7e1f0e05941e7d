import type { Probe, ProbeOutcome, ProbeRequest } from '../../../src/health/probe.js'
import type { HealthCheck, Target, TargetGroup } from '../../../src/model/target-group.js'
import type { Clock } from '../../../src/lib/clock.js'

export const TG_ARN = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-tg/0123456789abcdef'

export function healthCheck(overrides: Partial<HealthCheck> = {}): HealthCheck {
  return {
    enabled: true,
    protocol: 'HTTP',
    port: 'traffic-port',
    path: '/health',
    intervalSeconds: 10,
    timeoutSeconds: 5,
    healthyThreshold: 3,
    unhealthyThreshold: 2,
    matcher: '200',
    ...overrides,
  }
}

export function targetGroup(targets: readonly Target[], overrides: Partial<TargetGroup> = {}): TargetGroup {
  return {
    kind: 'target-group',
    arn: TG_ARN,
    name: 'web-tg',
    protocol: 'HTTP',
    port: 80,
    targetType: 'ip',
    protocolVersion: 'HTTP1',
    vpcId: 'vpc-1',
    healthCheck: healthCheck(),
    attributes: {
      deregistrationDelaySeconds: 300,
      slowStartSeconds: 0,
      algorithm: 'round_robin',
      stickiness: { enabled: false, type: 'lb_cookie', durationSeconds: 86400 },
      crossZone: 'use_load_balancer_configuration',
      proxyProtocolV2: false,
    },
    targets,
    tags: {},
    ...overrides,
  }
}

/** A probe whose answers the test sets per address:port; 'hang' never answers until aborted. */
export class ScriptedProbe {
  readonly calls: { readonly key: string; readonly at: number; readonly request: ProbeRequest }[] = []
  readonly answers = new Map<string, ProbeOutcome | 'hang'>()
  readonly aborted: string[] = []

  constructor(private readonly clock: Clock) {}

  answer(key: string, outcome: ProbeOutcome | 'hang'): void {
    this.answers.set(key, outcome)
  }

  callsTo(key: string): number[] {
    return this.calls.filter((c) => c.key === key).map((c) => c.at)
  }

  readonly probe: Probe = (request) => {
    const key = `${request.address}:${request.port}`
    this.calls.push({ key, at: this.clock.now(), request })
    const a = this.answers.get(key) ?? { status: 200 }
    if (a !== 'hang') return Promise.resolve(a)
    return new Promise((resolve) => {
      request.signal.addEventListener('abort', () => {
        this.aborted.push(key)
        resolve({ error: 'aborted' })
      })
    })
  }
}
