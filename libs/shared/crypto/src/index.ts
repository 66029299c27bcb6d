export { CryptoError, type CryptoErrorCode } from './crypto.error';
export { SEALED_VALUE_ALG, type SealedValue } from './sealed-value';
export { KEY_ID_PATTERN, KeyRing, MASTER_KEY_BYTES, aadFor, type MasterKey } from './key-ring';
export { MASTER_KEY_ENV, generateMasterKey, parseMasterKeys } from './master-keys';
export {
  DEFAULT_DEV_MASTER_KEY_FILE,
  DEV_MASTER_KEY_ID,
  loadOrCreateDevMasterKey,
} from './dev-master-key';
export {
  legacyWebhookHeaderAad,
  openWebhookHeader,
  webhookHeaderAad,
  webhookSecretAad,
} from './webhook-aad';
