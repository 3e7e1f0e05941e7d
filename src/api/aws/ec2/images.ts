import { IMAGE_CATALOGUE, type ImageEntry } from '../../../model/images.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import { applyFilters, ec2Page, filters, type Ec2Handler, type Ec2Result } from './common.js'

/** The images a caller sees: the catalogue, and every label instances and launch templates of its region use, owned by its account. */
type Listed = ImageEntry & { readonly tags: Record<string, string>; readonly isPublic: boolean }

async function imagesOf(call: Call): Promise<Listed[]> {
  const d = await call.deps.control.view()
  const account = call.deps.control.partition.accountId
  const labels = new Set<string>()
  for (const i of d.list('instance')) if (i.region === call.region) labels.add(i.imageId)
  for (const t of d.list('launch-template')) for (const v of t.versions) if (v.data.imageId !== undefined) labels.add(v.data.imageId)
  const known = new Set(IMAGE_CATALOGUE.map((i) => i.imageId))
  const own = [...labels].filter((l) => !known.has(l)).sort().map((imageId) => ({ imageId, name: imageId, description: 'an image label used by this account\'s instances or launch templates', ownerId: account, creationDate: '2024-01-01T00:00:00.000Z', platformDetails: 'Linux/UNIX' }))
  return [...IMAGE_CATALOGUE.map((i) => ({ ...i, tags: {}, isPublic: true })), ...own.map((i) => ({ ...i, tags: {}, isPublic: false }))]
}

function imageOut(i: Listed): Ec2Result {
  return {
    imageId: i.imageId,
    imageLocation: `${i.ownerAlias ?? i.ownerId}/${i.name}`,
    imageState: 'available',
    imageOwnerId: i.ownerId,
    creationDate: i.creationDate,
    isPublic: i.isPublic,
    architecture: 'x86_64',
    imageType: 'machine',
    name: i.name,
    description: i.description,
    imageOwnerAlias: i.ownerAlias,
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: [],
    virtualizationType: 'hvm',
    hypervisor: 'xen',
    enaSupport: true,
    platformDetails: i.platformDetails,
    usageOperation: 'RunInstances',
    productCodes: [],
    tagSet: [],
  }
}

/**
 * DescribeImages: ImageId.N (an unknown one is InvalidAMIID.NotFound), Owner.N (self, amazon or
 * an account id) and EC2's filters. Every image is executable by everyone (ExecutableBy).
 */
const DescribeImages: Ec2Handler = async (call) => {
  const p = call.params
  const account = call.deps.control.partition.accountId
  const all = await imagesOf(call)
  const ids = p.strings('ImageId') ?? []
  for (const id of ids) {
    if (!/^ami-[0-9a-zA-Z]+$/.test(id) && !all.some((i) => i.imageId === id)) throw new AwsError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`)
  }
  const missing = ids.filter((id) => !all.some((i) => i.imageId === id))
  if (missing.length > 0) throw new AwsError('InvalidAMIID.NotFound', `The image id '[${missing.join(', ')}]' does not exist`)
  const owners = p.strings('Owner') ?? []
  const chosen = all
    .filter((i) => ids.length === 0 || ids.includes(i.imageId))
    .filter((i) => owners.length === 0 || owners.some((o) => (o === 'self' ? i.ownerId === account : o === i.ownerId || (i.ownerAlias !== undefined && o === i.ownerAlias))))
  const matched = applyFilters(chosen, filters(p), (i) => ({
    'image-id': i.imageId,
    name: i.name,
    description: i.description,
    'owner-id': i.ownerId,
    'owner-alias': i.ownerAlias,
    architecture: 'x86_64',
    state: 'available',
    'image-type': 'machine',
    'is-public': i.isPublic,
    'root-device-type': 'ebs',
    'root-device-name': '/dev/xvda',
    'virtualization-type': 'hvm',
    hypervisor: 'xen',
    'platform-details': i.platformDetails,
    'ena-support': true,
    'creation-date': i.creationDate,
  }))
  const pg = ec2Page(matched, p)
  return { imagesSet: pg.items.map(imageOut), nextToken: pg.nextToken }
}

export const IMAGE_OPERATIONS: Readonly<Record<string, Ec2Handler>> = { DescribeImages }
