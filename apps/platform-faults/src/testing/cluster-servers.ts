import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The tools/infra instance that holds the suite's three-broker cluster. */
export const CLUSTER_INSTANCE = 'faults-cluster';
const instanceDir = path.join(workspaceRoot, '.hookline', 'instances', CLUSTER_INSTANCE);
const clusterFile = path.join(instanceDir, 'cluster', 'cluster.json');

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Six free ports in a row below the kernel's ephemeral range (32768 and up), where no outgoing
 * connection can take one while its broker is down between a kill and a restart: node i listens
 * on `base + 2i` (broker) and `base + 2i + 1` (controller), as `infra:up --brokers=3` lays them out.
 */
async function pickBase(): Promise<number> {
  let base = 20_000 + 2 * Math.floor(Math.random() * 5_000);
  for (let tries = 0; tries < 2_000; tries += 1) {
    if (base + 6 >= 32_000) base = 20_000;
    const free = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => isPortFree(base + i)));
    if (free.every(Boolean)) return base;
    base += 6;
  }
  throw new Error('no six free ports in a row between 20000 and 32000');
}

/**
 * The fault suite's three-broker KRaft cluster: started, restarted and stopped through the infra
 * CLI (`infra up --brokers=3`, the command an operator runs), as the instance `faults-cluster`
 * on ports of its own, beside the suite's PostgreSQL (which it only checks). Nodes are killed by
 * the pids the CLI records.
 */
export class ClusterServers {
  private base = 0;

  /** `127.0.0.1:<port>` of each broker. */
  get brokers(): string[] {
    return [0, 1, 2].map((i) => `127.0.0.1:${this.base + 2 * i}`);
  }

  /** An empty cluster: whatever an earlier run left is stopped and deleted first. */
  async start(): Promise<void> {
    this.base = await pickBase();
    await this.cli(['down', 'kafka']).catch(() => undefined);
    rmSync(instanceDir, { recursive: true, force: true });
    await this.up();
  }

  /** Starts every node that is down (running ones are reused) and waits until the cluster serves. */
  async up(): Promise<void> {
    await this.cli(['up', '--brokers=3']);
  }

  async stop(): Promise<void> {
    await this.cli(['down', 'kafka']);
  }

  /** SIGKILLs a node's JVM; resolves once it has exited. */
  async kill(nodeId: number): Promise<void> {
    const pid = this.pid(nodeId);
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 15_000;
    while (isAlive(pid)) {
      if (Date.now() > deadline)
        throw new Error(`Kafka node ${nodeId} (pid ${pid}) outlived SIGKILL`);
      await sleep(50);
    }
  }

  /** Resolves once node `nodeId`'s broker port accepts connections again. */
  async waitForListening(nodeId: number, timeoutMs: number): Promise<void> {
    const port = this.base + 2 * (nodeId - 1);
    const deadline = Date.now() + timeoutMs;
    while (!(await accepts(port))) {
      if (Date.now() > deadline) throw new Error(`node ${nodeId} not listening on ${port}`);
      await sleep(100);
    }
  }

  /**
   * The node coordinating consumer group `groupId`: the leader of the group's partition of
   * `__consumer_offsets`, the one its name hashes to (Kafka's `partitionFor`).
   */
  async coordinatorOf(groupId: string): Promise<number> {
    return this.withAdmin(async (admin) => {
      const { topics } = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
      const partitions = topics[0]?.partitions ?? [];
      const partition = groupPartition(groupId, partitions.length);
      const leader = partitions.find((p) => p.partitionId === partition)?.leader;
      if (leader === undefined || leader < 0) {
        throw new Error(`__consumer_offsets/${partition} (group ${groupId}) has no leader`);
      }
      return leader;
    });
  }

  /**
   * The sum over the partitions of `topic` of what group `groupId` committed: it grows only while
   * the group's coordinator (whichever broker that is) takes the group's commits.
   */
  async committedTotal(groupId: string, topic: string): Promise<number> {
    return this.withAdmin(async (admin) => {
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      return offsets
        .flatMap(({ partitions }) => partitions)
        .reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
    });
  }

