import { CreateApiKeys1764201600000 } from './1764201600000-create-api-keys';

/** The access lib's migrations (the `api_keys` table), oldest first. */
export const ACCESS_MIGRATIONS = [CreateApiKeys1764201600000] as const;
