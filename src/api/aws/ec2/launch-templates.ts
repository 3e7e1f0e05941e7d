import {
  createLaunchTemplate,
  createLaunchTemplateVersion,
  deleteLaunchTemplate,
  findTemplate,
  setDefaultTemplateVersion,
  templateVersion,
} from '../../../control/launch-templates.js'
import type { LaunchData, LaunchTemplate, LaunchTemplateVersion } from '../../../model/autoscaling.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import type { Params } from '../protocol/params.js'
import { applyFilters, decodeBase64UserData, ec2Page, filters, invalidValue, tagSet, tagSpecifications, type Ec2Handler, type Ec2Result } from './common.js'

/** The LaunchTemplateData fields openalb launches with; every other one is refused by name. */
const DATA_FIELDS = new Set(['ImageId', 'InstanceType', 'SecurityGroupId', 'SecurityGroup', 'UserData', 'TagSpecification'])

/** LaunchTemplateData -> the fields given (a new version over a source version keeps the rest). */
function launchData(call: Call, p: Params | undefined): Partial<LaunchData> {
  if (!p) return {}
  for (const k of Object.keys(p.raw)) if (!DATA_FIELDS.has(k)) throw invalidValue(`LaunchTemplateData.${k} is not supported by openalb`)
  const out: { -readonly [K in keyof LaunchData]?: LaunchData[K] } = {}
  const image = p.str('ImageId')
  if (image !== undefined) out.imageId = image
  const type = p.str('InstanceType')
  if (type !== undefined) out.instanceType = type
  const ids = p.strings('SecurityGroupId')
  const names = p.strings('SecurityGroup')
  if (ids !== undefined || names !== undefined) out.securityGroupIds = [...(ids ?? []), ...(names ?? []).map((n) => `name:${n}`)]
  const userData = decodeBase64UserData(p.str('UserData'))
  if (userData !== undefined) {
    if (userData.startsWith('#!') && !call.deps.instances?.runsUserData) {
      // The template is only stored; its instances would be refused when launched.
      call.deps.log?.warn({ template: true }, 'launch template user data is a script: its instances run it only with openalb up --run-user-data')
    }
    out.userData = userData
  }
  if (p.has('TagSpecification')) {
    for (const spec of p.objs('TagSpecification')) {
      const type = spec.str('ResourceType')
      if (type !== 'instance') throw invalidValue(`LaunchTemplateData.TagSpecification ResourceType ${type ?? ''} is not supported by openalb (instance only)`)
    }
    out.instanceTags = tagSpecifications(p, 'instance')
  }
  return out
}

