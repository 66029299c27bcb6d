import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an orchestrator and a scraper ask for: never business traffic. */
export const OPERATIONS_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

export interface OperationsPort {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Moves /health, /ready and /metrics to a port of their own (an operations network, a
 * Kubernetes probe port), and off the app's main port, where they answer 404; the operations
 * port answers nothing else. Call before the app listens: the filter must stand before the
 * routes.
 */
export function separateOperations(
  app: INestApplication,
): (host: string, port: number) => Promise<OperationsPort> {
  let operationsPort: number | undefined;
  app.use((req: Request, res: Response, next: NextFunction) => {
    const onOperationsPort =
      operationsPort !== undefined && req.socket.localPort === operationsPort;
    if (OPERATIONS_PATHS.has(req.path) === onOperationsPort) {
      next();
      return;
    }
    res.status(404).json({ statusCode: 404, message: `${req.path} is not served on this port` });
  });
  return (host, port) =>
    new Promise((resolve, reject) => {
      const server: Server = createServer(app.getHttpAdapter().getInstance());
      server.once('error', reject);
      server.listen(port, host, () => {
        operationsPort = (server.address() as AddressInfo).port;
        resolve({
          port: operationsPort,
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      });
    });
}
