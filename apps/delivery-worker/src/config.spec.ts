import { DEFAULT_RETRY_POLICY } from '@hookline/deliveries-domain';
import { ConfigError } from '@hookline/shared-config';
import { generateMasterKey, KeyRing } from '@hookline/shared-crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from './config';

describe('delivery-worker configuration', () => {
  const masterKey = generateMasterKey('k1');
  const minimal = {
    KAFKA_BROKERS: '127.0.0.1:9092',
    DATABASE_URL: 'postgres://hookline:pw@127.0.0.1:5432/hookline',
    HOOKLINE_MASTER_KEY: masterKey,
  };
  let dir: string;
  let caFile: string;
  // Sets the two optional settings that have no default value, so that the tests of other
  // settings do not depend on how an unset optional setting is read.
  let base: Record<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hookline-config-spec-'));
    caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    base = {
      ...minimal,
      HOOKLINE_EGRESS_ALLOW_CIDRS: '10.20.0.0/16',
      HOOKLINE_EXTRA_CA_FILE: caFile,
    };
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The problems a ConfigError lists, or a failure naming what was thrown instead. */
  function problemsOf(source: Record<string, string>): readonly string[] {
    try {
      loadConfig(source);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  }

  it('listens on loopback port 3002 unless told otherwise', () => {
    const config = loadConfig(base);
    expect(config.HOOKLINE_DELIVERY_WORKER_HOST).toBe('127.0.0.1');
    expect(config.HOOKLINE_DELIVERY_WORKER_PORT).toBe(3002);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it.each([
    ['left unset', {}],
    [
      'set empty as in .env.example',
      { HOOKLINE_EGRESS_ALLOW_CIDRS: '', HOOKLINE_EXTRA_CA_FILE: '' },
    ],
  ])('boots on the documented defaults with the optional settings %s', (_how, optional) => {
    const config = loadConfig({ ...minimal, ...optional });
    expect(config).toMatchObject({
      HOOKLINE_VENDOR: 'Corgea',
      HOOKLINE_DELIVERY_CONCURRENCY: 64,
      HOOKLINE_DELIVERY_ENDPOINT_CONCURRENCY: 8,
      HOOKLINE_DELIVERY_LEASE_MS: 30_000,
      HOOKLINE_DELIVERY_TIMEOUT_MS: 10_000,
      allowCidrs: [],
      extraCa: undefined,
    });
    expect(config.retryPolicy).toEqual(DEFAULT_RETRY_POLICY);
  });

  it('defaults to vendor Corgea, 3 attempts 2 s then 4 s, and the documented limits', () => {
    const config = loadConfig(base);
    expect(config.HOOKLINE_VENDOR).toBe('Corgea');
    expect(config.retryPolicy).toEqual({
      maxAttempts: 3,
      delaysSeconds: [2, 4],
      retryAfterCapSeconds: DEFAULT_RETRY_POLICY.retryAfterCapSeconds,
    });
    expect(config.HOOKLINE_DELIVERY_CONCURRENCY).toBe(64);
    expect(config.HOOKLINE_DELIVERY_ENDPOINT_CONCURRENCY).toBe(8);
    expect(config.HOOKLINE_DELIVERY_LEASE_MS).toBe(30_000);
    expect(config.HOOKLINE_DELIVERY_TIMEOUT_MS).toBe(10_000);
  });

  it('parses the master key, the allow list, the extra CA and a retry policy', () => {
    const config = loadConfig({
      ...base,
      HOOKLINE_MASTER_KEY: `${generateMasterKey('k2')},${masterKey}`,
      HOOKLINE_EGRESS_ALLOW_CIDRS: '127.0.0.1/32, ::1/128',
      HOOKLINE_RETRY_POLICY: 'attempts=5;delays=1,2,3,4',
      HOOKLINE_VENDOR: 'Acme',
    });
    expect(config.keyRing).toBeInstanceOf(KeyRing);
    expect(config.keyRing.keyIds).toEqual(['k2', 'k1']);
    expect(config.allowCidrs).toEqual(['127.0.0.1/32', '::1/128']);
    expect(config.extraCa).toContain('BEGIN CERTIFICATE');
    expect(config.retryPolicy).toMatchObject({ maxAttempts: 5, delaysSeconds: [1, 2, 3, 4] });
    expect(config.HOOKLINE_VENDOR).toBe('Acme');
  });

  it('stops at boot naming each missing or malformed setting', () => {
    expect(() => loadConfig({ HOOKLINE_DELIVERY_WORKER_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOOKLINE_DELIVERY_WORKER_PORT: 'eighty' })).toThrow(
      /HOOKLINE_DELIVERY_WORKER_PORT must be an integer/,
    );
    expect(() => loadConfig({})).toThrow(/KAFKA_BROKERS is required/);
  });

  it('keeps delivery logs 90 days unless told otherwise, and names a bad window', () => {
    expect(loadConfig(base).HOOKLINE_RETENTION_DAYS).toBe(90);
    expect(loadConfig(base).HOOKLINE_RETENTION_INTERVAL_MS).toBe(3_600_000);
    expect(loadConfig({ ...base, HOOKLINE_RETENTION_DAYS: '30' }).HOOKLINE_RETENTION_DAYS).toBe(30);
    expect(problemsOf({ ...base, HOOKLINE_RETENTION_DAYS: '0' })).toEqual([
      'HOOKLINE_RETENTION_DAYS must be >= 1, got 0 (expected an integer)',
    ]);
    expect(problemsOf({ ...base, HOOKLINE_RETENTION_DAYS: 'ninety' })).toEqual([
      'HOOKLINE_RETENTION_DAYS must be an integer, got "ninety" (expected an integer)',
    ]);
  });

  it('requires HOOKLINE_MASTER_KEY', () => {
    const { HOOKLINE_MASTER_KEY: _unset, ...withoutKey } = base;
    expect(() => loadConfig(withoutKey)).toThrow(/HOOKLINE_MASTER_KEY is required/);
  });

  it('a malformed master key names the setting, never the key material', () => {
    const value = 'k1:c2hvcnQta2V5LW1hdGVyaWFs';
    const problems = problemsOf({ ...base, HOOKLINE_MASTER_KEY: value });
    expect(problems).toEqual([expect.stringMatching(/^HOOKLINE_MASTER_KEY /)]);
    expect(problems.join('\n')).not.toContain('c2hvcnQta2V5LW1hdGVyaWFs');
  });

  it.each([
    ['HOOKLINE_RETRY_POLICY', 'attempts=3;delays=2', /^HOOKLINE_RETRY_POLICY: /],
    ['HOOKLINE_RETRY_POLICY', 'three please', /^HOOKLINE_RETRY_POLICY: /],
    [
      'HOOKLINE_EGRESS_ALLOW_CIDRS',
      '10.0.0.1/8',
      /^HOOKLINE_EGRESS_ALLOW_CIDRS: entry "10\.0\.0\.1\/8" has host bits set/,
    ],
    ['HOOKLINE_EGRESS_ALLOW_CIDRS', 'localhost', /^HOOKLINE_EGRESS_ALLOW_CIDRS: entry "localhost"/],
    [
      'HOOKLINE_EXTRA_CA_FILE',
      '/nonexistent/hookline/ca.pem',
      /^HOOKLINE_EXTRA_CA_FILE cannot be read \(ENOENT\): \/nonexistent\/hookline\/ca\.pem$/,
    ],
  ])('a bad %s (%s) stops the worker naming it', (name, value, problem) => {
    expect(problemsOf({ ...base, [name]: value })).toEqual([expect.stringMatching(problem)]);
  });

  it('a lease must outlast the request timeout by 5 s', () => {
    expect(
      problemsOf({
        ...base,
        HOOKLINE_DELIVERY_TIMEOUT_MS: '10000',
        HOOKLINE_DELIVERY_LEASE_MS: '14999',
      }),
    ).toEqual([
      expect.stringMatching(
        /^HOOKLINE_DELIVERY_LEASE_MS must outlast HOOKLINE_DELIVERY_TIMEOUT_MS by at least 5000 ms.*got 14999$/,
      ),
    ]);
    expect(() =>
      loadConfig({
        ...base,
        HOOKLINE_DELIVERY_TIMEOUT_MS: '10000',
        HOOKLINE_DELIVERY_LEASE_MS: '15000',
      }),
    ).not.toThrow();
    // The lease default does not leave room for the longest timeout: it must be raised with it.
    expect(problemsOf({ ...base, HOOKLINE_DELIVERY_TIMEOUT_MS: '30000' })).toEqual([
      expect.stringMatching(/^HOOKLINE_DELIVERY_LEASE_MS /),
    ]);
  });

  it('the per-endpoint concurrency may not exceed the global one', () => {
    expect(
      problemsOf({
        ...base,
        HOOKLINE_DELIVERY_CONCURRENCY: '8',
        HOOKLINE_DELIVERY_ENDPOINT_CONCURRENCY: '9',
      }),
    ).toEqual([
      'HOOKLINE_DELIVERY_ENDPOINT_CONCURRENCY must not exceed HOOKLINE_DELIVERY_CONCURRENCY',
    ]);
    expect(() =>
      loadConfig({
        ...base,
        HOOKLINE_DELIVERY_CONCURRENCY: '8',
        HOOKLINE_DELIVERY_ENDPOINT_CONCURRENCY: '8',
      }),
    ).not.toThrow();
  });

  it('reports every bad setting at once', () => {
    const problems = problemsOf({
      ...base,
      HOOKLINE_MASTER_KEY: 'no-id-here',
      HOOKLINE_RETRY_POLICY: 'attempts=0',
      HOOKLINE_EGRESS_ALLOW_CIDRS: '10.0.0.1/8',
      HOOKLINE_EXTRA_CA_FILE: path.join(dir, 'missing.pem'),
      HOOKLINE_DELIVERY_LEASE_MS: '5000',
      HOOKLINE_DELIVERY_CONCURRENCY: '4',
    });
    expect(problems.map((problem) => problem.split(/[ :]/)[0])).toEqual([
      'HOOKLINE_MASTER_KEY',
      'HOOKLINE_RETRY_POLICY',
      'HOOKLINE_EGRESS_ALLOW_CIDRS',
      'HOOKLINE_EXTRA_CA_FILE',
      'HOOKLINE_DELIVERY_LEASE_MS',
      'HOOKLINE_DELIVERY_ENDPOINT_CONCURRENCY',
    ]);
  });
});
