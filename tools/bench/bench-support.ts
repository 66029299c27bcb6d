// What the end-to-end benchmarks share: their settings from flags or the environment, the bare
// axios ceiling against the same receiver, and what /proc says about a process's CPU and memory.
import type { HttpsReceiver } from '@hookline/shared-testing';
import axios from 'axios';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import https from 'node:https';

/** The header carrying a delivery's id, counted at the receiver. */
export const DELIVERY_HEADER = 'x-corgea-delivery';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const perSecond = (count: number, ms: number) => Math.round(count / (ms / 1000));

/** The value of `--flag=` on the command line, else of the environment variable (if named). */
export function raw(flag: string, envName?: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${flag}=`));
  return arg
    ? arg.slice(flag.length + 3)
    : envName === undefined
      ? undefined
      : process.env[envName];
}

/** Calls `task` with 0 .. count - 1, at most `concurrency` of them running at once. */
export async function inParallel(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** A positive integer from `--flag=` or the environment variable, else `fallback`. */
export function setting(flag: string, envName: string, fallback: number, min = 1): number {
  const text = raw(flag, envName);
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${flag} / ${envName} must be an integer of at least ${min}, got ${text}`);
  }
  return value;
}

/** One of `choices` from `--flag=` or the environment variable, else `fallback`. */
export function choice<T extends string>(
  flag: string,
  envName: string,
  choices: readonly T[],
  fallback: T,
): T {
  const text = raw(flag, envName) ?? fallback;
  const found = choices.find((c) => c === text);
  if (found === undefined) {
    throw new Error(`--${flag} / ${envName} must be one of ${choices.join(', ')}, got ${text}`);
  }
  return found;
}

export interface BarePosts {
  readonly count: number;
  readonly concurrency: number;
  readonly bodyBytes: number;
  /** Posts go round-robin to `/hooks/0` .. `/hooks/<paths - 1>`. */
  readonly paths: number;
}

/**
 * The receiver's ceiling: `count` posts of `bodyBytes` with bare axios and a keep-alive agent,
 * `concurrency` at a time. Resolves with the milliseconds it took.
 */
export async function barePosts(receiver: HttpsReceiver, options: BarePosts): Promise<number> {
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: options.concurrency,
    ca: receiver.ca.caPem,
  });
  const client = axios.create({ httpsAgent: agent, validateStatus: () => true });
  const body = Buffer.alloc(options.bodyBytes, 'x');
  const started = Date.now();
  await inParallel(options.count, options.concurrency, (i) =>
    client.post(receiver.url(`/hooks/${i % options.paths}`), body, {
      headers: { 'content-type': 'application/json', [DELIVERY_HEADER]: `bare-${i}` },
    }),
  );
  const ms = Date.now() - started;
  agent.destroy();
  return ms;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** The fields of /proc/<pid>/stat after the command name; undefined once the process is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU milliseconds (user + system) a process has used; with `reaped`, also those of its children
 * it has waited for (a postmaster's ended backends).
 */
export function cpuMs(pid: number, reaped = false): number {
  const f = statFields(pid);
  if (f === undefined) return 0;
  // Fields 14-17 of stat (utime, stime, cutime, cstime) are 11-14 after the state field.
  const ticks = Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0);
  return (ticks * 1000) / CLOCK_TICKS;
}

/** The pids whose parent is `pid` (a postmaster's backends and auxiliary processes). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (statFields(Number(entry))?.[1] === String(pid)) children.push(Number(entry));
  }
  return children;
}

/** CPU milliseconds of a server and every process under it, ended ones included. */
export function serverCpuMs(pid: number): number {
  return cpuMs(pid, true) + childPids(pid).reduce((sum, child) => sum + cpuMs(child), 0);
}

/** A `<field>: <n> kB` line of a /proc file, in kB; 0 once the file (its process) is gone. */
function procKb(path: string, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(path, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** A /proc/<pid>/status figure in kB (`VmRSS`, `VmHWM`), 0 once the process is gone. */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  return procKb(`/proc/${pid}/status`, field);
}

/**
 * A process's proportional set size in kB (`Pss` of /proc/<pid>/smaps_rollup): its private pages
 * and its share of the pages it shares with others (the Node binary's, mapped by every app), so
 * the figures of processes add up to the memory they take together. 0 once the process is gone.
 */
export function pssKb(pid: number): number {
  return procKb(`/proc/${pid}/smaps_rollup`, 'Pss');
}

/** The machine's CPU time in clock ticks so far (/proc/stat): all of it, and that stolen from it. */
export function machineTicks(): { readonly total: number; readonly steal: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time is in user.
  const ticks = fields.slice(1, 9).map(Number);
  return { total: ticks.reduce((sum, t) => sum + t, 0), steal: ticks[7] ?? 0 };
}

/** The value at quantile `q` (0..1) of ascending `sorted`, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

/** `uptime`'s load averages, for every figure printed beside them. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
