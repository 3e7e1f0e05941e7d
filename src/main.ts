import { mkdirSync, readFileSync, statSync, watch, writeFileSync, rmSync, type FSWatcher } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import type { Server } from 'node:http'
import pino, { type Logger } from 'pino'
import { adminApi } from './api/admin/admin-api.js'
import { consoleApi } from './api/admin/console-api.js'
import { HealthHistory } from './health/history.js'
import { startEndpoint, type EndpointHandler } from './api/admin/endpoint.js'
import { loadOrCreateCa } from './certs/ca.js'
import { CertificateManager } from './certs/manager.js'
import { AcmeIssuer, type AcmeDefaults } from './certs/acme.js'
import { openalbLogPath, serverInfoPath, type ServerInfo } from './api/admin/client.js'
import { applyConfig, formatPlan, PruneAllRefused } from './config/apply.js'
import { loadConfig } from './config/load.js'
import type { Control } from './control/control.js'
import { certificateCheck, controlOn } from './open-control.js'
import { DnsServer } from './dns/server.js'
import { testAnswer } from './dns/test-answer.js'
import { parseGeoTable, type GeoTable } from './dns/geo-table.js'
import { Route53Checks } from './health/route53-checks.js'
import { HealthChecker } from './health/checker.js'
import { Metrics } from './metrics/metrics.js'
import { openStore } from './store/open.js'
import { Dataplane, type ListenerBindState } from './dataplane/dataplane.js'
import { MetricsSink } from './dataplane/metrics-sink.js'
import { Runtime } from './runtime/runtime.js'
import { WorkerPool } from './workers/pool.js'
import { InstanceSupervisor } from './compute/supervisor.js'
import { GroupController } from './autoscaling/controller.js'
import { Monitor } from './monitoring/monitor.js'
import { readConsoleTail } from './compute/console-log.js'
import { FunctionRunner } from './compute/function-runner.js'
import { InvalidZip, storeZip } from './compute/function-code.js'
import { assertSafeBind, createAwsApi } from './api/aws/server.js'
import { AuthKeys } from './dataplane/auth/keys.js'
import { dataDirKey, keyFromEnvironment } from './store/secrets.js'
import { ChangeIds } from './api/aws/route53/change-ids.js'
import { SSL_POLICIES } from './model/ssl-policy.js'
import { VERSION } from './version.js'
import { acquirePidLock, PidLockHeld } from './lib/pid-lock.js'
import { hostname, networkInterfaces } from 'node:os'
import type { NodeRecord } from './model/node.js'
import { BALANCER_ALIAS_TTL_SECONDS } from './dns/compiled-zone.js'

export interface OpenalbOptions {
  readonly dataDir: string
  /** YAML file or directory applied at start and on every change. */
  readonly configFile?: string | undefined
  /** host:port of the control endpoint (admin API, AWS API, /metrics); port 0 picks one. */
  readonly control?: string
  /** host:port of the DNS server (UDP and TCP); port 0 picks one. */
  readonly dns?: string
  /** The address DNS answers for balancers that bind every address. */
  readonly advertise?: string
  /** "AKID:SECRET,..." (default $OPENALB_ACCESS_KEYS): with keys, AWS API calls must be SigV4-signed with them. */
  readonly accessKeys?: string | undefined
  /** etcd://HOST:PORT[,...] for a fleet's shared store; default: SQLite in the data directory. */
  readonly store?: string | undefined
  /** This node in a fleet: its name, zone and own address (listeners, DNS and control bind it). */
  readonly node?: { readonly name?: string | undefined; readonly zone?: string | undefined; readonly address?: string | undefined }
  /** Seconds the node's registration outlives its last renewal, and DNS's wait before a drain (default 10). */
  readonly nodeTtlSeconds?: number
  /** Defaults for certificates with source acme (`--acme-directory`, `--acme-email`). */
  readonly acme?: AcmeDefaults
  /** Who answers ACM RequestCertificate: openalb's CA (default) or ACME (`--acm-issuer acme`). */
  readonly acmIssuer?: 'local-ca' | 'acme'
  /** Where S3 objects are read (`--s3-dir DIR`: DIR/BUCKET/KEY): trust store CA bundles and CRLs. */
  readonly s3Dir?: string | undefined
  /** Route 53 geolocation routing's table of client locations (`--geo-table FILE`, dns/geo-table.ts). */
  readonly geoTableFile?: string | undefined
  /** Run code given to openalb as local processes (`--run-user-data`): instances' user data scripts and commands, Lambda functions. It executes code sent to the API. Default off. */
  readonly runUserData?: boolean | undefined
  /** Data-plane processes sharing the listening sockets (`--workers`); 1 (default) serves in this process. */
  readonly workers?: number | undefined
  readonly log?: Logger
}

