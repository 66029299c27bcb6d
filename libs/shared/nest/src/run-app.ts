import { ConfigError } from '@hookline/shared-config';
import { type DynamicModule, type INestApplication, Logger } from '@nestjs/common';
import { Logger as PinoLogger } from 'nestjs-pino';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { separateOperations } from './operations-port';

export interface RunAppOptions {
  readonly name: string;
  /** Reads and validates the app's settings; a ConfigError stops the process with its message. */
  readonly loadConfig: () => {
    host: string;
    port: number;
    /** A port of its own for /health, /ready and /metrics (off the main port then). */
    operationsPort?: number;
    module: DynamicModule;
  };
  /** Global pipes, OpenAPI and the like, before the app listens. */
  readonly configure?: (app: INestApplication) => void;
  /** What the start line says is at the app's address. */
  readonly serves?: string;
}

/**
 * Boots an app: pino JSON logs (from the PlatformModule the app imports), graceful shutdown on SIGTERM/SIGINT, and a clear message instead of a
 * stack trace when a setting is wrong.
 */
export function runApp(options: RunAppOptions): void {
  const boot = async () => {
    const { host, port, operationsPort, module } = options.loadConfig();
    const app = await NestFactory.create(module, { bufferLogs: true });
    app.useLogger(app.get(PinoLogger));
    app.enableShutdownHooks();
    const listenOperations = operationsPort === undefined ? undefined : separateOperations(app);
    options.configure?.(app);
    await app.listen(port, host);
    const logger = new Logger(options.name);
    logger.log(
      `${options.name} listening on ${await app.getUrl()}${options.serves ? ` (${options.serves})` : ''}`,
    );
    if (listenOperations && operationsPort !== undefined) {
      const operations = await listenOperations(host, operationsPort);
      logger.log(`${options.name}: /health, /ready and /metrics on port ${operations.port}`);
      // Closed with the main server, so a graceful shutdown leaves nothing listening.
      (app.getHttpServer() as Server).once('close', () => void operations.close());
    }
  };
  boot().catch((error: unknown) => {
    const message =
      error instanceof ConfigError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`${options.name} failed to start: ${message}\n`);
    process.exit(1);
  });
}
