import { randomUUID } from 'node:crypto'
import { hex } from '../model/ids.js'
import { launchConfigurationArn, type LaunchConfiguration, type LaunchData, type LaunchTemplate, type LaunchTemplateVersion, type TemplateRef } from '../model/autoscaling.js'
import type { Tags } from '../model/schema-util.js'
import { checkInstanceType } from './instances.js'
import type { Draft } from './draft.js'
import { DuplicateError, InUseError, InvalidValueError, NotFoundError } from './errors.js'

/**
 * EC2 launch templates (versioned, one default) and Auto Scaling's launch configurations
 * (immutable): what a group, or RunInstances with a template, launches an instance from.
 */

/** EC2's launch template name rule: 3 to 128 of letters, digits and ( ) . - / _. */
export const TEMPLATE_NAME = /^[a-zA-Z0-9().\-/_]{3,128}$/

/** EC2's limit of versions per launch template. */
export const MAX_TEMPLATE_VERSIONS = 10000

export function findTemplate(d: Draft, ref: { id?: string | undefined; name?: string | undefined }, region?: string): LaunchTemplate {
  const all = d.list('launch-template').filter((t) => region === undefined || t.region === region)
  if (ref.id !== undefined) {
    const t = all.find((x) => x.id === ref.id)
    if (!t) throw new NotFoundError('launch-template', ref.id)
    if (ref.name !== undefined && t.name !== ref.name) throw new InvalidValueError('Both a launch template ID and a launch template name were specified that do not match.')
    return t
  }
  if (ref.name !== undefined) {
    const t = all.find((x) => x.name === ref.name)
    if (!t) throw new NotFoundError('launch-template', ref.name)
    return t
  }
  throw new InvalidValueError('The request must contain the parameter launchTemplateName or launchTemplateId')
}

/** $Default, $Latest or a version number -> the version; a missing one is EC2's InvalidLaunchTemplateId.VersionNotFound. */
export function templateVersion(t: LaunchTemplate, version: string | undefined): LaunchTemplateVersion {
  const n = version === undefined || version === '$Default' ? t.defaultVersion : version === '$Latest' ? t.latestVersion : Number(version)
  const v = t.versions.find((x) => x.number === n)
  if (!v) throw new TemplateVersionNotFound(t.id, version ?? '')
  return v
}

export class TemplateVersionNotFound extends NotFoundError {
  constructor(
    readonly templateId: string,
    readonly version: string,
  ) {
    super('launch-template-version', `${templateId}:${version}`)
  }
}

function checkData(d: Draft, data: LaunchData): void {
  if (data.instanceType !== undefined) checkInstanceType(data.instanceType)
  for (const id of data.securityGroupIds) if (!d.get('security-group', id)) throw new NotFoundError('security-group', id)
}

export function createLaunchTemplate(d: Draft, input: { name: string; region: string; description?: string | undefined; data: LaunchData; tags: Tags }): LaunchTemplate {
  if (!TEMPLATE_NAME.test(input.name)) throw new InvalidValueError("A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'")
  if (d.list('launch-template').some((t) => t.name === input.name && t.region === input.region)) throw new DuplicateError('launch-template', input.name)
  checkData(d, input.data)
  const now = d.nowIso()
  return d.put({
    kind: 'launch-template',
    id: `lt-${hex(9).slice(0, 17)}`,
    name: input.name,
    region: input.region,
    createdAt: now,
    defaultVersion: 1,
    latestVersion: 1,
    versions: [{ number: 1, description: input.description, createdAt: now, data: input.data }],
    tags: input.tags,
  })
}

