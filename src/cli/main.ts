import { Command, CommanderError, Option } from 'commander'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { availableParallelism, hostname, tmpdir } from 'node:os'
import { stringify } from 'yaml'
import { applyConfig, checkApply, formatPlan, planConfig, PruneAllRefused } from '../config/apply.js'
import { ConfigInvalid, loadConfig } from '../config/load.js'
import type { Control } from '../control/control.js'
import { ControlError } from '../control/errors.js'
import { deleteAcmeAccount, deleteCertificate } from '../control/certificates.js'
import { deleteTrustStore } from '../control/trust-stores.js'
import { deleteCidrCollection } from '../control/cidr-collections.js'
import { deleteTrafficPolicyInstance, deleteTrafficPolicyVersion } from '../control/traffic-policies.js'
import type { TrafficPolicy } from '../model/traffic-policy.js'
import { deleteHealthCheck } from '../control/health-checks.js'
import { deleteDelegationSet, deleteHostedZone, deleteRecordSet, findZone } from '../control/hosted-zones.js'
import { deleteClassicLoadBalancer } from '../control/classic-load-balancers.js'
import { deleteListener, deleteLoadBalancer, deleteRule, findListener, findRule } from '../control/load-balancers.js'
import { deleteSubnet, deleteVpc } from '../control/networks.js'
import { deleteInternetGateway, deleteRouteTable } from '../control/routing.js'
import { deleteSecurityGroup } from '../control/security-groups.js'
import { deleteInstance } from '../control/instances.js'
import { deleteActivity, deleteGroup } from '../control/auto-scaling-groups.js'
import { deletePolicy } from '../control/scaling-policies.js'
import { deleteScheduledAction } from '../control/scheduled-actions.js'
import { deleteAlarmHistoryItem, deleteAlarms } from '../control/metric-alarms.js'
import { deleteLaunchConfiguration, deleteLaunchTemplate } from '../control/launch-templates.js'
import type { LaunchTemplate } from '../model/autoscaling.js'
import { deleteFunctionFromConfig } from '../control/functions.js'
import { consoleLogPath, functionLogPath, readConsoleTail, readLogTail } from '../compute/console-log.js'
import { deleteTargetGroup, deregisterTargets } from '../control/target-groups.js'
import type { Draft } from '../control/draft.js'
import { defaultInternetGateway, defaultRouteTable, defaultSubnets, defaultVpc } from '../model/default-vpc.js'
import { DEFAULT_PARTITION } from '../model/ids.js'
import type { Kind, Resource } from '../model/resources.js'
import type { NodeRecord } from '../model/node.js'
import { ACME_DIRECTORIES } from '../model/acme.js'
import type { StateView } from '../model/state-view.js'
import { AdminUnreachable, adminGet, openalbLogPath, runningServer, type ServerInfo } from '../api/admin/client.js'
import { columnsFor, KIND_NAMES, matches, parseKind, printable, type ListenerSocketState } from './kinds.js'
import { render, renderTable, type OutputFormat } from './output.js'
import { VERSION } from '../version.js'

/** The data directory: --data, else $OPENALB_DATA, else ./.openalb. */
export function dataDirFrom(flag: string | undefined): string {
  return resolve(flag ?? process.env.OPENALB_DATA ?? '.openalb')
}

/** The store URL: --store, else $OPENALB_STORE, else the embedded SQLite store in the data directory. */
export function storeUrlFrom(flag: string | undefined): string | undefined {
  return flag ?? (process.env.OPENALB_STORE || undefined)
}

/** A failure the user caused or must fix: printed without a stack, exit code 1. */
class CliFailure extends Error {}

const dataOption = () => new Option('-d, --data <dir>', 'data directory (default $OPENALB_DATA or ./.openalb)')
const storeOption = () => new Option('--store <url>', 'the store: etcd://HOST:PORT[,HOST:PORT...] (default $OPENALB_STORE, else SQLite in the data directory)')

/** Where the CLI finds the store: --data and --store. */
interface StoreFlags {
  readonly data?: string
  readonly store?: string
}
const outputOption = (def: OutputFormat) => new Option('-o, --output <format>', 'table (fits the terminal), wide (never cut), json or yaml').choices(['table', 'wide', 'json', 'yaml']).default(def)

/**
 * Runs fn on the store the flags name. A command that only reads (get, describe, logs, delete)
 * passes mustExist: a mistyped --data is an error, not a new empty store.
 */
