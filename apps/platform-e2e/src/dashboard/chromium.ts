import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const CANDIDATES = [
  process.env['CHROMIUM_PATH'],
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/lib/chromium/chromium',
];

function executable(file: string | undefined): file is string {
  if (!file) return false;
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const HOW =
  'The dashboard tests drive Debian’s chromium. Install it with\n' +
  '  sudo apt-get update && sudo apt-get install -y chromium\n' +
  'or point CHROMIUM_PATH at a Chromium or Chrome executable.';

/**
 * The Chromium executable to drive: CHROMIUM_PATH, or the system's. When there is none and this
 * process is root, installs Debian's `chromium` with apt-get; otherwise throws saying how.
 */
export function ensureChromium(log: (line: string) => void): string {
  const found = CANDIDATES.find(executable);
  if (found) return found;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).stdout.trim();
  if (!root || apt === '') throw new Error(`No Chromium found.\n${HOW}`);
  log('no Chromium found: installing Debian’s chromium with apt-get (once per machine)');
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: 'inherit',
      env,
    });
  } catch (error) {
    throw new Error(`Installing chromium failed (${String(error)}).\n${HOW}`);
  }
  const installed = CANDIDATES.find(executable);
  if (!installed) throw new Error(`chromium was installed but not found.\n${HOW}`);
  return installed;
}
