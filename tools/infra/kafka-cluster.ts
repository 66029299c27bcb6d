import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { Kafka, logLevel } from 'kafkajs';

import { defaultRootDir, HOST, type InfraPaths, loadInfraConfig } from './config';
import { resolveJava, resolveMaven } from './executables';
import { errorMessage, InfraError } from './infra-error';
import {
  ensureKafkaJars,
  ensureKafkaStorage,
  KAFKA_JVM_OPTIONS,
  readFormattedClusterId,
  readPinnedKafkaVersion,
} from './kafka-broker';
import {
  type ClusterNodePorts,
  clusterNodePorts,
  generateClusterId,
  kafkaClusterNodeProperties,
  kafkaLog4jProperties,
  renderProperties,
} from './kafka-properties';
import { waitForKafka } from './kafka-readiness';
import { describeLogTail, rotateLog } from './logs';
import { assertPortsFree, isPortServing } from './ports';
import { isOurProcess, isProcessAlive, sleep, spawnDetached, stopProcess } from './processes';

export interface KafkaClusterOptions {
  /** Holds `cluster.json` (the nodes' pids) and one `node-<id>/` (configuration, data, log) per node. */
  readonly dir: string;
  /** The first node's listeners; node i (from 0) listens on these plus 2i. */
  readonly brokerPort: number;
  readonly controllerPort: number;
  /** How many combined broker and controller nodes; 3 by default. */
  readonly nodes?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for the whole cluster to serve; default 120 s. */
  readonly readyTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** One node of the cluster, as `cluster.json` records it. */
export interface KafkaClusterNode extends ClusterNodePorts {
  readonly dir: string;
  readonly logFile: string;
  readonly propertiesFile: string;
  /** The running JVM, or undefined while the node is down. */
  pid: number | undefined;
}

interface ClusterRecord {
  readonly nodes: ReadonlyArray<{ nodeId: number; pid: number; brokerPort: number }>;
}

// Each JVM gets less heap than the single broker: three of them share a 2-core machine.
const NODE_JVM_OPTIONS = KAFKA_JVM_OPTIONS.map((option) =>
  option.startsWith('-Xmx') ? '-Xmx384m' : option,
);
const STOP = { signals: ['SIGTERM'] as NodeJS.Signals[], graceMs: 30_000 };

/**
 * A local KRaft cluster of combined broker and controller nodes on 127.0.0.1, each a
 * `kafka.Kafka` JVM of the jars `infra:up` caches, formatted with one cluster id. The topics a
 * test or an operator creates get the replication they ask for; the internal ones are created
 * with replication factor 3 and `min.insync.replicas` 2 ({@link kafkaClusterNodeProperties}).
 * Nodes can be killed and started again one at a time, to see the cluster ride out a lost broker.
 * `start` reuses the nodes `cluster.json` records that still run.
 */
export class KafkaCluster {
  private constructor(
    readonly dir: string,
    readonly nodes: readonly KafkaClusterNode[],
    private readonly launch: { java: string; cacheDir: string; env: NodeJS.ProcessEnv },
  ) {}

  /** `host:port,host:port,...`, for KAFKA_BROKERS. */
  get brokers(): string {
    return this.nodes.map((node) => `${HOST}:${node.brokerPort}`).join(',');
  }

  get brokerList(): string[] {
    return this.nodes.map((node) => `${HOST}:${node.brokerPort}`);
  }

  /** Starts (or reuses) every node and waits until the cluster serves a consumer group. */
  static async start(options: KafkaClusterOptions): Promise<KafkaCluster> {
    const env = options.env ?? process.env;
    const log = options.log ?? (() => undefined);
    const paths = loadInfraConfig(env, defaultRootDir()).paths;
    const java = resolveJava(env);
    const version = readPinnedKafkaVersion(paths.kafkaPom);
    const { cacheDir } = await ensureKafkaJars(paths, version, () => resolveMaven(env), env);
    const ports = clusterNodePorts(options.brokerPort, options.controllerPort, options.nodes ?? 3);
    fs.mkdirSync(options.dir, { recursive: true });
    const recorded = readRecord(options.dir);
    const nodes: KafkaClusterNode[] = ports.map((node) => {
      const dir = path.join(options.dir, `node-${node.nodeId}`);
      const propertiesFile = path.join(dir, 'server.properties');
      const pid = recorded.nodes.find((entry) => entry.nodeId === node.nodeId)?.pid;
      return {
        ...node,
        dir,
        propertiesFile,
        logFile: path.join(dir, 'kafka.log'),
        pid: pid !== undefined && isOurProcess(pid, propertiesFile) ? pid : undefined,
      };
    });
    const cluster = new KafkaCluster(options.dir, nodes, { java: java.file, cacheDir, env });
    const down = nodes.filter((node) => node.pid === undefined);
    await assertPortsFree(
      down.flatMap((node) => [
        {
          service: `Kafka node ${node.nodeId} (broker)`,
          port: node.brokerPort,
          variable: 'HOOKLINE_KAFKA_PORT',
        },
        {
          service: `Kafka node ${node.nodeId} (controller)`,
          port: node.controllerPort,
          variable: 'HOOKLINE_KAFKA_CONTROLLER_PORT',
        },
      ]),
      HOST,
      'Each node i listens on those ports plus 2i.',
    );
    // Every node of one cluster is formatted with the same id: the one a node already has.
    const formatted = nodes
      .map((node) => readFormattedClusterId(path.join(node.dir, 'data')))
      .find((id) => id !== undefined);
    const clusterId = formatted ?? generateClusterId();
    try {
      for (const node of down) {
        cluster.writeConfig(node, ports);
        await ensureKafkaStorage(
          cluster.nodePaths(node, paths),
          {
            java: java.file,
            cacheDir,
            brokerPort: node.brokerPort,
            controllerPort: node.controllerPort,
          },
          env,
          [],
          () => clusterId,
        );
      }
      await Promise.all(down.map((node) => cluster.startNode(node.nodeId)));
      for (const node of nodes) {
        log(`node ${node.nodeId} (pid ${node.pid}) on ${HOST}:${node.brokerPort}`);
      }
      await cluster.waitUntilServing(options.readyTimeoutMs ?? 120_000);
    } catch (error) {
      if (down.length > 0) await cluster.stop(down.map((node) => node.nodeId));
      throw error;
    }
    return cluster;
  }

