export { AccessError, type AccessErrorCode } from './access.error';
export {
  ACTIONS,
  ROLES,
  ROLE_PERMISSIONS,
  can,
  isAction,
  isRole,
  type Action,
  type Role,
} from './roles/roles';
export {
  API_KEY_ID_PREFIX,
  API_KEY_NAME_MAX_LENGTH,
  API_KEY_PREFIX,
  apiKeyPrefix,
  generateApiKey,
  hashApiKey,
  isApiKeyFormat,
  isApiKeyId,
  type GeneratedApiKey,
} from './api-keys/api-key';
export {
  ApiKeyStore,
  type ApiKeyPrincipal,
  type ApiKeyStoreOptions,
  type ApiKeySummary,
  type CreateApiKeyInput,
  type CreatedApiKey,
} from './api-keys/api-key.store';
export { ACCESS_MIGRATIONS } from './migrations';
