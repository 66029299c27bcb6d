import { ConfigError, tlsTrustFailure } from '@hookline/shared-config';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

/** The `sslmode` values the client honours, as libpq means them. */
export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface DatabaseConnection {
  /** `DATABASE_URL` without its TLS parameters, which {@link ssl} stands for. */
  readonly url: string;
  /** pg's `ssl` option; false for a plaintext connection. */
  readonly ssl: ConnectionOptions | false;
  readonly sslMode: SslMode;
}

const TLS_PARAMETERS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat'];

/**
 * Reads TLS from `DATABASE_URL`'s `sslmode` (disable, require, verify-ca, verify-full; unset:
 * disable) and the CA the server's certificate must chain to (`DATABASE_SSL_CA_FILE`, else the
 * system's). pg reads the URL's own TLS parameters differently between versions (`require`
 * verifies in some), so they are taken out of the URL and given to pg as one `ssl` object.
 * A bad value stops the boot naming the setting.
 */
export function databaseConnection(
  databaseUrl: string,
  caFile = '',
  readFile: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): DatabaseConnection {
  const problems: string[] = [];
  const url = new URL(databaseUrl);
  const rawMode = url.searchParams.get('sslmode') ?? 'disable';
  if (url.searchParams.has('sslrootcert')) {
    problems.push('DATABASE_URL sslrootcert is not read: name the CA file in DATABASE_SSL_CA_FILE');
  }
  for (const name of TLS_PARAMETERS) url.searchParams.delete(name);
  const sslMode = (SSL_MODES as readonly string[]).includes(rawMode)
    ? (rawMode as SslMode)
    : undefined;
  if (sslMode === undefined) {
    problems.push(
      `DATABASE_URL sslmode must be one of ${SSL_MODES.join(', ')}, got "${rawMode}" (prefer and allow would fall back to plaintext silently)`,
    );
  }
  let ca: string | undefined;
  if (caFile !== '') {
    if (sslMode === 'disable') {
      problems.push(
        'DATABASE_SSL_CA_FILE is set but DATABASE_URL has no sslmode (use verify-full or verify-ca)',
      );
    }
    try {
      ca = readFile(caFile);
      if (!ca.includes('-----BEGIN ')) {
        problems.push(`DATABASE_SSL_CA_FILE must name a PEM file, ${caFile} holds no PEM block`);
      }
    } catch (error) {
      problems.push(
        `DATABASE_SSL_CA_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}): ${caFile}`,
      );
    }
  }
  if (problems.length > 0 || sslMode === undefined) throw new ConfigError(problems);
  return { url: url.toString(), ssl: sslOptions(sslMode, ca), sslMode };
}

function sslOptions(mode: SslMode, ca: string | undefined): ConnectionOptions | false {
  const trust = ca === undefined ? {} : { ca };
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      // Encrypted, the certificate not checked: libpq's require.
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // The chain is checked, the host name is not.
      return { ...trust, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...trust, rejectUnauthorized: true };
  }
}

/**
 * Says which setting to look at when the server refused the first connection: the user or
 * password of `DATABASE_URL`, its `sslmode`, or the CA in `DATABASE_SSL_CA_FILE`. Undefined for
 * any other failure (a server that is down is not a setting's fault).
 */
export function explainDatabaseConnectError(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === '28P01' || code === '28000') {
    return /no pg_hba.conf entry|SSL off|no encryption/i.test(message)
      ? `the server refused a connection without TLS (DATABASE_URL sslmode): ${message}`
      : `the server refused the user or password of DATABASE_URL: ${message}`;
  }
  if (tlsTrustFailure(error) !== undefined) {
    return `the server's TLS certificate is not trusted (DATABASE_SSL_CA_FILE, DATABASE_URL sslmode): ${message}`;
  }
  if (/does not support SSL/i.test(message)) {
    return `the server does not accept TLS (DATABASE_URL sslmode): ${message}`;
  }
  return undefined;
}

/** A first connection the server refused, with the settings to look at in its message. */
export class DatabaseConnectRefusedError extends Error {
  override readonly name = 'DatabaseConnectRefusedError';
}
