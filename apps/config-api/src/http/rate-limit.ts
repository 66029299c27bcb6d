import { applyDecorators, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import {
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type { AuthenticatedRequest } from '../auth/principal';
import { ApiErrorBody } from './api-error';

/** Every authenticated route, per API key. */
export const DEFAULT_THROTTLER = 'default';
/** Routes that call third parties or read much of the log, per API key, on top of the default. */
export const COSTLY_THROTTLER = 'costly';

const COSTLY = Symbol('costly');
const WINDOW_MS = 60_000;

export interface RateLimits {
  readonly perMinute: number;
  readonly costlyPerMinute: number;
}

/** The throttlers of the config API: one window of a minute per API key, two budgets. */
export function rateLimitOptions(limits: RateLimits): ThrottlerModuleOptions {
  return {
    // Retry-After is set by the guard without the per-throttler suffix the library adds.
    setHeaders: false,
    throttlers: [
      { name: DEFAULT_THROTTLER, ttl: WINDOW_MS, limit: limits.perMinute },
      {
        name: COSTLY_THROTTLER,
        ttl: WINDOW_MS,
        limit: limits.costlyPerMinute,
        skipIf: (context) => Reflect.getMetadata(COSTLY, context.getHandler()) !== true,
      },
    ],
  };
}

/**
 * The route is costly (test, retry, recover, export): it also counts against the stricter
 * per-key budget. Documents the 429 either way.
 */
export function Costly(): MethodDecorator {
  return applyDecorators(SetMetadata(COSTLY, true));
}

/** The 429 every rate-limited route may answer. */
export function ApiRateLimited(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiResponse({
      status: 429,
      type: ApiErrorBody,
      description: 'Too many requests for this API key; try again after Retry-After seconds',
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } },
    }),
  );
}

/**
 * Rate limits per API key: runs after {@link ApiKeyGuard}, so the budget is the key's, shared
 * by every route (not per route, and not per client address behind a proxy). Counted in this
 * process's memory.
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = (request as AuthenticatedRequest).principal;
    if (!principal) throw new Error('ApiKeyThrottlerGuard runs after ApiKeyGuard');
    return principal.keyId;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string) {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const response = context.switchToHttp().getResponse<Response>();
    response.setHeader('Retry-After', String(Math.max(1, Math.ceil(detail.timeToBlockExpire))));
    const request = context.switchToHttp().getRequest<Request>();
    const costly = Reflect.getMetadata(COSTLY, context.getHandler()) === true;
    throw new ThrottlerException(
      `Rate limit exceeded for this API key: ${detail.limit} ${costly ? 'test, retry, recover and export requests' : 'requests'} per minute (${request.method} ${request.path})`,
    );
  }
}
