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
  // Not `instanceof Error`: errors made by Node's TLS code in another realm (a test sandbox)
  // fail that test, and so would the connection error a setting should be named for.
  for (
    let cause: unknown = error, depth = 0;
    typeof cause === 'object' && cause !== null && depth < 10;
    cause = (cause as { cause?: unknown }).cause, depth++
  ) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_TRUST_CODES.has(code)) return cause as Error;
  }
  return undefined;
}
