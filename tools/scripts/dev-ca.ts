/**
 * The development CA of `npm start`: a certificate authority and a server certificate for
 * 127.0.0.1 and localhost it signed, kept in `.hookline/dev-ca/` (git-ignored). The worker trusts
 * the CA (HOOKLINE_EXTRA_CA_FILE) so that a local receiver, such as `npm run demo`'s, can serve
 * HTTPS with the certificate.
 */
import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface DevCaFiles {
  readonly dir: string;
  /** The CA certificate (PEM): what the worker trusts. */
  readonly caFile: string;
  /** The server certificate for 127.0.0.1 and localhost (PEM). */
  readonly certFile: string;
  /** The server certificate's private key (PEM). */
  readonly keyFile: string;
}

export interface DevCa {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

const CA_VALID_DAYS = '3650';
const CERT_VALID_DAYS = '825';
// Renewed this long before it expires, so a running demo never meets an expired certificate.
const RENEW_BEFORE_MS = 7 * 24 * 60 * 60 * 1000;

// Config files rather than -subj/-addext flags, so the result does not depend on the system
// openssl.cnf (as in libs/shared/testing's test CA).
const caConfig = (): string => `[req]
prompt = no
distinguished_name = dn
x509_extensions = ext
[dn]
CN = Hookline Development CA ${randomBytes(4).toString('hex')}
[ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;

const CERT_CONFIG = `[req]
prompt = no
distinguished_name = dn
[dn]
CN = localhost
[ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

export function devCaFiles(root: string): DevCaFiles {
  const dir = path.join(root, '.hookline', 'dev-ca');
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    certFile: path.join(dir, 'cert.pem'),
    keyFile: path.join(dir, 'key.pem'),
  };
}

/**
 * Reads the development CA and its server certificate.
 * @throws Error naming `npm start` when they are missing.
 */
export function loadDevCa(root: string): DevCa {
  const files = devCaFiles(root);
  try {
    return {
      caPem: readFileSync(files.caFile, 'utf8'),
      certPem: readFileSync(files.certFile, 'utf8'),
      keyPem: readFileSync(files.keyFile, 'utf8'),
    };
  } catch (error) {
    throw new Error(
      `the development CA is missing in ${path.relative(root, files.dir)} (${(error as NodeJS.ErrnoException).code ?? String(error)}); ` +
        '`npm start` creates it',
    );
  }
}

/**
 * Creates the CA and the server certificate unless valid ones are kept already.
 * @returns the files, and whether they were created now.
 */
export async function ensureDevCa(root: string): Promise<DevCaFiles & { created: boolean }> {
  const files = devCaFiles(root);
  if (isUsable(files)) return { ...files, created: false };
  rmSync(files.dir, { recursive: true, force: true });
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  const file = (name: string): string => path.join(files.dir, name);
  writeFileSync(file('ca.cnf'), caConfig());
  writeFileSync(file('cert.cnf'), CERT_CONFIG);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...ecKey,
    '-config',
    file('ca.cnf'),
    '-days',
    CA_VALID_DAYS,
    '-keyout',
    file('ca-key.pem'),
    '-out',
    files.caFile,
  ]);
  await openssl([
    'req',
    '-new',
    ...ecKey,
    '-config',
    file('cert.cnf'),
    '-keyout',
    files.keyFile,
    '-out',
    file('cert.csr'),
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    file('cert.csr'),
    '-CA',
    files.caFile,
    '-CAkey',
    file('ca-key.pem'),
    '-set_serial',
    `0x7${randomBytes(15).toString('hex')}`,
    '-days',
    CERT_VALID_DAYS,
    '-extfile',
    file('cert.cnf'),
    '-extensions',
    'ext',
    '-out',
    files.certFile,
  ]);
  for (const key of [file('ca-key.pem'), files.keyFile]) chmodSync(key, 0o600);
  return { ...files, created: true };
}

/** All files present, the certificate signed by the CA, and neither about to expire. */
function isUsable(files: DevCaFiles): boolean {
  if (![files.caFile, files.certFile, files.keyFile].every((f) => existsSync(f))) return false;
  try {
    const ca = new X509Certificate(readFileSync(files.caFile));
    const cert = new X509Certificate(readFileSync(files.certFile));
    const horizon = Date.now() + RENEW_BEFORE_MS;
    return (
      cert.checkIssued(ca) &&
      cert.verify(ca.publicKey) &&
      Date.parse(ca.validTo) > horizon &&
      Date.parse(cert.validTo) > horizon
    );
  } catch {
    return false;
  }
}

function openssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error) {
        reject(
          new Error(
            `creating the development CA failed: openssl ${args[0]}: ${error.message}\n${stderr}`,
          ),
        );
      } else {
        resolve();
      }
    });
  });
}
