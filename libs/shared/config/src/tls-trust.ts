/** Node's codes for a peer certificate the client does not trust (chain, expiry or host name). */
const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The error in `error`'s cause chain that says a server's certificate was not trusted, so a
 * connection failure can name the CA setting to look at; undefined for any other failure.
 */
export function tlsTrustFailure(error: unknown): Error | undefined {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_TRUST_CODES.has(code)) return cause;
  }
  return undefined;
}
