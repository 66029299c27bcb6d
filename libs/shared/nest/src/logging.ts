import type { DestinationStream, LoggerOptions } from 'pino';
import type { Params } from 'nestjs-pino';

/** Polled by probes and Prometheus: not logged per request. */
const PROBE_URLS = new Set(['/health', '/ready', '/metrics']);

/**
 * Paths pino replaces with `[redacted]` wherever they appear in a log line: credentials of the
 * request, and every field that may carry a signing secret, a custom header value or an API key.
 */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'authorization',
  '*.authorization',
  'secret',
  '*.secret',
  '*.*.secret',
  'previousSecret',
  '*.previousSecret',
  'signingSecret',
  '*.signingSecret',
  'key',
  '*.key',
  'apiKey',
  '*.apiKey',
  'headers',
  '*.headers',
  'password',
  '*.password',
  'masterKey',
  '*.masterKey',
];

/** pino's levels, for the HOOKLINE_LOG_LEVEL setting of every app. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

export interface LoggingOptions {
  readonly appName: string;
  readonly level?: string;
  /** Where the JSON lines go; stdout unless given (tests capture them). */
  readonly destination?: DestinationStream;
}

/** nestjs-pino parameters: one JSON line per record, fixed keys, secrets redacted. */
export function pinoParams(options: LoggingOptions): Params {
  const pinoOptions: LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
    base: { app: options.appName },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  };
  return {
    pinoHttp: [
      {
        ...pinoOptions,
        // The request line keeps method, url and status; bodies are never logged.
        serializers: {
          req: (req: { id: unknown; method: string; url: string }) => ({
            id: req.id,
            method: req.method,
            url: req.url,
          }),
        },
        // Probes and scrapes poll every few seconds; their lines would drown the rest.
        autoLogging: { ignore: (req) => PROBE_URLS.has(req.url ?? '') },
        customLogLevel: (_req, res, error) =>
          error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      },
      ...(options.destination ? [options.destination] : []),
    ] as Params['pinoHttp'],
  };
}