async function withControl<T>(flags: StoreFlags, fn: (control: Control) => Promise<T>, options: { mustExist?: boolean } = {}): Promise<T> {
  // The composition root opens the store and wires certs' PEM check into control.
  const { openControl, missingStore } = await import('../open-control.js')
  if (options.mustExist) {
    const missing = missingStore(dataDirFrom(flags.data), storeUrlFrom(flags.store))
    if (missing) throw new CliFailure(missing)
  }
  const opened = await openControl(dataDirFrom(flags.data), storeUrlFrom(flags.store))
  try {
    return await fn(opened.control)
  } finally {
    await opened.close()
  }
}

/** withControl for the commands that read what is there: a missing store is an error. */
const readControl = <T>(flags: StoreFlags, fn: (control: Control) => Promise<T>): Promise<T> => withControl(flags, fn, { mustExist: true })

function listOf(view: StateView, kind: Kind): Resource[] {
  // The default VPC and its subnets are fixed, not stored: listed with the stored ones.
  if (kind === 'vpc') return [defaultVpc(DEFAULT_PARTITION.region), ...view.list(kind)]
  if (kind === 'subnet') return [...defaultSubnets(DEFAULT_PARTITION.region), ...view.list(kind)]
  if (kind === 'internet-gateway') return [defaultInternetGateway(DEFAULT_PARTITION.region), ...view.list(kind)]
  if (kind === 'route-table') return [defaultRouteTable(DEFAULT_PARTITION.region), ...view.list(kind)]
  return [...view.list(kind)]
}

interface TargetHealthRow {
  readonly target: { readonly id: string; readonly port: number; readonly availabilityZone?: string }
  readonly healthCheckPort: string
  readonly state: string
  readonly reason?: string
  readonly description?: string
}

