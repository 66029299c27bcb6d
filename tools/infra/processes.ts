import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';

import { isErrnoException } from './state';

/** True when a process with this pid exists and is not a zombie waiting to be reaped. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return isErrnoException(error) && error.code === 'EPERM';
  }
  const stat = readProcFile(pid, 'stat');
  if (stat === undefined) return true;
  // Field 3, after the parenthesised command name (which may itself hold spaces or parens).
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** The process's command line, or undefined when it has gone. */
export function processCommandLine(pid: number): string | undefined {
  const cmdline = readProcFile(pid, 'cmdline');
  if (cmdline !== undefined) return cmdline.split('\0').join(' ').trim();
  if (process.platform === 'linux') return undefined;
  try {
    return execFileSync('ps', ['-p', String(pid), '-o', 'command='], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // ps exits 1 when there is no such process.
    return undefined;
  }
}

/**
 * A recorded pid is ours only when that process is alive and its command line still names our
 * config or data directory: pids are reused, and `down` must never signal a stranger.
 */
export function isOurProcess(pid: number, marker: string): boolean {
  if (!isProcessAlive(pid)) return false;
  return processCommandLine(pid)?.includes(marker) ?? false;
}

function readProcFile(pid: number, name: string): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return fs.readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    return undefined;
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

export type StopOutcome = 'stopped' | 'killed' | 'not-running';

export interface StopPlan {
  /** Signals to send in turn, each followed by a wait of up to `graceMs`; SIGKILL comes last. */
  readonly signals: readonly NodeJS.Signals[];
  readonly graceMs: number;
}

/** Asks the process to stop, escalating signal by signal, and SIGKILL once all were ignored. */
export async function stopProcess(pid: number, plan: StopPlan): Promise<StopOutcome> {
  if (!isProcessAlive(pid)) return 'not-running';
  for (const signal of plan.signals) {
    if (!signalProcess(pid, signal)) return 'stopped';
    if (await waitForExit(pid, plan.graceMs)) return 'stopped';
  }
  if (!signalProcess(pid, 'SIGKILL')) return 'stopped';
  if (await waitForExit(pid, 5000)) return 'killed';
  throw new Error(`pid ${pid} is still alive 5 s after SIGKILL`);
}

/** False when the process had already gone. */
function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ESRCH') return false;
    throw error;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface DetachedSpawn {
  readonly file: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Run as this user and group (root starting PostgreSQL, which refuses to run as root). */
  readonly uid?: number;
  readonly gid?: number;
}

/**
 * Starts a server in its own process group with stdout and stderr appended to its log file, and
 * lets go of it: it outlives this process, and `down` stops it later by pid.
 */
export function spawnDetached(options: DetachedSpawn): Promise<number> {
  const logFd = fs.openSync(options.logFile, 'a');
  try {
    const child = spawn(options.file, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        if (child.pid === undefined) reject(new Error(`${options.file} started without a pid`));
        else resolve(child.pid);
      });
    });
  } finally {
    fs.closeSync(logFd);
  }
}