export interface OpenalbHandle {
  readonly control: Control
  readonly controlUrl: string
  readonly dnsPort: number
  readonly health: HealthChecker
  readonly log: Logger
  /** Waits until the runtime has taken in the store's current revision. */
  settled(): Promise<number>
  /** A fleet node deregisters (DNS stops answering it); the listeners keep serving until close(). */
  leaveFleet(): Promise<void>
  /** Seconds DNS may keep answering a node after it left (clients' caches); 0 alone. */
  readonly dnsTtlSeconds: number
  /** host:port the DNS server binds. */
  readonly dnsAddress: string
  /** In a fleet, the node's own address, which every listener binds; undefined alone. */
  readonly nodeAddress: string | undefined
  /**
   * Stops accepting and lets requests in flight finish (HTTP/1.1: `connection: close`; HTTP/2:
   * GOAWAY); resolves when nothing is in flight or after timeoutMs. close() ends the rest.
   */
  drain(timeoutMs: number): Promise<{ readonly idle: boolean }>
  /** This node's listener sockets: listening, or failed to bind (EADDRINUSE ...), tried again every 5 s. */
  listenerStates(): ListenerBindState[]
  /** With --workers N > 1: the workers' process ids by index (undefined while one is being replaced). */
  workerPids(): (number | undefined)[]
  /** Access log files and DATA/openalb.log are reopened by name (after logrotate moved them; SIGUSR1). */
  reopenLogs(): void
  close(): Promise<void>
}

/** `openalb up` on a data directory that a running openalb holds. */
export class DataDirInUse extends Error {
  readonly code = 'OPENALB_DATA_DIR_IN_USE'
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`the data directory ${dataDir} is in use by another openalb (pid ${pid}): stop that one first, or give this one its own --data`)
  }
}

/** The lock a running openalb holds on its data directory (its pid inside). */
export const dataDirLockPath = (dataDir: string) => join(dataDir, 'openalb.pid')

function lockDataDir(dataDir: string): { release(): void } {
  mkdirSync(dataDir, { recursive: true })
  try {
    return acquirePidLock(dataDirLockPath(dataDir))
  } catch (e) {
    throw e instanceof PidLockHeld ? new DataDirInUse(dataDir, e.pid) : e
  }
}

