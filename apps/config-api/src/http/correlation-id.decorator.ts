import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';

const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `X-Correlation-Id` when it is a sane token, else a new UUID. */
export const CorrelationId = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const header = context.switchToHttp().getRequest<Request>().headers['x-correlation-id'];
  return typeof header === 'string' && VALID.test(header) ? header : randomUUID();
});
