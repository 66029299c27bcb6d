import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { WebhookDomainError } from '@hookline/webhooks-domain';

/**
 * Optimistic concurrency for clients: `If-Match: "<version>"` (the `version` a read returned).
 * The change applies only if the webhook is still at that version, else 409; without the header
 * the change applies to the current version.
 */
export const ExpectedVersion = createParamDecorator(
  (_data: unknown, context: ExecutionContext): number | undefined => {
    const header = context.switchToHttp().getRequest<Request>().headers['if-match'];
    if (header === undefined) return undefined;
    const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
    if (!match?.[1] || Number(match[1]) < 1) {
      throw WebhookDomainError.validationFailed([
        {
          field: 'If-Match',
          rule: 'invalid_value',
          message: 'If-Match must be a webhook version, e.g. "3"',
        },
      ]);
    }
    return Number(match[1]);
  },
);

/** Documents the If-Match header on a route that changes a webhook. */
export const ApiIfMatch = () =>
  applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'Apply only if the webhook is still at this version (409 otherwise)',
      example: '"3"',
    }),
  );