function hostPort(value: string, what: string): { host: string; port: number } {
  const i = value.lastIndexOf(':')
  const host = value.slice(0, i).replace(/^\[|\]$/g, '')
  const port = Number(value.slice(i + 1))
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${what} must be HOST:PORT, got '${value}'`)
  return { host: host || '127.0.0.1', port }
}

/** "AKID:SECRET,AKID2:SECRET2" -> a map; undefined when empty. */
function parseAccessKeys(text: string | undefined): Map<string, string> | undefined {
  if (!text) return undefined
  const keys = new Map<string, string>()
  for (const pair of text.split(',')) {
    const i = pair.indexOf(':')
    if (i <= 0) throw new Error('access keys must be given as ACCESS_KEY_ID:SECRET[,ACCESS_KEY_ID:SECRET...]')
    keys.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim())
  }
  return keys
}

/** $OPENALB_AUTOSCALING_INTERVAL_MS: how often Auto Scaling groups are looked at (default 1000 ms). */
function autoscalingInterval(): number {
  const text = process.env.OPENALB_AUTOSCALING_INTERVAL_MS
  if (text === undefined || text === '') return 1000
  const n = Number(text)
  if (!Number.isInteger(n) || n < 50 || n > 60000) throw new Error(`OPENALB_AUTOSCALING_INTERVAL_MS must be an integer between 50 and 60000, got '${text}'`)
  return n
}

/** $OPENALB_AUTOSCALING_METRIC_PERIOD_SECONDS: target tracking's metric period (AWS's is one minute; shorter for tests and demos). */
function metricPeriodSeconds(): number {
  const text = process.env.OPENALB_AUTOSCALING_METRIC_PERIOD_SECONDS
  if (text === undefined || text === '') return 60
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 60) throw new Error(`OPENALB_AUTOSCALING_METRIC_PERIOD_SECONDS must be an integer between 1 and 60, got '${text}'`)
  return n
}

/** The composition root: builds every module and wires them together. */
export async function startOpenalb(options: OpenalbOptions): Promise<OpenalbHandle> {
  // openalb's own log: stderr (the terminal, journald) and DATA/openalb.log (`openalb logs openalb`).
  const ownLogFile = options.log ? undefined : pino.destination({ dest: openalbLogPath(options.dataDir), mkdir: true, sync: true })
  const log =
    options.log ??
    pino({ level: process.env.OPENALB_LOG_LEVEL ?? 'info' }, pino.multistream([{ stream: pino.destination(2), level: 'trace' }, { stream: ownLogFile!, level: 'trace' }]))
  const nodeAddress = options.node?.address
  const controlAddr = hostPort(options.control ?? `${nodeAddress ?? '127.0.0.1'}:4566`, '--control')
  const dnsAddr = hostPort(options.dns ?? `${nodeAddress ?? '127.0.0.1'}:8053`, '--dns')
  const geoTable = options.geoTableFile === undefined ? undefined : readGeoTable(options.geoTableFile)
  const accessKeys = parseAccessKeys(options.accessKeys ?? process.env.OPENALB_ACCESS_KEYS)
  assertSafeBind(controlAddr.host, accessKeys)
  const advertise = options.advertise ?? nodeAddress ?? '127.0.0.1'
  const workerCount = options.workers ?? 1
  if (!Number.isInteger(workerCount) || workerCount < 1 || workerCount > 256) throw new Error(`--workers must be a whole number from 1 to 256, got '${options.workers}'`)

  const nodeTtlSeconds = options.nodeTtlSeconds ?? 10
  // A fleet's balancer answers live as long as a dead node's lease, and no longer.
  const dnsTtlSeconds = Math.min(nodeTtlSeconds, BALANCER_ALIAS_TTL_SECONDS)
  // Before anything is bound or opened: a second openalb on this directory would serve half-bound.
  const lock = lockDataDir(options.dataDir)
  let store: Awaited<ReturnType<typeof openStore>>
  try {
    store = await openStore(options.dataDir, options.store, { leaseTtlSeconds: nodeTtlSeconds })
  } catch (e) {
    lock.release()
    throw e
  }
  const control = controlOn(store)
  const closers: (() => Promise<void> | void)[] = [() => lock.release(), () => store.close()]
  const close = async () => {
    for (const c of closers.reverse()) {
      try {
        await c()
      } catch (e) {
        log.error({ err: e instanceof Error ? e.message : String(e) }, 'error while stopping')
      }
    }
  }

  try {
    await control.ensureDefaults()
    if (options.configFile) {
      const result = await applyConfig(control, loadConfig(options.configFile, { checkCertificate: certificateCheck }))
      if (result.changes.length > 0) log.info({ revision: result.revision, changes: result.changes.length }, 'configuration applied')
    }

    const metrics = new Metrics()
    const health = new HealthChecker()
    /** The fleet's live nodes as the last lease list named them (the console's Nodes view). */
    let liveNodes: readonly NodeRecord[] = []
    const healthHistory = new HealthHistory((arn, key) => health.health(arn, key))
    closers.push(health.onChange(healthHistory.record))
    closers.push(() => health.stop())
    const ca = await loadOrCreateCa(options.dataDir)
    const fleetLock = store.fleet ? (fn: () => Promise<void>) => store.fleet!.tryLock('certificates', fn) : undefined
    const certs = new CertificateManager(control, ca, log, { onFailure: (c) => metrics.certificateIssueFailure(c.name, c.source).inc(), acme: new AcmeIssuer(control, options.acme, (revision) => servedFrom(revision)), ...(fleetLock ? { lock: fleetLock } : {}) })
    certs.start()
    closers.push(() => certs.stop())

    const dns = new DnsServer({ geoTable, onProblems: (p) => p.length && log.warn({ problems: p }, 'DNS zone problems') })
    const dnsPorts = await dns.start(dnsAddr)
    closers.push(() => dns.close())

    // Functions run under the same switch: their code is sent to the API too.
    const functions = new FunctionRunner({ dataDir: options.dataDir, runCode: options.runUserData ?? false, region: control.partition.region, log })
    closers.push(() => functions.stop())
    // In a fleet, every listener binds the node's own address and balancers answer the live nodes.
    const nodeZone = options.node?.zone ?? `${control.partition.region}a`
    const nodeView = store.fleet ? { bindAddress: advertise, zone: nodeZone } : {}
    // --workers N: N processes run the data plane on shared sockets; this one feeds them (health
    // checks, DNS, certificates and the store stay here, once per node).
    // authenticate-oidc's cookies and signing key follow from the store key: sessions outlive a
    // restart, and a fleet's nodes (which share OPENALB_STORE_KEY) open each other's. Without one
    // (etcd with no OPENALB_STORE_KEY), a key of this run's own.
    const authKeys = new AuthKeys(store.fleet ? keyFromEnvironment() : dataDirKey(options.dataDir))
    const pool =
      workerCount > 1
        ? new WorkerPool({ authKeys, count: workerCount, health: { isRoutable: (g, k) => health.isRoutable(g, k) }, node: nodeView, log, lambda: functions, lambdaMetrics: new MetricsSink(metrics), logFile: ownLogFile ? openalbLogPath(options.dataDir) : undefined, scheduling: process.env.OPENALB_WORKER_SCHEDULING === 'rr' ? 'rr' : 'none' })
        : undefined
    const dataplane: Dataplane | WorkerPool =
      pool ??
      new Dataplane({
        authKeys,
        lambda: functions,
        health: health.view(),
        log,
        metrics: new MetricsSink(metrics),
      })
    if (pool) {
      closers.push(() => pool.close())
      await pool.start()
      log.info({ workers: workerCount, pids: pool.pids() }, `${workerCount} data-plane workers started`)
    }
    // Instances' processes follow their states; user data runs only when the operator said so.
    const instances = new InstanceSupervisor({ control, dataDir: options.dataDir, runUserData: options.runUserData ?? false, log })
    closers.push(() => instances.stop())
    const route53Checks = new Route53Checks()
    closers.push(() => route53Checks.stop())
    const runtime = new Runtime({
      store,
      instances,
      functions,
      healthChecks: route53Checks,
      dataplane,
      health,
      dns,
      certificates: certs,
      log,
      advertise: [advertise],
      ...(store.fleet ? { node: nodeView, fleet: { ttlSeconds: dnsTtlSeconds } } : {}),
    })
    /** Resolves once the runtime (and so DNS) has taken in `revision`; gives up after 5 s. */
    const servedFrom = (revision: number): Promise<void> =>
      Promise.race([runtime.reached(revision).then(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, 5000).unref())])
    closers.push(
      health.onChange((groupArn) => {
        const c = health.counts(groupArn)
        metrics.setHostCounts(groupArn, c.healthy, c.unhealthy)
      }),
    )
    await runtime.start()
    closers.push(() => runtime.stop())
    if (!pool) closers.push(() => dataplane.close())

    // CloudWatch: every node samples what it counted (target tracking and alarms read it); the fleet's
    // autoscaling leader (the node that runs the groups' passes) evaluates the alarms.
    // With workers, the data plane's counters are theirs, summed.
    const counted = pool ? pool.counts : metrics
    const monitor = new Monitor({
      control,
      periodMs: metricPeriodSeconds() * 1000,
      sources: {
        balancerRequestCount: (lb) => counted.balancerRequestCount(lb),
        requestCount: (lb, tg) => counted.requestCount(lb, tg),
        targetStatusCount: (tg, c) => counted.targetGroupStatusCount(tg, c),
        responseTime: (tg) => counted.targetResponseTimeTotals(tg),
        hostCounts: (tg) => health.counts(tg),
        cpuSeconds: (ids) => instances.cpuSeconds(ids),
      },
      lock: store.fleet ? (options.runUserData ? (pass) => store.fleet!.lead('autoscaling', pass) : async () => false) : undefined,
      log,
    })
    monitor.start()
    closers.push(() => monitor.stop())

    // Auto Scaling groups: one node of a fleet runs their passes (the etcd lock), among the nodes
    // that run instances' programs (--run-user-data): only they see the processes; alone, this one.
    const groups = new GroupController({
      control,
      processExited: (i) => instances.check(i).status === 'impaired',
      targetState: (arn, id) => runtime.describeTargetHealth(arn).find((t) => t.target.id === id)?.state,
      runsUserData: options.runUserData ?? false,
      lock: store.fleet ? (options.runUserData ? (pass) => store.fleet!.lead('autoscaling', pass) : async () => false) : undefined,
      intervalMs: autoscalingInterval(),
      metrics: monitor.store,
      log,
    })
    groups.start()
    closers.push(() => groups.stop())

    const aws = createAwsApi({
      control,
      changeIds: new ChangeIds(store.fleet ? keyFromEnvironment() : dataDirKey(options.dataDir)),
      monitoring: monitor.store,
      route53Check: (id) => ({ healthy: route53Checks.healthy(id), ...route53Checks.observations(id) }),
      // Route 53 checks leave from this node (and, in a fleet, from each live node): the source the OS picks is one of its interfaces' addresses.
      checkerIpRanges: () => checkerRanges([advertise, ...liveNodes.map((n) => n.address)]),
      // As Route 53 answers once a change is INSYNC: after the runtime has taken in the store's newest revision.
      dnsAnswer: async (name, type, asker) => {
        await runtime.settled()
        return testAnswer(dns, name, type, asker)
      },
      acmIssuer: options.acmIssuer,
      s3Dir: options.s3Dir,
      authPublicKey: (kid) => authKeys.publicKeyFor(kid),
      instances: {
        runsUserData: options.runUserData ?? false,
        check: (i) => instances.check(i),
        consoleOutput: (id) => readConsoleTail(options.dataDir, id),
      },
      functions: {
        runsCode: functions.runsCode,
        storeZip: (zip) => {
          try {
            return { ok: true, ...storeZip(options.dataDir, zip) }
          } catch (e) {
            if (e instanceof InvalidZip) return { ok: false, message: e.message }
            throw e
          }
        },
        // As Lambda answers after a create or update: with the store's newest revision taken in (new code runs at once).
        invoke: async (ref, event, type) => {
          await runtime.settled()
          return functions.invoke(ref, event, type)
        },
      },
      accessKeys,
      log,
      sslPolicies: SSL_POLICIES,
      targetHealth: (arn) =>
        runtime.describeTargetHealth(arn).map((t) => ({
          targetId: t.target.id,
          port: t.target.port,
          availabilityZone: t.target.availabilityZone,
          healthCheckPort: t.healthCheckPort,
          state: t.state,
          reason: t.reason,
          description: t.description,
        })),
    })
    const consoleHandler = consoleApi({
        control,
        targetHealth: (arn) => runtime.describeTargetHealth(arn),
        healthHistory: (arn) => healthHistory.of(arn),
        explain: (listenerArn, req) => dataplane.explain(listenerArn, req),
        metrics: async () => (pool ? (await pool.aggregate(await metrics.registry.getMetricsAsJSON())).getMetricsAsJSON() : metrics.registry.getMetricsAsJSON()),
        dnsAnswer: async (name, type) => {
          await runtime.settled()
          return testAnswer(dns, name, type)
        },
        nodes: () => liveNodes,
        accessKeys,
      })
    const handlers: EndpointHandler[] = [
      consoleHandler,
      adminApi({
        control,
        version: VERSION,
        targetHealth: (arn) => runtime.describeTargetHealth(arn),
        // With workers: summed over them; ?by=worker keeps each worker's series under a `worker` label.
        metrics: async (params) => (pool ? (await pool.aggregate(await metrics.registry.getMetricsAsJSON(), params?.get('by') === 'worker')).metrics() : metrics.render()),
        listenerStates: () => dataplane.listenerStates(),
      }),
      async (req, res, body) => {
        if (!aws.accepts(req)) return false
        await aws.handle(req, res, body)
        return true
      },
    ]
    const endpoint: Server = await startEndpoint(handlers, controlAddr.host, controlAddr.port)
    closers.push(
      () =>
        new Promise<void>((r) => {
          consoleHandler.closeStreams()
          endpoint.close(() => r())
          endpoint.closeIdleConnections()
          // Whatever still holds a connection after a grace (a client keeping a socket busy) is cut,
          // so that stopping never hangs on the control endpoint.
          setTimeout(() => endpoint.closeAllConnections(), 2000).unref()
        }),
    )
    const addr = endpoint.address()
    const controlPort = typeof addr === 'object' && addr ? addr.port : controlAddr.port
    const controlUrl = `http://${controlAddr.host.includes(':') ? `[${controlAddr.host}]` : controlAddr.host}:${controlPort}`

    if (options.configFile) {
      const file = options.configFile
      let timer: NodeJS.Timeout | undefined
      const reapply = async () => {
        try {
          const result = await applyConfig(control, loadConfig(file, { checkCertificate: certificateCheck }))
          if (result.changes.length > 0) log.info({ file, revision: result.revision, plan: formatPlan(result.changes) }, `configuration re-applied as revision ${result.revision}`)
          else log.info({ file, revision: result.revision }, `configuration unchanged: the store is at revision ${result.revision}`)
        } catch (e) {
          // A bad edit is reported and changes nothing: the running state stays as it was.
          const error = e instanceof PruneAllRefused
            ? e.message.replace('openalb apply FILE', `openalb apply ${file}`)
            : e instanceof Error ? e.message : String(e)
          log.error({ file, error }, 'configuration rejected')
        }
      }
      let watcher: FSWatcher | undefined
      try {
        // Follow the path, not the inode: editors and sed -i save by writing a new file and renaming
        // it over the old one, so a file is watched through its directory, filtered by its name.
        const isDir = statSync(file).isDirectory()
        const name = basename(file)
        watcher = watch(isDir ? file : dirname(resolve(file)), { persistent: false }, (_event, changed) => {
          if (!isDir && changed !== null && changed !== name) return
          if (timer) clearTimeout(timer)
          timer = setTimeout(() => void reapply(), 200)
        })
      } catch (e) {
        log.warn({ file, err: String(e) }, 'cannot watch the configuration file; changes need a restart')
      }
      closers.push(() => {
        watcher?.close()
        if (timer) clearTimeout(timer)
      })
    }

    // A fleet node registers under a lease and follows the list of live nodes for DNS.
    let membership: { leave(): Promise<void> } | undefined
    if (store.fleet) {
      const fleet = store.fleet
      const self: NodeRecord = {
        name: options.node?.name ?? `${hostname()}-${advertise}`,
        zone: nodeZone,
        address: advertise,
        controlUrl,
        version: VERSION,
        startedAt: new Date().toISOString(),
        workers: workerCount,
      }
      closers.push(
        fleet.watchNodes((nodes) => {
          liveNodes = nodes
          runtime.setNodes(nodes)
        }),
      )
      membership = await fleet.join(self)
      closers.push(() => membership?.leave())
      log.info({ node: self.name, zone: self.zone, address: self.address, ttlSeconds: fleet.leaseTtlSeconds }, 'joined the fleet')
    }

    const info: ServerInfo = { pid: process.pid, controlUrl, dnsAddress: `${dnsAddr.host}:${dnsPorts.udpPort}`, startedAt: new Date().toISOString(), workers: workerCount }
    writeFileSync(serverInfoPath(options.dataDir), JSON.stringify(info), { mode: 0o600 })
    closers.push(() => rmSync(serverInfoPath(options.dataDir), { force: true }))

    return {
      control,
      controlUrl,
      dnsPort: dnsPorts.udpPort,
      dnsTtlSeconds: store.fleet ? dnsTtlSeconds : 0,
      dnsAddress: `${dnsAddr.host}:${dnsAddr.port}`,
      nodeAddress: store.fleet ? advertise : undefined,
      health,
      log,
      leaveFleet: async () => {
        const m = membership
        membership = undefined
        await m?.leave()
      },
      settled: () => runtime.settled(),
      drain: (timeoutMs) => dataplane.drain(timeoutMs),
      listenerStates: () => dataplane.listenerStates(),
      workerPids: () => pool?.pids() ?? [],
      reopenLogs: () => {
        if (dataplane instanceof Dataplane) dataplane.accessLogs.reopen()
        else dataplane.reopenLogs()
        ownLogFile?.reopen()
      },
      close,
    }
  } catch (e) {
    await close()
    throw e
  }
}

