import type { Logger } from '@nestjs/common';

/** What the Kafka and event-store helpers log through: a message and structured fields. */
export interface LogSink {
  warn(message: string, fields: object): void;
  error(message: string, fields: object): void;
}

/** A {@link LogSink} over a Nest logger, so helper logs are pino JSON like the app's own. */
export function logSink(logger: Logger): LogSink {
  return {
    warn: (message, fields) => logger.warn({ msg: message, ...fields }),
    error: (message, fields) => logger.error({ msg: message, ...fields }),
  };
}

/**
 * Runs a long start (joining a consumer group, replaying a topic) without holding up the boot:
 * /health answers at once and /ready tells when it is done. A start that fails is logged and
 * stops the process (exit code 1) through the usual graceful shutdown, so a supervisor restarts
 * it instead of leaving an app that serves health but does no work.
 */
export function startInBackground(logger: Logger, what: string, start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    logger.error({ msg: `${what} failed to start`, error: String(error) });
    // Written at once as well, as runApp does for a failed boot: the log line may still be
    // buffered when the shutdown ends the process, and the reason must reach the operator.
    process.stderr.write(`${what} failed to start: ${String(error)}\n`);
    process.exitCode = 1;
    process.kill(process.pid, 'SIGTERM');
  });
}
