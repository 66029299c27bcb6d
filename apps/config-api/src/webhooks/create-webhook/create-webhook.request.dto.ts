import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { WebhookFieldsDto } from '../webhook-input.dto';

export class CreateWebhookRequestDto extends WebhookFieldsDto {
  @ApiPropertyOptional({
    description:
      'Your own signing secret (16-256 printable ASCII characters). Not with generateSecret.',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  secret?: string;

  @ApiPropertyOptional({
    description: 'Generate a signing secret; it is returned once, in the response',
  })
  @IsOptional()
  @IsBoolean()
  generateSecret?: boolean;
}
