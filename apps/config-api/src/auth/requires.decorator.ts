import type { Action } from '@hookline/access-data-access';
import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiErrorBody } from '../http/api-error';
import { ApiKeyThrottlerGuard, ApiRateLimited } from '../http/rate-limit';
import { ApiKeyGuard } from './api-key.guard';

import { REQUIRED_ACTION } from './required-action';

/**
 * The route needs a valid API key whose role may perform `action`: 401 without one (or with a
 * revoked one), 403 when the role may not, 429 past the key's rate limit.
 */
export function Requires(action: Action): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_ACTION, action),
    UseGuards(ApiKeyGuard, ApiKeyThrottlerGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ApiErrorBody, description: 'No API key, or a revoked one' }),
    ApiForbiddenResponse({ type: ApiErrorBody, description: `The key's role may not ${action}` }),
    ApiRateLimited(),
  );
}
