import { type ChildProcess, spawn } from 'node:child_process';

import { isOurProcess, isProcessAlive, processCommandLine, stopProcess } from './processes';

/** A node process that prints "ready" once its signal handlers are installed. */
function startChild(script: string): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ['-e', script, 'hookline-spec-marker'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', () => resolve(child as ChildProcess & { pid: number }));
  });
}

const SLEEPER = "setInterval(() => undefined, 1000); console.log('ready');";
const STUBBORN = `process.on('SIGTERM', () => undefined); ${SLEEPER}`;

describe('processes', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('recognises our process by a marker in its command line, and nothing else', async () => {
    const child = await startChild(SLEEPER);
    children.push(child);
    expect(isProcessAlive(child.pid)).toBe(true);
    expect(processCommandLine(child.pid)).toContain('hookline-spec-marker');
    expect(isOurProcess(child.pid, 'hookline-spec-marker')).toBe(true);
    expect(isOurProcess(child.pid, '/some/other/data/dir')).toBe(false);
  });

  it('stops a process with the first signal when it obeys', async () => {
    const child = await startChild(SLEEPER);
    children.push(child);
    expect(await stopProcess(child.pid, { signals: ['SIGTERM'], graceMs: 5000 })).toBe('stopped');
    expect(isProcessAlive(child.pid)).toBe(false);
  });

  it('escalates to SIGKILL when every polite signal is ignored', async () => {
    const child = await startChild(STUBBORN);
    children.push(child);
    const started = Date.now();
    expect(await stopProcess(child.pid, { signals: ['SIGTERM'], graceMs: 300 })).toBe('killed');
    expect(isProcessAlive(child.pid)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('reports a process that has already gone without signalling anything', async () => {
    const child = await startChild(SLEEPER);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(isProcessAlive(child.pid)).toBe(false);
    expect(isOurProcess(child.pid, 'hookline-spec-marker')).toBe(false);
    expect(await stopProcess(child.pid, { signals: ['SIGTERM'], graceMs: 100 })).toBe(
      'not-running',
    );
  });
});
