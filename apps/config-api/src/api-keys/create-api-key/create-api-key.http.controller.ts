import type { ApiKeyStore } from '@hookline/access-data-access';
import { Body, Controller, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiErrorBody, ApiRuleViolation } from '../../http/api-error';
import { API_KEY_STORE } from '../../tokens';
import { ApiKeyResponse, toApiKeyResponse } from '../api-key.response';
import { CreateApiKeyRequestDto } from './create-api-key.request.dto';

class CreatedApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({ description: 'The key itself: shown here once, never again' })
  key!: string;
}

/** A new key for the caller's company; admins only. */
@ApiTags('api keys')
@Controller('v1/api-keys')
export class CreateApiKeyHttpController {
  constructor(@Inject(API_KEY_STORE) private readonly keys: ApiKeyStore) {}

  @Post()
  @ApiRuleViolation('A rule of the key breaks (e.g. a blank name); it is named')
  @HttpCode(HttpStatus.CREATED)
  @Requires('keys:manage')
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  @ApiBadRequestResponse({ type: ApiErrorBody })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateApiKeyRequestDto,
  ): Promise<CreatedApiKeyResponse> {
    const created = await this.keys.create({
      company: principal.company,
      role: body.role,
      name: body.name,
    });
    return {
      ...toApiKeyResponse({ ...created, revokedAt: null, lastUsedAt: null }),
      key: created.key,
    };
  }
}
