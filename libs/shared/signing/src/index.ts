export type { SignableBody } from './signable-body';
export { SigningError, type SigningErrorCode } from './signing.error';
export { DEFAULT_VENDOR, vendorHeaders, type VendorHeaders } from './vendor-headers';
export { signVendorSignature, verifyVendorSignature } from './vendor-signature';
export {
  DEFAULT_TOLERANCE_SECONDS,
  signStandardWebhook,
  verifyStandardWebhook,
  type HeaderInput,
  type StandardVerifyFailure,
  type StandardVerifyOptions,
  type StandardWebhookHeaders,
  type StandardWebhookMessage,
  type StandardWebhookVerification,
} from './standard-webhooks';
export {
  SECRET_MAX_LENGTH,
  SECRET_MIN_LENGTH,
  STANDARD_SECRET_PREFIX,
  generateSecret,
  parseSecret,
  validateSecret,
  type SecretValidation,
  type SigningSecret,
} from './signing-secret';
