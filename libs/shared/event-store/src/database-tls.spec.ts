import { ConfigError } from '@hookline/shared-config';
import { databaseConnection, explainDatabaseConnectError } from './database-tls';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const readFile = (file: string): string => {
  if (file === '/ca.pem') return CA;
  throw Object.assign(new Error('missing'), { code: 'ENOENT' });
};
const URL_BASE = 'postgres://hookline:pw@db.internal:5432/hookline';

describe('database TLS from DATABASE_URL sslmode and DATABASE_SSL_CA_FILE', () => {
  it('is plaintext without sslmode, the URL unchanged', () => {
    expect(databaseConnection(URL_BASE)).toEqual({
      url: URL_BASE,
      ssl: false,
      sslMode: 'disable',
    });
  });

  it('verify-full checks the chain against the CA file and the host name', () => {
    const connection = databaseConnection(
      `${URL_BASE}?sslmode=verify-full&application_name=x`,
      '/ca.pem',
      readFile,
    );
    expect(connection.url).toBe(`${URL_BASE}?application_name=x`);
    expect(connection.ssl).toEqual({ ca: CA, rejectUnauthorized: true });
  });

  it('verify-ca checks the chain but not the host name', () => {
    const { ssl } = databaseConnection(`${URL_BASE}?sslmode=verify-ca`, '/ca.pem', readFile);
    expect(ssl).toMatchObject({ ca: CA, rejectUnauthorized: true });
    expect(ssl && ssl.checkServerIdentity?.('other.host', {} as never)).toBeUndefined();
  });

  it('require encrypts without checking the certificate, as libpq does', () => {
    expect(databaseConnection(`${URL_BASE}?sslmode=require`).ssl).toEqual({
      rejectUnauthorized: false,
    });
  });

  it('refuses prefer, whose silent fall back to plaintext a production setting must not have', () => {
    expect(() => databaseConnection(`${URL_BASE}?sslmode=prefer`)).toThrow(
      /DATABASE_URL sslmode must be one of disable, require, verify-ca, verify-full, got "prefer"/,
    );
  });

  it('a CA file that cannot be read, or with TLS off, names DATABASE_SSL_CA_FILE', () => {
    const problems = (url: string, file: string): readonly string[] => {
      try {
        databaseConnection(url, file, readFile);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
      }
      return [];
    };
    expect(problems(`${URL_BASE}?sslmode=verify-full`, '/missing.pem')).toEqual([
      'DATABASE_SSL_CA_FILE cannot be read (ENOENT): /missing.pem',
    ]);
    expect(problems(URL_BASE, '/ca.pem')).toEqual([
      'DATABASE_SSL_CA_FILE is set but DATABASE_URL has no sslmode (use verify-full or verify-ca)',
    ]);
  });

  it('names the setting behind a refused password or an untrusted certificate', () => {
    const refused = Object.assign(new Error('password authentication failed for user "x"'), {
      code: '28P01',
    });
    expect(explainDatabaseConnectError(refused)).toMatch(/user or password of DATABASE_URL/);
    const untrusted = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    expect(explainDatabaseConnectError(untrusted)).toMatch(/DATABASE_SSL_CA_FILE/);
    expect(explainDatabaseConnectError(new Error('connect ECONNREFUSED'))).toBeUndefined();
  });
});
