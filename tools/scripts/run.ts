import { spawn, type SpawnOptions } from 'node:child_process';

/** Runs a command with inherited stdio; resolves with its exit code (never rejects on failure). */
export function run(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Seconds since `start`, for the phase timings the scripts print. */
export const secondsSince = (start: number): string =>
  `${((Date.now() - start) / 1000).toFixed(1)}s`;

/** The environment every Nx call of the scripts runs with: no cloud, no daemon left behind. */
export const nxEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  NX_NO_CLOUD: 'true',
  NX_DAEMON: 'false',
  NX_TUI: 'false',
  ...extra,
});

/** Runs a script's main and exits with its code; an error is printed as its message, exit 1. */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