/** Security group names (name:X) -> ids, in the draft the template is written in. */
function resolveGroups(d: { list: (k: 'security-group') => readonly { id: string; name: string; vpcId: string }[] }, data: Partial<LaunchData>): Partial<LaunchData> {
  if (!data.securityGroupIds) return data
  const ids = data.securityGroupIds.map((ref) => {
    if (!ref.startsWith('name:')) return ref
    const name = ref.slice(5)
    const g = d.list('security-group').find((x) => x.name === name)
    if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist`)
    return g.id
  })
  return { ...data, securityGroupIds: ids }
}

const createdBy = (call: Call) => `arn:aws:iam::${call.deps.control.partition.accountId}:root`

function templateOut(call: Call, t: LaunchTemplate): Ec2Result {
  return {
    launchTemplateId: t.id,
    launchTemplateName: t.name,
    createTime: t.createdAt,
    createdBy: createdBy(call),
    defaultVersionNumber: t.defaultVersion,
    latestVersionNumber: t.latestVersion,
    tagSet: Object.keys(t.tags).length > 0 ? tagSet(t.tags) : undefined,
  }
}

function versionOut(call: Call, t: LaunchTemplate, v: LaunchTemplateVersion): Ec2Result {
  const data = v.data
  const tags = Object.entries(data.instanceTags)
  return {
    launchTemplateId: t.id,
    launchTemplateName: t.name,
    versionNumber: v.number,
    versionDescription: v.description,
    createTime: v.createdAt,
    createdBy: createdBy(call),
    defaultVersion: v.number === t.defaultVersion,
    launchTemplateData: {
      imageId: data.imageId,
      instanceType: data.instanceType,
      securityGroupIdSet: data.securityGroupIds.length > 0 ? [...data.securityGroupIds] : undefined,
      userData: data.userData === undefined ? undefined : Buffer.from(data.userData, 'utf8').toString('base64'),
      tagSpecificationSet: tags.length > 0 ? [{ resourceType: 'instance', tagSet: tags.map(([key, value]) => ({ key, value })) }] : undefined,
    },
  }
}

/** EC2's parameters with no effect in openalb are refused by name. */
function refuseParams(p: Params, allowed: readonly string[]): void {
  for (const [k, v] of Object.entries(p.raw)) {
    if (allowed.includes(k)) continue
    if ((k === 'DryRun' || k === 'ResolveAlias' || k === 'IncludeManagedResources') && v === 'false') continue
    throw invalidValue(`${k} is not supported by openalb`)
  }
}

const ref = (p: Params) => ({ id: p.str('LaunchTemplateId'), name: p.str('LaunchTemplateName') })

const CreateLaunchTemplate: Ec2Handler = async (call) => {
  const p = call.params
  refuseParams(p, ['LaunchTemplateName', 'VersionDescription', 'LaunchTemplateData', 'TagSpecification', 'ClientToken'])
  const name = p.str('LaunchTemplateName')
  if (name === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter LaunchTemplateName')
  if (!p.has('LaunchTemplateData')) throw new AwsError('MissingParameter', 'The request must contain the parameter LaunchTemplateData')
  const given = launchData(call, p.obj('LaunchTemplateData'))
  const t = (
    await call.deps.control.mutate((d) => {
      const data = resolveGroups(d, given)
      return createLaunchTemplate(d, {
        name,
        region: call.region,
        description: p.str('VersionDescription'),
        data: { securityGroupIds: [], instanceTags: {}, ...data },
        tags: tagSpecifications(p, 'launch-template'),
      })
    })
  ).value
  return { launchTemplate: templateOut(call, t) }
}

const CreateLaunchTemplateVersion: Ec2Handler = async (call) => {
  const p = call.params
  refuseParams(p, ['LaunchTemplateId', 'LaunchTemplateName', 'SourceVersion', 'VersionDescription', 'LaunchTemplateData', 'ClientToken'])
  if (!p.has('LaunchTemplateData')) throw new AwsError('MissingParameter', 'The request must contain the parameter LaunchTemplateData')
  const given = launchData(call, p.obj('LaunchTemplateData'))
  const r = (
    await call.deps.control.mutate((d) => {
      const t = findTemplate(d, ref(p), call.region)
      return createLaunchTemplateVersion(d, t, { description: p.str('VersionDescription'), sourceVersion: p.str('SourceVersion'), data: resolveGroups(d, given) })
    })
  ).value
  return { launchTemplateVersion: versionOut(call, r.template, r.version) }
}

const ModifyLaunchTemplate: Ec2Handler = async (call) => {
  const p = call.params
  refuseParams(p, ['LaunchTemplateId', 'LaunchTemplateName', 'SetDefaultVersion', 'ClientToken'])
  const version = p.str('SetDefaultVersion')
  const t = (
    await call.deps.control.mutate((d) => {
      const t = findTemplate(d, ref(p), call.region)
      return version === undefined ? t : setDefaultTemplateVersion(d, t, version)
    })
  ).value
  return { launchTemplate: templateOut(call, t) }
}

const DeleteLaunchTemplate: Ec2Handler = async (call) => {
  const p = call.params
  refuseParams(p, ['LaunchTemplateId', 'LaunchTemplateName'])
  const t = (await call.deps.control.mutate((d) => deleteLaunchTemplate(d, findTemplate(d, ref(p), call.region)))).value
  return { launchTemplate: templateOut(call, t) }
}

const DescribeLaunchTemplates: Ec2Handler = async (call) => {
  const p = call.params
  refuseParams(p, ['LaunchTemplateId', 'LaunchTemplateName', 'Filter', 'NextToken', 'MaxResults'])
  const d = await call.deps.control.view()
  const all = d.list('launch-template').filter((t) => t.region === call.region).sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  const ids = p.strings('LaunchTemplateId') ?? []
  const names = p.strings('LaunchTemplateName') ?? []
  for (const id of ids) if (!all.some((t) => t.id === id)) throw new AwsError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`)
  for (const n of names) if (!all.some((t) => t.name === n)) throw new AwsError('InvalidLaunchTemplateName.NotFoundException', `At least one of the launch templates specified in the request does not exist.`)
  const chosen = all.filter((t) => (ids.length === 0 || ids.includes(t.id)) && (names.length === 0 || names.includes(t.name)))
  const matched = applyFilters(chosen, filters(p), (t) => ({ 'launch-template-name': t.name, 'create-time': t.createdAt }))
  const pg = ec2Page(matched, p, 1, 200)
  return { launchTemplates: pg.items.map((t) => templateOut(call, t)), nextToken: pg.nextToken }
}

const DescribeLaunchTemplateVersions: Ec2Handler = async (call) => {
  const p = call.params
  refuseParams(p, ['LaunchTemplateId', 'LaunchTemplateName', 'LaunchTemplateVersion', 'MinVersion', 'MaxVersion', 'Filter', 'NextToken', 'MaxResults'])
  const d = await call.deps.control.view()
  const t = findTemplate(d, ref(p), call.region)
  const asked = p.strings('LaunchTemplateVersion')
  let versions: LaunchTemplateVersion[]
  if (asked && asked.length > 0) versions = asked.map((v) => templateVersion(t, v))
  else {
    const min = p.int('MinVersion') ?? 1
    const max = p.int('MaxVersion') ?? t.latestVersion
    versions = t.versions.filter((v) => v.number >= min && v.number <= max)
  }
  const matched = applyFilters(
    versions.map((v) => ({ v, tags: {} })),
    filters(p),
    ({ v }) => ({ 'is-default-version': String(v.number === t.defaultVersion), 'image-id': v.data.imageId, 'instance-type': v.data.instanceType, 'create-time': v.createdAt }),
  )
  const pg = ec2Page(matched, p, 1, 200)
  return { launchTemplateVersionSet: pg.items.map(({ v }) => versionOut(call, t, v)), nextToken: pg.nextToken }
}

export const LAUNCH_TEMPLATE_OPERATIONS: Readonly<Record<string, Ec2Handler>> = {
  CreateLaunchTemplate,
  CreateLaunchTemplateVersion,
  ModifyLaunchTemplate,
  DeleteLaunchTemplate,
  DescribeLaunchTemplates,
  DescribeLaunchTemplateVersions,
}
