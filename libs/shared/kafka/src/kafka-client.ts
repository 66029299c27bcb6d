import {
  Kafka,
  KafkaJSSASLAuthenticationError,
  logLevel as KafkaLogLevel,
  type LogEntry,
  type logCreator,
  type SASLOptions,
} from 'kafkajs';
import { tlsTrustFailure } from '@hookline/shared-config';
import type { KafkaSecurity } from './kafka-settings';
import { installCoordinatorFailover } from './coordinator-failover';
import { installFetchFailover } from './fetch-failover';
import { installRequestQueueIdleFix } from './request-queue-idle';

// Before any client exists: every connection of this process gets the fixed request queue, every
// consumer group follows its coordinator to another broker, and a fetch from a leader out of reach
// looks for the partitions' new leaders.
installRequestQueueIdleFix();
installCoordinatorFailover();
installFetchFailover();

/** Where kafkajs log lines go; apps pass their own structured logger. */
export interface KafkaLogSink {
  log(level: 'error' | 'warn' | 'info' | 'debug', message: string, fields: object): void;
}

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** TLS and SASL from {@link kafkaConnection}; plaintext when omitted. */
  readonly security?: KafkaSecurity;
  readonly logSink?: KafkaLogSink;
  /** How long one connection attempt may take; kafkajs' default of 1 s is short on a busy host. */
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Retries of a failed request before it errors; 0 for a fail-fast probe. */
  readonly retries?: number;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

function toLogCreator(sink: KafkaLogSink): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...fields } = log;
      sink.log(LEVELS[level] ?? 'info', message, { namespace, ...fields });
    };
}

/**
 * How a client's requests (a producer's sends, an admin's calls) retry by default. The wait
 * between tries doubles from 200 ms but never passes 5 s: with kafkajs's own cap of 30 s, a send
 * to a broker that had died kept trying it at 9 and then 19 s, and in a three-broker fault run
 * the matcher's send reached the partition's new leader (elected about 9 s after the kill) only
 * once the dead broker was back, 31 s later, with nothing delivered meanwhile. Twelve retries
 * last about 41 s nominally (the eight of before, 51 s).
 */
export const CLIENT_RETRY = {
  initialRetryTime: 200,
  maxRetryTime: 5_000,
  factor: 0.2,
  multiplier: 2,
  retries: 12,
} as const;

/** A kafkajs client configured the same way in every app and test. */
export function createKafka(options: KafkaClientOptions): Kafka {
  if (options.brokers.length === 0) throw new Error('createKafka: at least one broker is required');
  const { ssl, sasl } = options.security ?? {};
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...(ssl ? { ssl: { ...ssl } } : {}),
    ...(sasl ? { sasl: { ...sasl } as SASLOptions } : {}),
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: {
      ...CLIENT_RETRY,
      ...(options.retries === undefined ? {} : { retries: options.retries }),
    },
    logLevel: options.logSink ? KafkaLogLevel.WARN : KafkaLogLevel.NOTHING,
    ...(options.logSink ? { logCreator: toLogCreator(options.logSink) } : {}),
  });
}

/**
 * Says which setting to look at when the broker refused this client: the SASL credentials or
 * the CA it trusts. Undefined for any other failure. Apps call it on their first connection,
 * so a wrong password stops the boot with the setting's name.
 */
export function explainKafkaConnectError(error: unknown): string | undefined {
  if (error instanceof KafkaJSSASLAuthenticationError) {
    return `the broker refused the SASL credentials (KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD): ${error.message}`;
  }
  const untrusted = tlsTrustFailure(error);
  if (untrusted !== undefined) {
    return `the broker's TLS certificate is not trusted (KAFKA_SSL_CA_FILE): ${untrusted.message}`;
  }
  if (
    error instanceof Error &&
    /self[- ]signed certificate|unable to verify/i.test(error.message)
  ) {
    return `the broker's TLS certificate is not trusted (KAFKA_SSL_CA_FILE): ${error.message}`;
  }
  return undefined;
}

/** A first connection the broker refused, with the settings to look at in its message. */
export class KafkaConnectRefusedError extends Error {
  override readonly name = 'KafkaConnectRefusedError';
}
