import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The environment `npm run test:faults` hands the suite (tools/scripts/test-faults.ts). */
export const SUITE_ENV = {
  /** The tools/infra instance whose servers the suite may kill. */
  instance: 'HOOKLINE_FAULTS_INFRA_INSTANCE',
  /** That instance's state file, which records the servers' pids. */
  stateFile: 'HOOKLINE_FAULTS_INFRA_STATE',
} as const;

interface RecordedPids {
  readonly kafka: number | undefined;
  readonly postgres: number | undefined;
}

/**
 * The Kafka broker and the PostgreSQL server of the suite's own tools/infra instance, never the
 * ones `npm test` runs against: started and stopped through the infra CLI (so a restart is the
 * same `up` a developer runs), and signalled directly by the pids the instance records.
 */
export class SuiteServers {
  private readonly instance: string;
  private readonly stateFile: string;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const instance = env[SUITE_ENV.instance];
    const stateFile = env[SUITE_ENV.stateFile];
    if (!instance || !stateFile) {
      throw new Error(
        `The fault suite kills its own broker and database: run it with \`npm run test:faults\`, ` +
          `which starts them and sets ${SUITE_ENV.instance} and ${SUITE_ENV.stateFile}.`,
      );
    }
    this.instance = instance;
    this.stateFile = stateFile;
  }

  /** Starts whichever server is not running (a running one is reused) and waits until both serve. */
  async up(): Promise<void> {
    await this.cli(['up']);
  }

  /** Stops the broker cleanly: SIGTERM, a controlled shutdown. */
  async stopKafka(): Promise<void> {
    await this.cli(['down', 'kafka']);
  }

  /** Sends `signal` to the broker's JVM. */
  signalKafka(signal: NodeJS.Signals): void {
    process.kill(this.pid('kafka'), signal);
  }

  /**
   * Sends `signal` to every PostgreSQL process: the postmaster and each of its children (which
   * run in sessions of their own, so no process group reaches them all). The postmaster is
   * stopped first, so it forks nothing while the children are signalled.
   */
  async signalPostgres(signal: 'SIGSTOP' | 'SIGCONT' | 'SIGKILL'): Promise<number> {
    const postmaster = this.pid('postgres');
    if (signal === 'SIGCONT') {
      const all = [postmaster, ...childrenOf(postmaster)];
      for (const pid of all) signalIfAlive(pid, 'SIGCONT');
      return all.length;
    }
    signalIfAlive(postmaster, 'SIGSTOP');
    const children = childrenOf(postmaster);
    for (const pid of children) signalIfAlive(pid, signal);
    signalIfAlive(postmaster, signal);
    if (signal === 'SIGKILL') {
      const deadline = Date.now() + 10_000;
      while ([postmaster, ...children].some(isAlive)) {
        if (Date.now() > deadline) throw new Error('PostgreSQL processes outlived SIGKILL');
        await sleep(50);
      }
    }
    return children.length + 1;
  }

  /** Waits until the broker's JVM has exited (after a kill). */
  async waitForKafkaExit(timeoutMs = 15_000): Promise<void> {
    const pid = this.pid('kafka');
    const deadline = Date.now() + timeoutMs;
    while (isAlive(pid)) {
      if (Date.now() > deadline) throw new Error(`Kafka (pid ${pid}) still runs`);
      await sleep(50);
    }
  }

  private pid(service: 'kafka' | 'postgres'): number {
    const pid = this.recorded()[service];
    if (pid === undefined) throw new Error(`no ${service} recorded in ${this.stateFile}`);
    return pid;
  }

  private recorded(): RecordedPids {
    const state = JSON.parse(readFileSync(this.stateFile, 'utf8')) as {
      kafka?: { pid: number };
      postgres?: { pid: number };
    };
    return { kafka: state.kafka?.pid, postgres: state.postgres?.pid };
  }

  /** `tsx tools/infra/cli.ts --instance <name> ...`, with the suite's ports and nothing external. */
  private cli(args: readonly string[]): Promise<string> {
    const env = { ...process.env };
    // Set, they would make `up` use "that" server instead of starting the instance's own.
    delete env['KAFKA_BROKERS'];
    delete env['DATABASE_URL'];
    return new Promise((resolve, reject) => {
      execFile(
        path.join(workspaceRoot, 'node_modules', '.bin', 'tsx'),
        [
          path.join(workspaceRoot, 'tools', 'infra', 'cli.ts'),
          '--instance',
          this.instance,
          ...args,
        ],
        { cwd: workspaceRoot, env, timeout: 180_000 },
        (error, stdout, stderr) => {
          if (error)
            reject(new Error(`infra ${args.join(' ')} failed: ${error.message}\n${stderr}`));
          else resolve(stdout);
        },
      );
    });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed child of ours lingers as a zombie until reaped; it is gone for every purpose here.
  const stat = readProc(pid, 'stat');
  if (stat === undefined) return true;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Direct children of `pid`, from /proc (every PostgreSQL process is the postmaster's child). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(Number(entry), 'stat');
    if (stat === undefined) continue;
    // Field 4 (ppid) follows the parenthesised command name, which may hold spaces.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === pid) children.push(Number(entry));
  }
  return children;
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}
