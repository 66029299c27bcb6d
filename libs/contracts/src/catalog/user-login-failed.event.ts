import { JSON_SCHEMA_DIALECT } from '../json-schema/common.schema';
import { COMPANY_SCHEMA } from './common.schema';

/** `data` of `user.login_failed`: a login attempt failed. User events carry no project. */
export interface UserLoginFailedData {
  /** The tenant. */
  company: string;
  /** As typed by whoever tried; may be empty, may name no existing user. */
  username: string;
  user_agent: string;
  path: string;
}

export const USER_LOGIN_FAILED_DATA_SCHEMA = {
  $schema: JSON_SCHEMA_DIALECT,
  title: 'user.login_failed data',
  type: 'object',
  required: ['company', 'username', 'user_agent', 'path'],
  properties: {
    company: COMPANY_SCHEMA,
    username: { type: 'string' },
    user_agent: { type: 'string' },
    path: { type: 'string' },
  },
  additionalProperties: true,
} as const;