function age(since: string, now = Date.now()): string {
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`
}

/** The live nodes: from the shared store's leases, else the node running on this data directory. */
async function liveNodes(control: Control, flags: StoreFlags): Promise<NodeRecord[]> {
  const fleet = control.store.fleet
  if (fleet) {
    try {
      return await fleet.nodes()
    } catch (e) {
      throw new CliFailure(e instanceof Error ? e.message : String(e))
    }
  }
  const server = runningServer(dataDirFrom(flags.data))
  if (!server) return []
  const address = new URL(server.controlUrl).hostname
  return [{ name: hostname(), zone: '-', address, controlUrl: server.controlUrl, version: VERSION, startedAt: server.startedAt, workers: server.workers ?? 1 }]
}

/** A live node's control endpoint in the shape the admin client asks. */
function serverOf(n: NodeRecord): ServerInfo {
  return { pid: 0, controlUrl: n.controlUrl, dnsAddress: '', startedAt: n.startedAt }
}

async function getNodes(flags: StoreFlags, format: OutputFormat): Promise<string> {
  return readControl(flags, async (control) => {
    const nodes = await liveNodes(control, flags)
    if (nodes.length === 0 && (format === 'table' || format === 'wide')) return 'No live nodes.'
    return render(format, nodes, [
      { header: 'NAME', value: (n) => n.name },
      { header: 'ZONE', value: (n) => n.zone },
      { header: 'ADDRESS', value: (n) => n.address },
      { header: 'CONTROL', value: (n) => n.controlUrl },
      { header: 'VERSION', value: (n) => n.version },
      { header: 'WORKERS', value: (n) => String(n.workers) },
      { header: 'AGE', value: (n) => age(n.startedAt) },
    ])
  })
}

/** One JSON line of openalb's log as a person reads it: time, level, message, then the other fields. */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line
  }
  const { time, level, msg, pid: _pid, hostname: _host, ...rest } = entry
  const levels: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }
  const when = typeof time === 'number' ? new Date(time).toISOString() : ''
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
  return [when, (levels[Number(level)] ?? String(level)).padEnd(5), String(msg ?? ''), ...fields].join(' ')
}

/** openalb logs openalb: DATA/openalb.log, formatted; with follow, new lines as they are written. */
async function printOwnLog(dataDir: string, max: number, follow: boolean): Promise<void> {
  const path = openalbLogPath(dataDir)
  const text = readLogTail(path, max)
  if (text === undefined) throw new CliFailure(`no openalb log at ${path}: openalb up has not run on ${dataDir} (check --data or $OPENALB_DATA)`)
  let partial = ''
  const print = (chunk: string) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const l of lines) if (l !== '') process.stdout.write(`${formatLogLine(l)}\n`)
  }
  print(text.toString('utf8'))
  if (!follow) {
    if (partial !== '') process.stdout.write(`${formatLogLine(partial)}\n`)
    return
  }
  let offset = statSync(path).size
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      let size: number
      try {
        size = statSync(path).size
      } catch {
        return
      }
      if (size < offset) offset = 0 // rotated or truncated: read the new file from its start
      if (size === offset) return
      const buf = Buffer.alloc(size - offset)
      const fd = openSync(path, 'r')
      try {
        readSync(fd, buf, 0, buf.length, offset)
      } finally {
        closeSync(fd)
      }
      offset = size
      print(buf.toString('utf8'))
    }, 250)
    process.once('SIGINT', () => {
      clearInterval(timer)
      resolve()
    })
  })
}

/** The local node's listener sockets by listener ARN, when one runs on this data directory. */
async function listenerStates(flags: StoreFlags): Promise<ReadonlyMap<string, ListenerSocketState[]> | undefined> {
  const server = runningServer(dataDirFrom(flags.data))
  if (!server) return undefined
  try {
    const got = await adminGet<{ listeners: ListenerSocketState[] }>(server, '/admin/v1/listener-states')
    const byArn = new Map<string, ListenerSocketState[]>()
    for (const l of got.listeners) byArn.set(l.arn, [...(byArn.get(l.arn) ?? []), l])
    return byArn
  } catch {
    return undefined
  }
}

/** describe / -o json|yaml: a listener's live socket state next to its configuration. */
function withBindState(data: unknown, r: Resource, live: ReadonlyMap<string, ListenerSocketState[]> | undefined): unknown {
  if (r.kind !== 'listener' || !live || !data || typeof data !== 'object') return data
  return { ...data, sockets: (live.get(r.arn) ?? []).map((x) => ({ bindKey: x.bindKey, state: x.state, ...(x.error ? { error: x.error, since: new Date(x.since ?? 0).toISOString() } : {}) })) }
}

async function getTargets(flags: StoreFlags, group: string | undefined, format: OutputFormat, perNode = false): Promise<string> {
  if (!group) throw new CliFailure('get targets needs a target group: openalb get targets TARGET_GROUP')
  return readControl(flags, async (control) => {
    const d = await control.view()
    const tg = d.find('target-group', group)
    if (!tg) throw new CliFailure(`target group '${group}' not found`)
    const path = `/admin/v1/target-health?targetGroup=${encodeURIComponent(tg.arn)}`
    const local = runningServer(dataDirFrom(flags.data))
    if (perNode) {
      // Each node checks the targets itself: one block of rows per live node, as that node sees them.
      const nodes = await liveNodes(control, flags)
      if (nodes.length === 0) throw new CliFailure('no live node to ask: openalb is not running')
      const rows: (TargetHealthRow & { node: string; zone: string })[] = []
      for (const n of nodes) {
        try {
          const got = await adminGet<{ targets: TargetHealthRow[] }>(serverOf(n), path)
          for (const t of got.targets) rows.push({ ...t, node: n.name, zone: n.zone })
        } catch (e) {
          rows.push({ node: n.name, zone: n.zone, target: { id: '-', port: 0 }, healthCheckPort: '', state: 'unavailable', reason: 'Elb.NodeUnreachable', description: e instanceof Error ? e.message : String(e) })
        }
      }
      return render(format, rows, [
        { header: 'NODE', value: (r) => r.node },
        { header: 'ZONE', value: (r) => r.zone },
        { header: 'TARGET', value: (r) => (r.target.port ? `${r.target.id}:${r.target.port}` : r.target.id) },
        { header: 'STATE', value: (r) => r.state },
        { header: 'REASON', value: (r) => r.reason ?? '' },
      ])
    }
    // The node asked: the one on this data directory, else (a fleet) the first live node.
    const server = local ?? (await liveNodes(control, flags)).map(serverOf)[0]
    let rows: TargetHealthRow[]
    if (server) {
      try {
        rows = (await adminGet<{ targets: TargetHealthRow[] }>(server, path)).targets
      } catch (e) {
        if (!(e instanceof AdminUnreachable)) throw e
        const dataDir = dataDirFrom(flags.data)
        throw new CliFailure(local
          ? `openalb is not running on ${dataDir}: ${e.message}; start it with openalb up --data ${dataDir} (or wait if it is starting)`
          : `no live node answers: ${e.message}; check the fleet with openalb get nodes`)
      }
    } else {
      rows = tg.targets.map((t) => ({
        target: t,
        healthCheckPort: tg.healthCheck.port === 'traffic-port' ? String(t.port) : tg.healthCheck.port,
        state: 'unavailable',
        reason: 'Elb.NotRunning',
        description: 'openalb is not running on this data directory, so no health checks run',
      }))
    }
    return render(format, rows, [
      { header: 'TARGET', value: (r) => `${r.target.id}:${r.target.port}` },
      { header: 'STATE', value: (r) => r.state },
      { header: 'REASON', value: (r) => r.reason ?? '' },
      { header: 'DESCRIPTION', value: (r) => r.description ?? '', max: 38 },
    ])
  })
}

async function getSslPolicies(format: OutputFormat): Promise<string> {
  const { SSL_POLICIES } = await import('../model/ssl-policy.js')
  return render(format, SSL_POLICIES, [
    { header: 'NAME', value: (p) => p.name },
    { header: 'PROTOCOLS', value: (p) => p.sslProtocols.join(',') },
    { header: 'CIPHERS', value: (p) => String(p.ciphers.length) },
  ])
}

const DELETERS: Record<Kind, (d: Draft, r: Resource) => void> = {
  vpc: (d, r) => deleteVpc(d, (r as { id: string }).id),
  subnet: (d, r) => deleteSubnet(d, (r as { id: string }).id),
  'internet-gateway': (d, r) => deleteInternetGateway(d, (r as { id: string }).id),
  'route-table': (d, r) => deleteRouteTable(d, (r as { id: string }).id),
  'security-group': (d, r) => deleteSecurityGroup(d, (r as { id: string }).id),
  instance: (d, r) => deleteInstance(d, (r as { id: string }).id),
  function: (d, r) => deleteFunctionFromConfig(d, (r as { arn: string }).arn),
  certificate: (d, r) => deleteCertificate(d, (r as { arn: string }).arn),
  'trust-store': (d, r) => deleteTrustStore(d, (r as { arn: string }).arn),
  'target-group': (d, r) => deleteTargetGroup(d, (r as { arn: string }).arn),
  'load-balancer': (d, r) => deleteLoadBalancer(d, (r as { arn: string }).arn),
  'classic-load-balancer': (d, r) => deleteClassicLoadBalancer(d, (r as { name: string }).name),
  listener: (d, r) => deleteListener(d, findListener(d, (r as { arn: string }).arn).arn),
  rule: (d, r) => deleteRule(d, findRule(d, (r as { arn: string }).arn).arn),
  'hosted-zone': (d, r) => deleteHostedZone(d, findZone(d, (r as { id: string }).id).id),
  'record-set': (d, r) => deleteRecordSet(d, (r as { id: string }).id),
  'acme-account': (d, r) => deleteAcmeAccount(d, (r as { id: string }).id),
  'delegation-set': (d, r) => deleteDelegationSet(d, (r as { id: string }).id),
  'health-check': (d, r) => deleteHealthCheck(d, (r as { id: string }).id),
  'cidr-collection': (d, r) => deleteCidrCollection(d, (r as { id: string }).id),
  'traffic-policy': (d, r) => {
    const p = r as TrafficPolicy
    for (const v of p.versions) deleteTrafficPolicyVersion(d, p.id, v.version)
  },
  'traffic-policy-instance': (d, r) => deleteTrafficPolicyInstance(d, (r as { id: string }).id),
  'launch-template': (d, r) => deleteLaunchTemplate(d, r as LaunchTemplate),
  'launch-configuration': (d, r) => deleteLaunchConfiguration(d, (r as { name: string }).name),
  'auto-scaling-group': (d, r) => deleteGroup(d, (r as { name: string }).name, true),
  'scaling-activity': (d, r) => deleteActivity(d, (r as { id: string }).id),
  'scaling-policy': (d, r) => deletePolicy(d, undefined, (r as { arn: string }).arn),
  'scheduled-action': (d, r) => deleteScheduledAction(d, (r as { groupName: string }).groupName, (r as { name: string }).name),
  'metric-alarm': (d, r) => deleteAlarms(d, [(r as { name: string }).name]),
  'alarm-history': (d, r) => deleteAlarmHistoryItem(d, (r as { id: string }).id),
}

export function buildProgram(out: (s: string) => void): Command {
  const program = new Command('openalb')
    .description('An Application Load Balancer you run yourself: target groups, health checks, HTTPS listeners, rules and DNS.')
    .version(VERSION, '-v, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: (s) => process.stderr.write(s) })

  program
    .command('up')
    .description('run openalb: control endpoint, DNS, health checks and the listeners of every balancer')
    .addOption(dataOption())
    .option('-c, --config <file>', 'apply this YAML file (or directory) at start and whenever it changes')
    .option('--control <host:port>', 'control endpoint (admin API, AWS-compatible API, /metrics) (default 127.0.0.1:4566, or NODE_ADDRESS:4566)')
    .option('--dns <host:port>', 'DNS server address, UDP and TCP (default 127.0.0.1:8053, or NODE_ADDRESS:8053)')
    .option('--advertise <address>', 'the address DNS answers for balancers (default 127.0.0.1, or --node-address)')
    .addOption(storeOption())
    .option('--node-name <name>', 'fleet: this node\'s name (default HOSTNAME-ADDRESS)')
    .option('--zone <zone>', 'fleet: the availability zone this node serves (default the region\'s first, us-east-1a)')
    .option('--node-address <address>', 'fleet: this node\'s own address; listeners, DNS and control bind it (control ADDRESS:4566, DNS ADDRESS:8053)')
    .option('--node-ttl <seconds>', 'fleet: seconds a dead node stays registered and in DNS answers (default 10)')
    .option('--acme-directory <url>', 'ACME: the directory of certificates with source acme and no directoryUrl (an https:// URL, letsencrypt or letsencrypt-staging)')
    .option('--acme-email <email>', 'ACME: the account contact of certificates with source acme and no email')
    .option('--acme-ca-bundle <file>', 'ACME: a PEM file trusted for the --acme-directory CA\'s HTTPS (a private ACME CA)')
    .addOption(new Option('--acm-issuer <issuer>', 'who issues what ACM RequestCertificate asks for: local-ca (openalb\'s CA) or acme (the --acme-directory CA)').choices(['local-ca', 'acme']).default('local-ca'))
    .option('--quotas <file>', 'ELBv2 quotas other than AWS\'s defaults: a YAML map of DescribeAccountLimits names to numbers, e.g. application-load-balancers: 100 (also $OPENALB_QUOTAS)')
    .option('--s3-dir <dir>', 'where AWS reads S3 objects (trust store CA bundles and CRLs), openalb reads DIR/BUCKET/KEY')
    .option('--geo-table <file>', 'Route 53 geolocation routing: where clients are, lines CIDR,CONTINENT,COUNTRY[,US-STATE] (docs/dns.md)')
    .option('--shutdown-timeout <seconds>', 'on SIGTERM/SIGINT: seconds requests in flight get to finish before openalb exits (default 30)')
    .option('--workers <n>', 'data-plane processes sharing the listening sockets, or auto (one per core); health checks, DNS and the store stay in one process; 1 serves in that one process (default auto)')
    .option('--run-user-data', 'run code given to openalb as local processes: instances\' user data and commands, Lambda functions (off by default: it executes code sent to the API)')
    .action(async (opts: { data?: string; config?: string; control?: string; dns?: string; advertise?: string; store?: string; nodeName?: string; zone?: string; nodeAddress?: string; nodeTtl?: string; acmeDirectory?: string; acmeEmail?: string; acmeCaBundle?: string; acmIssuer?: 'local-ca' | 'acme'; quotas?: string; s3Dir?: string; geoTable?: string; shutdownTimeout?: string; runUserData?: boolean; workers?: string }) => {
      const { runUp } = await import('../main.js')
      // The store's control reads it (open-control.ts), as every command that opens the store does.
      if (opts.quotas !== undefined) process.env.OPENALB_QUOTAS = resolve(opts.quotas)
      const store = storeUrlFrom(opts.store)
      if (!store && (opts.nodeName || opts.zone)) throw new CliFailure('--node-name and --zone need a shared store: --store etcd://HOST:PORT')
      if (opts.acmeDirectory !== undefined && !(opts.acmeDirectory in ACME_DIRECTORIES) && !/^https:\/\/\S+$/.test(opts.acmeDirectory)) {
        throw new CliFailure(`--acme-directory must be an https:// URL, letsencrypt or letsencrypt-staging, got '${opts.acmeDirectory}'`)
      }
      if (opts.acmIssuer === 'acme' && !opts.acmeDirectory) throw new CliFailure('--acm-issuer acme needs the CA: --acme-directory URL (or letsencrypt, letsencrypt-staging)')
      const ttl = opts.nodeTtl === undefined ? undefined : Number(opts.nodeTtl)
      if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 2 || ttl > 3600)) throw new CliFailure(`--node-ttl must be whole seconds from 2 to 3600, got '${opts.nodeTtl}'`)
      const shutdown = opts.shutdownTimeout === undefined ? undefined : Number(opts.shutdownTimeout)
      if (shutdown !== undefined && (!Number.isInteger(shutdown) || shutdown < 0 || shutdown > 3600)) throw new CliFailure(`--shutdown-timeout must be whole seconds from 0 to 3600, got '${opts.shutdownTimeout}'`)
      // As the issue asks: every core by default, with SQLite or etcd alike.
      const workers = opts.workers === undefined || opts.workers === 'auto' ? availableParallelism() : Number(opts.workers)
      if ((!Number.isInteger(workers) || workers < 1 || workers > 256)) throw new CliFailure(`--workers must be a whole number from 1 to 256, or auto, got '${opts.workers}'`)
      await runUp({
        dataDir: dataDirFrom(opts.data),
        configFile: opts.config,
        control: opts.control,
        dns: opts.dns,
        advertise: opts.advertise,
        store,
        node: { name: opts.nodeName, zone: opts.zone, address: opts.nodeAddress },
        ...(ttl !== undefined ? { nodeTtlSeconds: ttl } : {}),
        acme: { directoryUrl: opts.acmeDirectory, email: opts.acmeEmail, ...(opts.acmeCaBundle ? { caBundlePem: readCaBundle(opts.acmeCaBundle) } : {}) },
        ...(opts.acmIssuer ? { acmIssuer: opts.acmIssuer } : {}),
        ...(opts.s3Dir !== undefined ? { s3Dir: resolve(opts.s3Dir) } : {}),
        ...(opts.geoTable !== undefined ? { geoTableFile: resolve(opts.geoTable) } : {}),
        ...(shutdown !== undefined ? { shutdownTimeoutSeconds: shutdown } : {}),
        runUserData: opts.runUserData === true,
        workers,
      })
    })

  program
    .command('logs')
    .description('print openalb\'s own log (openalb logs openalb [--follow]), an instance\'s console log (its user data\'s output, and openalb\'s lines about it) or a function\'s log (its handler\'s output, START/END/REPORT lines)')
    .argument('<kind>', 'openalb, instance or function')
    .argument('[id]', 'the instance id (i-...) or name, or the function name or ARN')
    .addOption(dataOption())
    .option('--tail <bytes>', 'print at most the last BYTES (default: all)')
    .option('-f, --follow', 'openalb logs openalb: keep printing new lines as they come (Ctrl-C to stop)')
    .action(async (kind: string, idArg: string | undefined, opts: { data?: string; store?: string; tail?: string; follow?: boolean }) => {
      const isFunction = kind === 'function' || kind === 'functions'
      if (kind !== 'openalb' && kind !== 'instance' && kind !== 'instances' && !isFunction) {
        throw new CliFailure(`logs are kept for openalb itself, instances and functions: openalb logs openalb, openalb logs instance ID, openalb logs function NAME (got '${kind}')`)
      }
      const max = opts.tail === undefined ? Number.MAX_SAFE_INTEGER : Number(opts.tail)
      if (!Number.isInteger(max) || max < 1) throw new CliFailure(`--tail must be a whole number of bytes, got '${opts.tail ?? ''}'`)
      const dataDir = dataDirFrom(opts.data)
      if (kind === 'openalb') return printOwnLog(dataDir, max, opts.follow ?? false)
      if (idArg === undefined) throw new CliFailure(`openalb logs ${kind} needs ${isFunction ? 'a function name' : 'an instance id or name'}`)
      const id = idArg
      if (isFunction) {
        const fn = await readControl({ data: opts.data }, async (c) => (await c.read()).list('function').find((f) => f.name === id || f.arn === id))
        if (!fn) throw new CliFailure(`function '${id}' not found`)
        const text = readLogTail(functionLogPath(dataDir, fn.name), max)
        if (text === undefined) throw new CliFailure(`function ${fn.name} has no log yet: it has not been invoked (${functionLogPath(dataDir, fn.name)})`)
        process.stdout.write(text)
        return
      }
      const found = await readControl({ data: opts.data }, async (c) => {
        const view = await c.read()
        return view.list('instance').find((i) => i.id === id) ?? view.list('instance').find((i) => i.name === id && i.state !== 'terminated')
      })
      if (!found) throw new CliFailure(`instance '${id}' not found`)
      const text = readConsoleTail(dataDir, found.id, max)
      if (text === undefined) throw new CliFailure(`instance ${found.id} has no console log yet (in ${consoleLogPath(dataDir, found.id)})`)
      process.stdout.write(text)
    })

  program
    .command('validate')
    .description('check a YAML file (or directory) and report every error with file:line:col')
    .argument('<file>')
    .action(async (file: string) => {
      const loaded = loadConfig(file, { checkCertificate: await certificateCheck() })
      // Every check apply runs, against a scratch store that is thrown away: as a first apply would.
      const scratch = mkdtempSync(join(tmpdir(), 'openalb-validate-'))
      try {
        const { openControl } = await import('../open-control.js')
        const { control, close } = await openControl(scratch, undefined)
        try {
          const issues = await checkApply(control, loaded)
          if (issues.length > 0) throw new ConfigInvalid(issues)
        } finally {
          await close()
        }
      } finally {
        rmSync(scratch, { recursive: true, force: true })
      }
      const d = loaded.document
      out(`${file} is valid: ${d.securityGroups.length} security groups, ${d.functions.length} functions, ${d.targetGroups.length} target groups, ${d.loadBalancers.length} load balancers, ${d.certificates.length} certificates, ${d.hostedZones.length} hosted zones`)
    })

  program
    .command('plan')
    .description('show what apply would change: + create, ~ change (fields), - delete')
    .argument('<file>')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(async (file: string, opts: StoreFlags) => {
      const loaded = loadConfig(file, { checkCertificate: await certificateCheck() })
      const plan = await withControl(opts, (c) => planConfig(c, loaded))
      out(plan.refusal ? `${formatPlan(plan.changes)}\n\napply would refuse this: ${plan.refusal}; to delete everything, run openalb apply ${file} --prune-all` : formatPlan(plan.changes))
    })

  program
    .command('apply')
    .description('make the store match the file, in one transaction, and print what changed')
    .argument('<file>')
    .addOption(dataOption())
    .addOption(storeOption())
    .option('--prune-all', 'allow an apply that deletes every resource in the store (refused otherwise: an empty or truncated file)')
    .action(async (file: string, opts: StoreFlags & { pruneAll?: boolean }) => {
      const loaded = loadConfig(file, { checkCertificate: await certificateCheck() })
      const result = await withControl(opts, async (c) => {
        try {
          return await applyConfig(c, loaded, { pruneAll: opts.pruneAll === true })
        } catch (e) {
          if (e instanceof PruneAllRefused) throw new CliFailure(e.message.replace('openalb apply FILE', `openalb apply ${file}`))
          throw e
        }
      })
      out(result.changes.length === 0 ? 'No changes: the store matches the configuration.' : `${formatPlan(result.changes)}\nApplied at revision ${result.revision}.`)
    })

  program
    .command('get')
    .description(`list resources of a kind (${KIND_NAMES}); "get targets TG" shows live target health`)
    .argument('<kind>')
    .argument('[name]')
    .addOption(dataOption())
    .addOption(storeOption())
    .addOption(outputOption('table'))
    .option('--nodes', 'get targets: each live node\'s own view of the targets\' health')
    .action(async (kindName: string, name: string | undefined, opts: StoreFlags & { output: OutputFormat; nodes?: boolean }) => {
      const kind = parseKind(kindName)
      if (!kind) throw new CommanderError(2, 'openalb.kind', `unknown kind '${kindName}'; one of: ${KIND_NAMES}`)
      if (kind === 'targets') return out(await getTargets(opts, name, opts.output, Boolean(opts.nodes)))
      if (kind === 'nodes') return out(await getNodes(opts, opts.output))
      if (kind === 'ssl-policies') return out(await getSslPolicies(opts.output))
      const text = await readControl(opts, async (c) => {
        const view = await c.read()
        let rows = listOf(view, kind)
        if (name) {
          rows = rows.filter((r) => matches(view, r, name) || belongsTo(view, r, name))
          if (rows.length === 0) throw new CliFailure(`${kind} '${name}' not found`)
        }
        const live = kind === 'listener' ? await listenerStates(opts) : undefined
        const data = opts.output === 'table' || opts.output === 'wide' ? rows : rows.map((r) => withBindState(printable(r), r, live))
        return render(opts.output, data, columnsFor(kind, view, live) as never)
      })
      out(text)
    })

  program
    .command('describe')
    .description('show one resource in full (private keys are never shown)')
    .argument('<kind>')
    .argument('<name>')
    .addOption(dataOption())
    .addOption(storeOption())
    .addOption(outputOption('yaml'))
    .action(async (kindName: string, name: string, opts: StoreFlags & { output: OutputFormat }) => {
      const kind = parseKind(kindName)
      if (!kind || kind === 'targets' || kind === 'ssl-policies' || kind === 'nodes') throw new CommanderError(2, 'openalb.kind', `unknown kind '${kindName}'`)
      const text = await readControl(opts, async (c) => {
        const view = await c.read()
        const found = listOf(view, kind).find((r) => matches(view, r, name))
        if (!found) throw new CliFailure(`${kind} '${name}' not found`)
        const data = withBindState(printable(found), found, kind === 'listener' ? await listenerStates(opts) : undefined)
        return opts.output === 'json' ? JSON.stringify(data, null, 2) : stringify(data).trimEnd()
      })
      out(text)
    })

  program
    .command('delete')
    .description('delete one resource, with the same rules as the AWS API (in-use resources are refused)')
    .argument('<kind>')
    .argument('<name>')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(async (kindName: string, name: string, opts: StoreFlags) => {
      const kind = parseKind(kindName)
      if (!kind || kind === 'ssl-policies' || kind === 'nodes') throw new CommanderError(2, 'openalb.kind', `unknown kind '${kindName}'`)
      await readControl(opts, async (c) => {
        const view = await c.read()
        if (kind === 'targets') {
          // delete targets TG ID[:PORT]
          const [group, target] = name.split('/')
          if (!group || !target) throw new CliFailure('delete targets takes GROUP/ID[:PORT], e.g. web-tg/127.0.0.1:4001')
          const [id, port] = target.includes(']') ? [target.slice(1, target.indexOf(']')), target.split(']:')[1]] : target.split(':')
          await c.mutate((d) => deregisterTargets(d, group, [{ id, ...(port ? { port: Number(port) } : {}) }]))
          return
        }
        const found = listOf(view, kind).find((r) => matches(view, r, name))
        if (!found) throw new CliFailure(`${kind} '${name}' not found`)
        await c.mutate((d) => DELETERS[kind](d, found))
      })
      out(`deleted ${kindName} ${name}`)
    })

  const ca = program.command('ca').description("openalb's own certificate authority")
  ca.command('export')
    .description('print the root certificate (PEM) that signs openalb-issued certificates')
    .addOption(dataOption())
    .action((opts: { data?: string }) => {
      const root = join(dataDirFrom(opts.data), 'ca', 'root.pem')
      if (!existsSync(root)) throw new CliFailure(`no CA yet in ${dataDirFrom(opts.data)}: it is created by the first \`openalb up\``)
      out(readFileSync(root, 'utf8').trimEnd())
    })
  ca.command('trust')
    .description('install the root certificate in the system trust store (update-ca-certificates)')
    .addOption(dataOption())
    .option('-y, --yes', 'do it without asking')
    .action(async (opts: { data?: string; yes?: boolean }) => {
      const { trustCa } = await import('./ca-trust.js')
      await trustCa(dataDirFrom(opts.data), Boolean(opts.yes), out)
    })

  program
    .command('version')
    .description('print the version')
    .action(() => out(`openalb ${VERSION}`))

  return program
}

