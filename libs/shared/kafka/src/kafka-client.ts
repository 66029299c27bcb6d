import { Kafka, logLevel as KafkaLogLevel, type LogEntry, type logCreator } from 'kafkajs';

/** Where kafkajs log lines go; apps pass their own structured logger. */
export interface KafkaLogSink {
  log(level: 'error' | 'warn' | 'info' | 'debug', message: string, fields: object): void;
}

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
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

/** A kafkajs client configured the same way in every app and test. */
export function createKafka(options: KafkaClientOptions): Kafka {
  if (options.brokers.length === 0) throw new Error('createKafka: at least one broker is required');
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { initialRetryTime: 200, retries: options.retries ?? 8 },
    logLevel: options.logSink ? KafkaLogLevel.WARN : KafkaLogLevel.NOTHING,
    ...(options.logSink ? { logCreator: toLogCreator(options.logSink) } : {}),
  });
}
