import { ACTIONS, ROLES, can } from '@hookline/access-data-access';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';

export class CurrentKeyResponse {
  @ApiProperty({ example: 'key_01h2x3y4z5' }) keyId!: string;
  @ApiProperty({ example: 'acme' }) company!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty({ enum: ACTIONS, isArray: true, description: 'What this key may do' })
  permissions!: string[];
}

/** Who the caller is: a client (the dashboard) decides what to offer from the role. */
@ApiTags('api keys')
@Controller('v1/me')
export class GetCurrentKeyHttpController {
  @Get()
  @Requires('webhooks:read')
  @ApiOkResponse({ type: CurrentKeyResponse })
  get(@CurrentPrincipal() principal: Principal): CurrentKeyResponse {
    return {
      keyId: principal.keyId,
      company: principal.company,
      role: principal.role,
      permissions: ACTIONS.filter((action) => can(principal.role, action)),
    };
  }
}
