import { createCounter, METRICS_REGISTRY } from '@hookline/shared-nest';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Counter, Registry } from 'prom-client';

/**
 * Counts every answered request by method, route template (`/v1/webhooks/:id`, never the id
 * itself, so the series stay few) and status, once the response is finished: guards, pipes and
 * the exception filter have had their say by then.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly requests: Counter<'method' | 'route' | 'status'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.requests = createCounter(registry, {
      name: 'hookline_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
    });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    // Express runs this middleware as a catch-all route: a request no controller took still has
    // that route when it finishes.
    const catchAll: unknown = req.route;
    res.on('finish', () => {
      const matched: unknown = req.route;
      const route = matched !== catchAll ? (matched as { path?: unknown } | undefined)?.path : null;
      this.requests.inc({
        method: req.method,
        // Unknown paths are one series, whatever a scanner asks for.
        route: typeof route === 'string' ? `${req.baseUrl}${route}` : 'unmatched',
        status: String(res.statusCode),
      });
    });
    next();
  }
}
