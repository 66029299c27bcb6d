import { API_KEY_NAME_MAX_LENGTH, ROLES, type Role } from '@hookline/access-data-access';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class CreateApiKeyRequestDto {
  @ApiProperty({ example: 'CI deploys', minLength: 1, maxLength: API_KEY_NAME_MAX_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(API_KEY_NAME_MAX_LENGTH)
  name!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}
