import { ConfigError, parseEnv } from '@hookline/shared-config';
import { KAFKA_CONNECTION_SETTINGS, kafkaConnection } from './kafka-settings';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const files: Record<string, string> = { '/ca.pem': PEM, '/cert.pem': PEM, '/key.pem': PEM };
const readFile = (file: string): string => {
  const text = files[file];
  if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return text;
};

const connect = (env: Record<string, string>) =>
  kafkaConnection(
    parseEnv(KAFKA_CONNECTION_SETTINGS, { KAFKA_BROKERS: 'b1:9093,b2:9093', ...env }),
    readFile,
  );

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    connect(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('Kafka connection settings', () => {
  it('are plaintext without SASL unless told otherwise', () => {
    expect(connect({})).toEqual({ brokers: ['b1:9093', 'b2:9093'], security: {} });
  });

  it('read the CA, the client certificate and key, and the SASL credentials', () => {
    const { security } = connect({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/ca.pem',
      KAFKA_SSL_CERT_FILE: '/cert.pem',
      KAFKA_SSL_KEY_FILE: '/key.pem',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'hookline',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(security).toEqual({
      ssl: { ca: PEM, cert: PEM, key: PEM },
      sasl: { mechanism: 'scram-sha-512', username: 'hookline', password: 's3cret' },
    });
  });

  it('TLS with the system CAs when no CA file is named', () => {
    expect(connect({ KAFKA_SSL: 'true' }).security).toEqual({ ssl: {} });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'])('accept SASL %s', (mechanism) => {
    const { security } = connect({
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    });
    expect(security.sasl?.mechanism).toBe(mechanism);
  });

  it('an unknown mechanism stops the boot naming KAFKA_SASL_MECHANISM', () => {
    expect(() => connect({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });

  it('a mechanism without its username and password names both', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain' })).toEqual([
      'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM',
    ]);
  });

  it('credentials without a mechanism are an error, not ignored', () => {
    expect(problemsOf({ KAFKA_SASL_PASSWORD: 'p' })).toEqual([
      'KAFKA_SASL_PASSWORD is set but KAFKA_SASL_MECHANISM is none',
    ]);
  });

  it('a file that cannot be read, or holds no PEM, names its setting', () => {
    files['/junk.pem'] = 'not a certificate';
    expect(
      problemsOf({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: '/nowhere.pem',
        KAFKA_SSL_CERT_FILE: '/junk.pem',
        KAFKA_SSL_KEY_FILE: '/key.pem',
      }),
    ).toEqual([
      'KAFKA_SSL_CA_FILE cannot be read (ENOENT): /nowhere.pem',
      'KAFKA_SSL_CERT_FILE must name a PEM file, /junk.pem holds no PEM block',
    ]);
  });

  it('a certificate without its key is an error', () => {
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/cert.pem' })).toEqual([
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE are set together or not at all',
    ]);
  });

  it('TLS files without KAFKA_SSL=true are an error, not silently plaintext', () => {
    expect(problemsOf({ KAFKA_SSL_CA_FILE: '/ca.pem' })).toEqual([
      'KAFKA_SSL_CA_FILE is set but KAFKA_SSL is false (set KAFKA_SSL=true to use TLS)',
    ]);
  });
});
