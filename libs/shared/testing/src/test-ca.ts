import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCa {
  /** The CA certificate (PEM): what a client trusts, e.g. `https.request({ ca: caPem })`. */
  readonly caPem: string;
  /** The server certificate (PEM), for `localhost`, `127.0.0.1` and `::1`, signed by the CA. */
  readonly certPem: string;
  /** The server certificate's private key (PEM). */
  readonly keyPem: string;
  /** The CA certificate on disk, for settings that take a file (`HOOKLINE_EXTRA_CA_FILE`). */
  readonly caFile: string;
  /**
   * Deletes the files now rather than at process exit. Every holder of this CA shares them, so
   * the next `createTestCa()` generates a new one.
   */
  dispose(): Promise<void>;
}

const OPENSSL = 'openssl';
const VALID_DAYS = '7';

// Written as config files, not -subj/-addext flags, so the result does not depend on the
// system openssl.cnf (whose default v3_ca section would clash with our extensions).
// A distinct name per CA, so a certificate from another run's CA reads as an unknown issuer.
const caConfig = (): string => `[req]
prompt = no
distinguished_name = dn
x509_extensions = ext
[dn]
CN = Hookline Test CA ${randomBytes(4).toString('hex')}
[ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;

const LEAF_CONFIG = `[req]
prompt = no
distinguished_name = dn
[dn]
CN = localhost
[ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:127.0.0.2, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

let cached: Promise<TestCa> | undefined;
let cachedCa: TestCa | undefined;

/**
 * A throwaway certificate authority and a server certificate it signed, generated with the
 * `openssl` CLI (EC P-256, valid a week) into a temp dir that is removed when the process ends.
 * Generated once per process: every call returns the same CA, so several receivers share it.
 */
export function createTestCa(): Promise<TestCa> {
  if (!cached) {
    const generating = generateTestCa().then((ca) => (cachedCa = ca));
    cached = generating;
    // A failed attempt must not poison later calls.
    generating.catch(() => {
      if (cached === generating) cached = undefined;
    });
  }
  return cached;
}

async function generateTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hookline-test-ca-'));
  const stopWatching = removeWhenProcessEnds(dir);
  const file = (name: string): string => path.join(dir, name);
  let ca: TestCa | undefined;
  let disposed = false;
  const dispose = async (): Promise<void> => {
    if (disposed) return;
    disposed = true;
    stopWatching();
    if (ca && cachedCa === ca) {
      cached = undefined;
      cachedCa = undefined;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await writeFile(file('ca.cnf'), caConfig());
    await writeFile(file('leaf.cnf'), LEAF_CONFIG);
    const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await openssl([
      'req',
      '-x509',
      ...ecKey,
      '-config',
      file('ca.cnf'),
      '-days',
      VALID_DAYS,
      '-keyout',
      file('ca-key.pem'),
      '-out',
      file('ca.pem'),
    ]);
    await openssl([
      'req',
      '-new',
      ...ecKey,
      '-config',
      file('leaf.cnf'),
      '-keyout',
      file('key.pem'),
      '-out',
      file('leaf.csr'),
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      file('leaf.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca-key.pem'),
      // Positive and unique, so a client never sees two different certificates with one serial.
      '-set_serial',
      `0x7${randomBytes(15).toString('hex')}`,
      '-days',
      VALID_DAYS,
      '-extfile',
      file('leaf.cnf'),
      '-extensions',
      'ext',
      '-out',
      file('cert.pem'),
    ]);
    const pem = (name: string): Promise<string> => readFile(file(name), 'utf8');
    ca = {
      caPem: await pem('ca.pem'),
      certPem: await pem('cert.pem'),
      keyPem: await pem('key.pem'),
      caFile: file('ca.pem'),
      dispose,
    };
    return ca;
  } catch (error) {
    await dispose();
    throw error;
  }
}

function openssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(OPENSSL, args, { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error) {
        reject(new Error(`openssl ${args[0]} failed: ${error.message}\n${stderr}`));
      } else {
        resolve();
      }
    });
  });
}

// Polls for the owning process and deletes the dir once it is gone, however it ended.
const REAPER = `
const [dir, ppid] = process.argv.slice(1);
const fs = require('node:fs');
setInterval(() => {
  let alive = fs.existsSync(dir);
  try { process.kill(Number(ppid), 0); } catch { alive = false; }
  if (!alive) { fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); }
}, 500);
`;

/**
 * Removes `dir` when this process exits. An 'exit' listener alone is not enough: Jest gives each
 * spec file a copy of `process` whose listeners never fire, and killed workers skip them anyway,
 * so a detached watcher process does the same job from outside.
 */
function removeWhenProcessEnds(dir: string): () => void {
  const removeNow = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeNow);
  const reaper = spawn(process.execPath, ['-e', REAPER, dir, String(process.pid)], {
    detached: true,
    stdio: 'ignore',
  });
  reaper.on('error', () => undefined); // the 'exit' listener still covers a plain node run
  reaper.unref();
  return () => {
    process.removeListener('exit', removeNow);
    if (reaper.exitCode === null && reaper.signalCode === null) reaper.kill();
  };
}