  /**
   * Waits until every partition of `topics` has `replicas` in-sync replicas; resolves with how
   * long that took, or rejects naming the partitions still short.
   */
  async waitForInSync(
    topics: readonly string[],
    replicas: number,
    timeoutMs: number,
  ): Promise<number> {
    const started = Date.now();
    return this.withAdmin(async (admin) => {
      let short: string[] = [];
      while (Date.now() - started < timeoutMs) {
        const { topics: described } = await admin.fetchTopicMetadata({ topics: [...topics] });
        short = described.flatMap((topic) =>
          topic.partitions
            .filter((p) => p.isr.length < replicas)
            .map((p) => `${topic.name}/${p.partitionId} isr [${p.isr.join(',')}]`),
        );
        if (short.length === 0) return Date.now() - started;
        await sleep(500);
      }
      throw new Error(
        `in-sync replicas below ${replicas} after ${timeoutMs} ms: ${short.slice(0, 6).join('; ')}`,
      );
    });
  }

  /**
   * Waits until `nodeId` is back in the in-sync set of every partition it holds a replica of,
   * over every topic of the cluster (internal ones included); resolves with how long that took,
   * or rejects naming the partitions it is still missing from.
   */
  async waitForRejoin(nodeId: number, timeoutMs: number): Promise<number> {
    const started = Date.now();
    return this.withAdmin(async (admin) => {
      let missing: string[] = [];
      while (Date.now() - started < timeoutMs) {
        try {
          const { topics } = await admin.fetchTopicMetadata();
          missing = topics.flatMap((topic) =>
            topic.partitions
              .filter((p) => p.replicas.includes(nodeId) && !p.isr.includes(nodeId))
              .map((p) => `${topic.name}/${p.partitionId} isr [${p.isr.join(',')}]`),
          );
          if (missing.length === 0) return Date.now() - started;
        } catch (error) {
          missing = [`metadata unreadable: ${(error as Error).message}`];
        }
        await sleep(250);
      }
      throw new Error(
        `node ${nodeId} not back in sync after ${timeoutMs} ms: ${missing.slice(0, 6).join('; ')}`,
      );
    });
  }

  /**
   * The smallest replica count and in-sync set over every partition of `topics`, or of every
   * topic in the cluster (internal ones and the infra's readiness topic included).
   */
  async replication(topics?: readonly string[]): Promise<{ replicas: number; inSync: number }> {
    return this.withAdmin(async (admin) => {
      const { topics: described } = await admin.fetchTopicMetadata(
        topics === undefined ? undefined : { topics: [...topics] },
      );
      const partitions = described.flatMap((topic) => topic.partitions);
      return {
        replicas: Math.min(...partitions.map((p) => p.replicas.length)),
        inSync: Math.min(...partitions.map((p) => p.isr.length)),
      };
    });
  }

  private async withAdmin<T>(use: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    const admin = new Kafka({
      clientId: 'faults-cluster-check',
      brokers: this.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 200 },
    }).admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect();
    }
  }

  private pid(nodeId: number): number {
    const record = JSON.parse(readFileSync(clusterFile, 'utf8')) as {
      nodes: Array<{ nodeId: number; pid: number }>;
    };
    const pid = record.nodes.find((node) => node.nodeId === nodeId)?.pid;
    if (pid === undefined) throw new Error(`no running node ${nodeId} in ${clusterFile}`);
    return pid;
  }

  /** `tsx tools/infra/cli.ts --instance faults-cluster ...` on the cluster's ports. */
  private cli(args: readonly string[]): Promise<string> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOOKLINE_KAFKA_PORT: String(this.base),
      HOOKLINE_KAFKA_CONTROLLER_PORT: String(this.base + 1),
    };
    // The cluster replaces the broker; PostgreSQL is the suite's, which `up` only checks.
    delete env['KAFKA_BROKERS'];
    return new Promise((resolve, reject) => {
      execFile(
        path.join(workspaceRoot, 'node_modules', '.bin', 'tsx'),
        [
          path.join(workspaceRoot, 'tools', 'infra', 'cli.ts'),
          '--instance',
          CLUSTER_INSTANCE,
          ...args,
        ],
        { cwd: workspaceRoot, env, timeout: 240_000 },
        (error, stdout, stderr) => {
          if (error)
            reject(new Error(`infra ${args.join(' ')} failed: ${error.message}\n${stderr}`));
          else resolve(stdout);
        },
      );
    });
  }
}

/** Kafka's partition of `__consumer_offsets` for a group: the name's Java hash, made positive. */
function groupPartition(groupId: string, partitions: number): number {
  if (partitions <= 0) throw new Error('__consumer_offsets has no partitions');
  let hash = 0;
  for (let i = 0; i < groupId.length; i += 1) {
    hash = (Math.imul(31, hash) + groupId.charCodeAt(i)) | 0;
  }
  // Kafka's Utils.abs: the one int without a positive counterpart becomes 0.
  const positive = hash === -2147483648 ? 0 : Math.abs(hash);
  return positive % partitions;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