/** A new version: the source version's data with the given fields over it (EC2's SourceVersion), or the data as given. */
export function createLaunchTemplateVersion(
  d: Draft,
  t: LaunchTemplate,
  input: { description?: string | undefined; sourceVersion?: string | undefined; data: Partial<LaunchData> },
): { template: LaunchTemplate; version: LaunchTemplateVersion } {
  if (t.latestVersion >= MAX_TEMPLATE_VERSIONS) throw new InvalidValueError(`The launch template ${t.id} has reached the limit of ${MAX_TEMPLATE_VERSIONS} versions.`)
  const base: LaunchData = input.sourceVersion !== undefined ? templateVersion(t, input.sourceVersion).data : { securityGroupIds: [], instanceTags: {} }
  const data: LaunchData = {
    imageId: input.data.imageId ?? base.imageId,
    instanceType: input.data.instanceType ?? base.instanceType,
    securityGroupIds: input.data.securityGroupIds ?? base.securityGroupIds,
    userData: input.data.userData ?? base.userData,
    instanceTags: input.data.instanceTags ?? base.instanceTags,
  }
  checkData(d, data)
  const version: LaunchTemplateVersion = { number: t.latestVersion + 1, description: input.description, createdAt: d.nowIso(), data }
  const template = d.put({ ...t, latestVersion: version.number, versions: [...t.versions, version] })
  return { template, version }
}

export function setDefaultTemplateVersion(d: Draft, t: LaunchTemplate, version: string): LaunchTemplate {
  const v = templateVersion(t, version)
  return d.put({ ...t, defaultVersion: v.number })
}

/** EC2 deletes a template a group uses too; Auto Scaling then fails its launches. openalb refuses instead, naming the group. */
export function deleteLaunchTemplate(d: Draft, t: LaunchTemplate): LaunchTemplate {
  // A group being deleted launches nothing more.
  const user = d.list('auto-scaling-group').find((g) => g.launchTemplate?.id === t.id && g.status === undefined)
  if (user) throw new InUseError('launch-template', t.name, `Auto Scaling group '${user.name}'`)
  d.remove('launch-template', t.id)
  return t
}

/** What a group's template reference launches: the data and the reference with the version number it resolved to. */
export function resolveLaunch(d: Draft, ref: { id?: string | undefined; name?: string | undefined; version?: string | undefined }): { data: LaunchData; ref: TemplateRef } {
  const t = findTemplate(d, ref)
  const v = templateVersion(t, ref.version)
  return { data: v.data, ref: { id: t.id, name: t.name, version: String(v.number) } }
}

/** The tags EC2 puts on an instance launched from a template (RunInstances and Auto Scaling alike). */
export function launchTemplateTags(ref: TemplateRef): Record<string, string> {
  return { 'aws:ec2launchtemplate:id': ref.id ?? '', 'aws:ec2launchtemplate:version': ref.version ?? '' }
}

// Launch configurations (Auto Scaling): immutable, unique by name.

/** Auto Scaling's limit on launch configurations per region. */
export const MAX_LAUNCH_CONFIGURATIONS = 200

export function createLaunchConfiguration(d: Draft, input: Omit<LaunchConfiguration, 'kind' | 'arn' | 'createdAt'>): LaunchConfiguration {
  if (d.list('launch-configuration').some((c) => c.name === input.name)) throw new DuplicateError('launch-configuration', input.name)
  if (d.list('launch-configuration').length >= MAX_LAUNCH_CONFIGURATIONS) throw new InvalidValueError(`You have ${MAX_LAUNCH_CONFIGURATIONS} launch configurations, the limit.`)
  for (const id of input.securityGroups) if (!d.find('security-group', id)) throw new NotFoundError('security-group', id)
  const p = d.partition
  return d.put({ kind: 'launch-configuration', arn: launchConfigurationArn(p.region, p.accountId, randomUUID(), input.name), createdAt: d.nowIso(), ...input })
}

export function findLaunchConfiguration(d: Draft, name: string): LaunchConfiguration | undefined {
  return d.list('launch-configuration').find((c) => c.name === name)
}

export function deleteLaunchConfiguration(d: Draft, name: string): void {
  const c = findLaunchConfiguration(d, name)
  if (!c) throw new NotFoundError('launch-configuration', name)
  const user = d.list('auto-scaling-group').find((g) => g.launchConfigurationName === name || g.members.some((m) => m.launchConfigurationName === name))
  if (user) throw new InUseError('launch-configuration', name, `Auto Scaling group '${user.name}'`)
  d.remove('launch-configuration', c.arn)
}