export interface UpOptions extends OpenalbOptions {
  /** Seconds requests in flight get to finish once openalb is told to stop (default 30). */
  readonly shutdownTimeoutSeconds?: number
}

/**
 * Resolves with why openalb should stop: SIGTERM, SIGINT, or (started through npm or npx) the
 * parent process gone. npx does not pass its SIGTERM on through the shell it runs commands in,
 * so openalb would live on under pid 1; it follows its parent's exit instead.
 */
function stopRequested(): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => {
      clearInterval(watchParent)
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      resolve(why)
    }
    const onInt = () => done('SIGINT')
    const onTerm = () => done('SIGTERM')
    process.once('SIGINT', onInt)
    process.once('SIGTERM', onTerm)
    // npm and npx say so in the environment (npm_command: exec, run-script, start, ...).
    const wrapped = process.env.npm_command !== undefined || process.env.npm_lifecycle_event !== undefined
    const parent = process.ppid
    const watchParent = setInterval(() => {
      if (wrapped && process.ppid !== parent) done('parent exited')
    }, 500)
    watchParent.unref()
  })
}

/**
 * `openalb up`: start, say what is served, run until told to stop. Then, in a fleet, leave DNS and
 * keep serving one DNS TTL while clients move on; stop accepting, let requests in flight finish
 * (at most shutdownTimeoutSeconds), and exit. A second signal stops at once.
 */