/** Rules and listeners also list under their balancer or listener name (get rules web-alb). */
function belongsTo(view: StateView, r: Resource, ref: string): boolean {
  if (r.kind === 'listener') return view.get('load-balancer', r.loadBalancerArn)?.name === ref
  if (r.kind === 'rule') {
    const l = view.get('listener', r.listenerArn)
    const lb = l && view.get('load-balancer', l.loadBalancerArn)
    return lb?.name === ref || (lb !== undefined && l !== undefined && `${lb.name}:${l.port}` === ref)
  }
  if (r.kind === 'record-set') {
    const z = view.get('hosted-zone', r.zoneId)
    return z?.name === ref || z?.name === `${ref}.`
  }
  return false
}

function readCaBundle(file: string): string {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new CliFailure(`--acme-ca-bundle ${file}: ${e instanceof Error ? e.message : String(e)}`)
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new CliFailure(`--acme-ca-bundle ${file}: not a PEM certificate file`)
  return text
}

/** certs/' PEM check, loaded only by the commands that read a config file. */
const certificateCheck = async () => (await import('../open-control.js')).certificateCheck

/** An error as one line: its message and its causes ('fetch failed: connect ECONNREFUSED ...'). */
function oneLine(e: unknown): string {
  const parts: string[] = []
  for (let c: unknown = e, depth = 0; c !== undefined && depth < 4; depth++) {
    parts.push(c instanceof Error ? c.message : String(c))
    c = c instanceof Error ? c.cause : undefined
  }
  return parts.join(': ').replace(/\s*\n\s*/g, ' ')
}

