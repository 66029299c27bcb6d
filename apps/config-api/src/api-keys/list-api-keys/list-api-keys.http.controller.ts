import type { ApiKeyStore } from '@hookline/access-data-access';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { API_KEY_STORE } from '../../tokens';
import { ApiKeyResponse, toApiKeyResponse } from '../api-key.response';

@ApiTags('api keys')
@Controller('v1/api-keys')
export class ListApiKeysHttpController {
  constructor(@Inject(API_KEY_STORE) private readonly keys: ApiKeyStore) {}

  @Get()
  @Requires('keys:manage')
  @ApiOkResponse({ type: [ApiKeyResponse], description: 'Never the keys themselves' })
  async list(@CurrentPrincipal() principal: Principal): Promise<ApiKeyResponse[]> {
    return (await this.keys.list(principal.company)).map(toApiKeyResponse);
  }
}
