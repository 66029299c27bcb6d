import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiBadRequestResponse, ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrorBody } from './api-error';
import { badRequest } from './validation-exception.factory';

/**
 * What an `If-Match` may be: a webhook version (1 or more, no leading zero), optionally quoted
 * and weak. The parser and the OpenAPI document use this one pattern.
 */
export const IF_MATCH_PATTERN = '^(W/)?"?[1-9][0-9]{0,8}"?$';
const IF_MATCH = new RegExp(IF_MATCH_PATTERN);

/**
 * Optimistic concurrency for clients: `If-Match: "<version>"` (the `version` a read returned).
 * The change applies only if the webhook is still at that version, else 409; without the header
 * the change applies to the current version. A value that is not a version is a 400.
 */
export const ExpectedVersion = createParamDecorator(
  (_data: unknown, context: ExecutionContext): number | undefined => {
    const header = context.switchToHttp().getRequest<Request>().headers['if-match'];
    if (header === undefined) return undefined;
    if (!IF_MATCH.test(header)) {
      throw badRequest([
        {
          field: 'If-Match',
          rule: 'invalid_value',
          message: 'If-Match must be a webhook version, e.g. "3"',
        },
      ]);
    }
    return Number(header.replace(/^W\//, '').replace(/"/g, ''));
  },
);

/** Documents the If-Match header (and its 400) on a route that changes a webhook. */
export const ApiIfMatch = () =>
  applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'Apply only if the webhook is still at this version (409 otherwise)',
      example: '"3"',
      schema: { type: 'string', pattern: IF_MATCH_PATTERN },
    }),
    ApiBadRequestResponse({
      type: ApiErrorBody,
      description: 'The request does not match its schema (If-Match, a parameter or the body)',
    }),
  );