/** What to do about a system error openalb cannot fix itself, by its code. */
function remedy(e: unknown): string {
  const code = e instanceof Error && 'code' in e ? e.code : undefined
  if (code === 'EADDRINUSE') return ': another process holds that address; stop it, or give openalb another (--control, --dns, or the listener\'s port)'
  if (code === 'EACCES' && e instanceof Error && /listen|bind/.test(e.message)) return ': ports below 1024 need root or CAP_NET_BIND_SERVICE; use a port above 1023'
  if (code === 'EADDRNOTAVAIL') return ': no interface of this machine has that address; bind 127.0.0.1 or one it has'
  return ''
}

/** Runs the CLI; returns the exit code: 0 ok, 1 failure, 2 usage. */
export async function main(argv: readonly string[], out: (s: string) => void = (s) => console.log(s)): Promise<number> {
  const program = buildProgram(out)
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return 0
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0
      if (e.code === 'openalb.kind') process.stderr.write(`error: ${e.message}\n`)
      return 2
    }
    if (e instanceof ConfigInvalid) {
      process.stderr.write(`${e.message}\n${e.issues.length} error${e.issues.length === 1 ? '' : 's'}\n`)
      return 1
    }
    if (e instanceof ControlError || e instanceof CliFailure) {
      process.stderr.write(`error: ${e.message}\n`)
      return 1
    }
    if (e instanceof AdminUnreachable) {
      process.stderr.write(`error: ${e.message}: is openalb running? start it with openalb up\n`)
      return 1
    }
    // Anything else is still one line, with its cause and, where known, what to do; OPENALB_DEBUG=1 adds the stack.
    process.stderr.write(`error: ${oneLine(e)}${remedy(e)}\n`)
    if (process.env.OPENALB_DEBUG === '1' && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`)
    return 1
  }
}

export { renderTable }
