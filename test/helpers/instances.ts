import type { Instance } from '../../src/model/instance.js'

/** A host instance (an address openalb runs nothing for) as the store holds it, for tests that build state by hand. */
export function hostInstance(fields: Pick<Instance, 'id' | 'name' | 'address'> & Partial<Instance>): Instance {
  return {
    kind: 'instance',
    availabilityZone: 'us-east-1a',
    securityGroups: [],
    tags: {},
    launched: false,
    state: 'running',
    stateChangedAt: '2026-01-01T00:00:00.000Z',
    region: 'us-east-1',
    subnetId: 'subnet-0a1b2c3d4e5f60a01',
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    instanceType: 't3.micro',
    imageId: 'ami-openalb',
    privateDnsName: 'ip-host.ec2.internal',
    reservationId: 'r-00000000000000000',
    launchIndex: 0,
    launchTime: '2026-01-01T00:00:00.000Z',
    ...fields,
  }
}
