import { JSON_SCHEMA_DIALECT, NON_EMPTY_STRING_SCHEMA } from '../json-schema/common.schema';
import { COMPANY_SCHEMA } from './common.schema';

/** `data` of `user.login`: a user logged in. User events carry no project. */
export interface UserLoginData {
  /** The tenant. */
  company: string;
  user_id: number;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  user_agent: string;
  /** The request path that logged in, e.g. `/login/`. */
  path: string;
}

export const USER_LOGIN_DATA_SCHEMA = {
  $schema: JSON_SCHEMA_DIALECT,
  title: 'user.login data',
  type: 'object',
  required: [
    'company',
    'user_id',
    'username',
    'email',
    'first_name',
    'last_name',
    'user_agent',
    'path',
  ],
  properties: {
    company: COMPANY_SCHEMA,
    user_id: { type: 'integer' },
    username: NON_EMPTY_STRING_SCHEMA,
    email: { type: 'string', format: 'email' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    user_agent: { type: 'string' },
    path: { type: 'string' },
  },
  additionalProperties: true,
} as const;
