import { ROLES, type ApiKeySummary } from '@hookline/access-data-access';
import { ApiProperty } from '@nestjs/swagger';

export class ApiKeyResponse {
  @ApiProperty({ example: 'key_01h2x3y4z5' }) id!: string;
  @ApiProperty({ description: 'The first characters of the key, to recognise it' }) prefix!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt!: string | null;
}

export function toApiKeyResponse(key: ApiKeySummary): ApiKeyResponse {
  return {
    id: key.id,
    prefix: key.prefix,
    name: key.name,
    role: key.role,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  };
}
