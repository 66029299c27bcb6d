import { appNodeFlags } from '@hookline/shared-config';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export interface AppProcess {
  readonly child: ChildProcess;
  /** The HTTP port it was given. */
  readonly port: number;
  /** Everything the process wrote, stdout and stderr interleaved. */
  output(): string;
  /** Resolves once GET `path` answers 200, or rejects when the process exits or time runs out. */
  waitForHttp(path: string, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

const workspaceRoot = path.resolve(__dirname, '../../../..');

/**
 * Runs a built app (`dist/apps/<name>/main.js`, from `nx build <name>`) as a process of its own,
 * as production runs it (with its `APP_NODE_FLAGS`), so a test can kill it with any signal.
 */
export function startAppProcess(name: string, env: NodeJS.ProcessEnv, port: number): AppProcess {
  const main = path.join(workspaceRoot, 'dist', 'apps', name, 'main.js');
  const child = spawn(process.execPath, [...appNodeFlags(name), main], {
    cwd: workspaceRoot,
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    port,
    output: () => output,
    waitForHttp: async (urlPath, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`${name} exited:\n${output.slice(-4000)}`);
        const ok = await fetch(`http://127.0.0.1:${port}${urlPath}`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`${name} did not answer ${urlPath} in time:\n${output.slice(-4000)}`);
    },
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