  /** Starts a node that is down and waits until its broker listener accepts connections. */
  async startNode(nodeId: number): Promise<number> {
    const node = this.node(nodeId);
    if (node.pid !== undefined && isProcessAlive(node.pid)) return node.pid;
    rotateLog(node.logFile);
    node.pid = await spawnDetached({
      file: this.launch.java,
      args: [
        ...NODE_JVM_OPTIONS,
        `-Dlog4j.configuration=${pathToFileURL(path.join(node.dir, 'log4j.properties')).href}`,
        `-Dkafka.logs.dir=${node.dir}`,
        '-cp',
        path.join(this.launch.cacheDir, '*'),
        'kafka.Kafka',
        node.propertiesFile,
      ],
      logFile: node.logFile,
      env: this.launch.env,
      cwd: node.dir,
    });
    this.save();
    const deadline = Date.now() + 60_000;
    while (!(await isPortServing(node.brokerPort, HOST))) {
      if (!isProcessAlive(node.pid)) {
        throw new InfraError(
          'PROCESS_EXITED',
          `Kafka node ${nodeId} exited at start.\n${describeLogTail(node.logFile)}`,
          node.logFile,
        );
      }
      if (Date.now() > deadline) {
        throw new InfraError(
          'KAFKA_NOT_READY',
          `Kafka node ${nodeId} does not listen on ${node.brokerPort} after 60 s.`,
          node.logFile,
        );
      }
      await sleep(250);
    }
    return node.pid;
  }

  /** Sends `signal` to a node's JVM; for SIGKILL, resolves once it has exited. */
  async signal(nodeId: number, signal: NodeJS.Signals): Promise<void> {
    const node = this.node(nodeId);
    if (node.pid === undefined) throw new Error(`Kafka node ${nodeId} is not running`);
    const pid = node.pid;
    process.kill(pid, signal);
    if (signal !== 'SIGKILL') return;
    const deadline = Date.now() + 15_000;
    while (isProcessAlive(pid) && isOurProcess(pid, node.propertiesFile)) {
      if (Date.now() > deadline)
        throw new Error(`Kafka node ${nodeId} (pid ${pid}) outlived SIGKILL`);
      await sleep(50);
    }
    node.pid = undefined;
    this.save();
  }

  /**
   * Waits until every partition of `topics` has `replicas` in-sync replicas (a restarted node has
   * caught up and rejoined); resolves with how long that took.
   */
  async waitForInSync(
    topics: readonly string[],
    replicas: number,
    timeoutMs: number,
  ): Promise<number> {
    const started = Date.now();
    const kafka = this.client();
    const admin = kafka.admin();
    await admin.connect();
    try {
      let last = '';
      while (Date.now() - started < timeoutMs) {
        try {
          const { topics: described } = await admin.fetchTopicMetadata({ topics: [...topics] });
          const short = described.flatMap((topic) =>
            topic.partitions
              .filter((partition) => partition.isr.length < replicas)
              .map(
                (partition) =>
                  `${topic.name}/${partition.partitionId}: isr ${partition.isr.join(',')}`,
              ),
          );
          if (short.length === 0) return Date.now() - started;
          last = short.slice(0, 5).join('; ');
        } catch (error) {
          last = errorMessage(error);
        }
        await sleep(500);
      }
      throw new Error(`in-sync replicas still below ${replicas} after ${timeoutMs} ms: ${last}`);
    } finally {
      await admin.disconnect();
    }
  }