export async function runUp(options: UpOptions): Promise<void> {
  const handle = await startOpenalb(options)
  const view = await handle.control.read()
  const states = handle.listenerStates()
  const lines = [`openalb ${VERSION} is up (data: ${options.dataDir}, pid ${process.pid})`, `  control endpoint  ${handle.controlUrl}  (admin API, AWS APIs, /metrics)`, `  web console       ${handle.controlUrl}/console/`, `  DNS               ${handle.dnsAddress} (UDP and TCP)`]
  for (const lb of view.list('load-balancer')) {
    for (const l of view.list('listener').filter((x) => x.loadBalancerArn === lb.arn)) {
      const failed = states.find((x) => x.arn === l.arn && x.state === 'failed')
      const url = `${l.protocol.toLowerCase()}://${handle.nodeAddress ?? lb.bindAddress}:${l.port}/`
      lines.push(`  ${lb.name.padEnd(16)}  ${url}${failed && 'error' in failed ? `  FAILED: ${failed.error} (tried again every 5 s)` : ''}`)
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`)
  // As nginx: SIGUSR1 reopens the access logs (logrotate's postrotate, systemctl reload).
  process.on('SIGUSR1', () => {
    handle.reopenLogs()
    handle.log.info({}, 'access logs reopened (SIGUSR1)')
  })
  const why = await stopRequested()
  const log = handle.log
  const timeoutMs = (options.shutdownTimeoutSeconds ?? 30) * 1000
  log.info({ reason: why, shutdownTimeoutSeconds: timeoutMs / 1000 }, 'stopping')
  const ttlMs = handle.dnsTtlSeconds > 0 ? handle.dnsTtlSeconds * 1000 + 500 : 0
  // The stop is bounded whatever hangs (a store call, a worker, a socket that never closes): one
  // TTL, the shutdown timeout, and 5 s to close; then the process exits, naming the step it was in.
  let step = 'leaving the fleet'
  const watchdog = setTimeout(() => {
    log.error({ step, seconds: (ttlMs + timeoutMs + 5000) / 1000 }, 'stopping took longer than the DNS TTL and the shutdown timeout allow: exiting now')
    process.exit(1)
  }, ttlMs + timeoutMs + 5000)
  watchdog.unref()
  const graceful = async () => {
    // A fleet node first leaves DNS, then keeps serving for one DNS TTL while clients move on.
    if (handle.dnsTtlSeconds > 0) {
      await handle.leaveFleet()
      step = 'serving one DNS TTL'
      log.info({ seconds: handle.dnsTtlSeconds }, 'left the fleet; serving one DNS TTL before draining')
      // Half a second more than the TTL: a client that resolved just before the leave has moved on.
      await new Promise((r) => setTimeout(r, ttlMs))
    }
    step = 'draining'
    const drained = await handle.drain(timeoutMs)
    if (drained.idle) log.info({}, 'drained: no request in flight')
    else log.warn({ shutdownTimeoutSeconds: timeoutMs / 1000 }, 'shutdown timeout: closing the requests still in flight')
  }
  const again = stopRequested().then((w) => log.warn({ reason: w }, 'told again: stopping at once'))
  await Promise.race([graceful(), again])
  step = 'closing'
  await handle.close()
  clearTimeout(watchdog)
}

/** Where this node's Route 53 health checks come from, as CIDRs (GetCheckerIpRanges): its interfaces' addresses and the fleet's nodes'. */
function checkerRanges(nodes: readonly string[]): string[] {
  const own = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address))
  const all = [...new Set([...own, ...nodes].map((a) => a.replace(/%.*$/, '')))]
  return all.map((a) => (a.includes(':') ? `${a}/128` : `${a}/32`)).sort()
}

/** `--geo-table FILE`, read once at start; a bad line stops the start with FILE:LINE. */
function readGeoTable(file: string): GeoTable {
  const parsed = parseGeoTable(readFileSync(file, 'utf8'), file)
  if (!parsed.ok) throw new Error(`--geo-table: ${parsed.errors.join('; ')}`)
  return parsed.table
}
