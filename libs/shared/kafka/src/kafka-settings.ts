import { ConfigError, env } from '@hookline/shared-config';
import { readFileSync } from 'node:fs';

export const SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanismSetting = (typeof SASL_MECHANISMS)[number];

/** How a client reaches the brokers: TLS and SASL, as kafkajs takes them. */
export interface KafkaSecurity {
  /** Undefined: plaintext. */
  readonly ssl?: {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
  };
  readonly sasl?: {
    readonly mechanism: Exclude<SaslMechanismSetting, 'none'>;
    readonly username: string;
    readonly password: string;
  };
}

/** The connection settings every app and tool reads; spread into an app's `parseEnv` call. */
export const KAFKA_CONNECTION_SETTINGS = {
  KAFKA_BROKERS: env.list(),
  KAFKA_SSL: env.bool(false),
  KAFKA_SSL_CA_FILE: env.optionalString(),
  KAFKA_SSL_CERT_FILE: env.optionalString(),
  KAFKA_SSL_KEY_FILE: env.optionalString(),
  KAFKA_SASL_MECHANISM: env.oneOf(SASL_MECHANISMS, 'none'),
  KAFKA_SASL_USERNAME: env.optionalString(),
  KAFKA_SASL_PASSWORD: env.optionalString(),
};

export interface KafkaConnectionValues {
  readonly KAFKA_BROKERS: readonly string[];
  readonly KAFKA_SSL: boolean;
  readonly KAFKA_SSL_CA_FILE: string;
  readonly KAFKA_SSL_CERT_FILE: string;
  readonly KAFKA_SSL_KEY_FILE: string;
  readonly KAFKA_SASL_MECHANISM: SaslMechanismSetting;
  readonly KAFKA_SASL_USERNAME: string;
  readonly KAFKA_SASL_PASSWORD: string;
}

export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly security: KafkaSecurity;
}

/**
 * Checks the settings agree with each other and reads the PEM files, so a missing file or a
 * half-set pair stops the boot naming the setting instead of failing at the first connection.
 */
export function kafkaConnection(
  values: KafkaConnectionValues,
  readFile: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): KafkaConnection {
  const problems: string[] = [];
  const pem = (name: keyof KafkaConnectionValues, file: string): string | undefined => {
    if (file === '') return undefined;
    if (!values.KAFKA_SSL) {
      problems.push(`${name} is set but KAFKA_SSL is false (set KAFKA_SSL=true to use TLS)`);
      return undefined;
    }
    try {
      const text = readFile(file);
      if (!text.includes('-----BEGIN ')) {
        problems.push(`${name} must name a PEM file, ${file} holds no PEM block`);
        return undefined;
      }
      return text;
    } catch (error) {
      problems.push(
        `${name} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}): ${file}`,
      );
      return undefined;
    }
  };
  const ca = pem('KAFKA_SSL_CA_FILE', values.KAFKA_SSL_CA_FILE);
  const cert = pem('KAFKA_SSL_CERT_FILE', values.KAFKA_SSL_CERT_FILE);
  const key = pem('KAFKA_SSL_KEY_FILE', values.KAFKA_SSL_KEY_FILE);
  if ((values.KAFKA_SSL_CERT_FILE === '') !== (values.KAFKA_SSL_KEY_FILE === '')) {
    problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE are set together or not at all');
  }

  const mechanism = values.KAFKA_SASL_MECHANISM;
  if (mechanism === 'none') {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (values[name] !== '') problems.push(`${name} is set but KAFKA_SASL_MECHANISM is none`);
    }
  } else {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (values[name] === '') problems.push(`${name} is required with KAFKA_SASL_MECHANISM`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    brokers: values.KAFKA_BROKERS,
    security: {
      ...(values.KAFKA_SSL
        ? { ssl: { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } }
        : {}),
      ...(mechanism === 'none'
        ? {}
        : {
            sasl: {
              mechanism,
              username: values.KAFKA_SASL_USERNAME,
              password: values.KAFKA_SASL_PASSWORD,
            },
          }),
    },
  };
}
