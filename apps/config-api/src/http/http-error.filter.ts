import { AccessError, type AccessErrorCode } from '@hookline/access-data-access';
import { ConcurrencyConflictError } from '@hookline/shared-event-store';
import { WebhookDomainError, type WebhookDomainErrorCode } from '@hookline/webhooks-domain';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { ExportBusyError } from '../deliveries/export-deliveries/export-busy.error';
import { TestWebhookTimeoutError } from '../webhooks/test-webhook/test-webhook-timeout.error';
import type { ApiErrorBody } from './api-error';

/**
 * Every domain error code has exactly one HTTP status; a new code fails to compile here. A 400
 * means the request does not match the operation's schema (the DTOs, checked by the
 * ValidationPipe); a domain rule the schema cannot state (a cross-field rule, a URL, a template,
 * header names, a quota) is a 422, so a request valid by the document never gets a 400.
 */
const DOMAIN_STATUS: Record<WebhookDomainErrorCode, number> = {
  validation_failed: HttpStatus.UNPROCESSABLE_ENTITY,
  not_found: HttpStatus.NOT_FOUND,
  already_exists: HttpStatus.CONFLICT,
  conflict: HttpStatus.CONFLICT,
  invalid_state: HttpStatus.CONFLICT,
  quota_exceeded: HttpStatus.UNPROCESSABLE_ENTITY,
};

const ACCESS_STATUS: Record<AccessErrorCode, number> = {
  INVALID_API_KEY_REQUEST: HttpStatus.UNPROCESSABLE_ENTITY,
  API_KEY_NOT_FOUND: HttpStatus.NOT_FOUND,
};

const HTTP_CODES: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  405: 'method_not_allowed',
  422: 'validation_failed',
  429: 'rate_limited',
};

/** Maps every error to the one API error body, in one place. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof ExportBusyError) {
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    const body = this.toBody(exception);
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ApiErrorBody {
    if (exception instanceof WebhookDomainError) {
      return {
        statusCode: DOMAIN_STATUS[exception.code],
        error: exception.code,
        message: exception.message,
        ...(exception.violations
          ? {
              violations: exception.violations.map(({ field, rule, message }) => ({
                field,
                rule,
                message,
              })),
            }
          : {}),
      };
    }
    if (exception instanceof AccessError) {
      const statusCode = ACCESS_STATUS[exception.code];
      return { statusCode, error: HTTP_CODES[statusCode] ?? 'error', message: exception.message };
    }
    if (exception instanceof TestWebhookTimeoutError) {
      return {
        statusCode: HttpStatus.GATEWAY_TIMEOUT,
        error: exception.code,
        message: exception.message,
        deliveryId: exception.deliveryId,
      };
    }
    if (exception instanceof ExportBusyError) {
      return {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'export_busy',
        message: exception.message,
      };
    }
    if (exception instanceof ConcurrencyConflictError) {
      return {
        statusCode: HttpStatus.CONFLICT,
        error: 'conflict',
        message: 'The webhook was changed by another request; reload it and try again.',
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      if (typeof raw === 'object' && raw !== null && 'violations' in raw) {
        return raw as ApiErrorBody;
      }
      const message =
        typeof raw === 'string'
          ? raw
          : String((raw as { message?: unknown }).message ?? exception.message);
      return { statusCode: status, error: HTTP_CODES[status] ?? 'error', message };
    }
    // Only the class name is logged: an unexpected error's message may quote input values.
    this.logger.error({
      msg: 'unhandled error',
      errorClass: exception instanceof Error ? exception.constructor.name : typeof exception,
      frames:
        exception instanceof Error ? exception.stack?.split('\n').slice(1).join('\n') : undefined,
    });
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'internal_error',
      message: 'Internal error',
    };
  }
}