  /** Stops the given nodes (all by default) with SIGTERM, a controlled shutdown, in parallel. */
  async stop(nodeIds: readonly number[] = this.nodes.map((node) => node.nodeId)): Promise<void> {
    await Promise.all(
      nodeIds.map(async (nodeId) => {
        const node = this.node(nodeId);
        if (node.pid !== undefined && isOurProcess(node.pid, node.propertiesFile)) {
          await stopProcess(node.pid, STOP);
        }
        node.pid = undefined;
      }),
    );
    this.save();
  }

  /** Deletes the cluster's directory (data included); the nodes must be stopped. */
  discard(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** A client of the cluster that does not retry for long: for checks, not for apps. */
  client(): Kafka {
    return new Kafka({
      clientId: 'hookline-infra-cluster',
      brokers: this.brokerList,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 1_000 },
    });
  }

  private node(nodeId: number): KafkaClusterNode {
    const node = this.nodes.find((candidate) => candidate.nodeId === nodeId);
    if (node === undefined) throw new Error(`the cluster has no node ${nodeId}`);
    return node;
  }

  private async waitUntilServing(timeoutMs: number): Promise<void> {
    try {
      // A consumer group needs __consumer_offsets, which needs all three replicas the first time.
      await waitForKafka(this.brokers, {
        timeoutMs,
        isAlive: () =>
          this.nodes.every((node) => node.pid !== undefined && isProcessAlive(node.pid)),
        logFile: this.nodes[0]?.logFile,
      });
    } catch (error) {
      const dead = this.nodes.find((node) => node.pid === undefined || !isProcessAlive(node.pid));
      const tail = describeLogTail(dead?.logFile ?? this.nodes[0]?.logFile ?? '');
      throw new InfraError('KAFKA_NOT_READY', `${errorMessage(error)}\n${tail}`, dead?.logFile);
    }
  }

  private writeConfig(node: KafkaClusterNode, ports: readonly ClusterNodePorts[]): void {
    fs.mkdirSync(node.dir, { recursive: true });
    const header =
      'Generated by tools/infra (kafka-cluster.ts) on every start; edits are overwritten.';
    const properties = kafkaClusterNodeProperties(
      {
        host: HOST,
        nodeId: node.nodeId,
        brokerPort: node.brokerPort,
        controllerPort: node.controllerPort,
        dataDir: path.join(node.dir, 'data'),
      },
      ports,
    );
    fs.writeFileSync(node.propertiesFile, renderProperties(properties, header));
    fs.writeFileSync(
      path.join(node.dir, 'log4j.properties'),
      renderProperties(kafkaLog4jProperties('INFO'), header),
    );
    fs.writeFileSync(
      path.join(node.dir, 'format-log4j.properties'),
      renderProperties(kafkaLog4jProperties('WARN'), header),
    );
  }

  private nodePaths(node: KafkaClusterNode, paths: InfraPaths): InfraPaths {
    return {
      ...paths,
      kafkaDataDir: path.join(node.dir, 'data'),
      kafkaProperties: node.propertiesFile,
      kafkaLog4j: path.join(node.dir, 'log4j.properties'),
      kafkaFormatLog4j: path.join(node.dir, 'format-log4j.properties'),
      kafkaLog: node.logFile,
      logsDir: node.dir,
    };
  }

  private save(): void {
    const record: ClusterRecord = {
      nodes: this.nodes.flatMap((node) =>
        node.pid === undefined
          ? []
          : [{ nodeId: node.nodeId, pid: node.pid, brokerPort: node.brokerPort }],
      ),
    };
    fs.writeFileSync(path.join(this.dir, 'cluster.json'), `${JSON.stringify(record, null, 2)}\n`);
  }
}

function readRecord(dir: string): ClusterRecord {
  try {
    const parsed = JSON.parse(
      fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8'),
    ) as ClusterRecord;
    return Array.isArray(parsed.nodes) ? parsed : { nodes: [] };
  } catch {
    return { nodes: [] };
  }
}

/**
 * Stops the nodes `cluster.json` in `dir` records that still run and are still ours (SIGTERM,
 * in parallel); returns how many it stopped. Nothing recorded: nothing to do.
 */
export async function stopKafkaCluster(dir: string): Promise<number> {
  const record = readRecord(dir);
  const ours = record.nodes.filter(({ nodeId, pid }) =>
    isOurProcess(pid, path.join(dir, `node-${nodeId}`, 'server.properties')),
  );
  await Promise.all(ours.map(({ pid }) => stopProcess(pid, STOP)));
  if (record.nodes.length > 0) {
    fs.writeFileSync(path.join(dir, 'cluster.json'), `${JSON.stringify({ nodes: [] }, null, 2)}\n`);
  }
  return ours.length;
}

/** The recorded nodes of the cluster in `dir` and whether each still runs. */
export function kafkaClusterStatus(
  dir: string,
): Array<{ nodeId: number; pid: number; brokerPort: number; running: boolean }> {
  return readRecord(dir).nodes.map(({ nodeId, pid, brokerPort }) => ({
    nodeId,
    pid,
    brokerPort,
    running: isOurProcess(pid, path.join(dir, `node-${nodeId}`, 'server.properties')),
  }));
}
